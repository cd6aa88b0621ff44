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
    # A bug in hvbpa: never 1, so a CI job cannot mistake a crash for findings.
    INTERNAL = 4
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
    TERMINATED = 143  # SIGTERM (128 + 15), handled like Ctrl-C
