"""Exit codes, documented in the README. When several apply, USAGE wins over
INCOMPLETE, and INCOMPLETE over FINDINGS: a run that could not see everything must
never look like a run that saw only a few problems."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1
    USAGE = 2
    INCOMPLETE = 3
    INTERRUPTED = 130
