"""Text from a host or a file, made safe to show: nothing in it can drive a terminal.

Data keeps what the host sent (JSON readers get the names as they are); only what is shown
goes through :func:`visible`. Reports, the CLI's one-line messages and the ``-v`` exchange log
all use this one set.
"""

from __future__ import annotations

import re

# C0 and C1 control characters (ESC starts every terminal sequence; C1 CSI and OSC do alone),
# DEL, line and paragraph separators, and the bidirectional controls that make text read as
# something else.
_HOSTILE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_HOSTILE_KEEPING_LINES = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
# JSON strings may carry these raw (json.dumps escapes only C0).
RAW_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def visible(text: str, *, lines: bool = False) -> str:
    """``text`` with every control character shown as its escape (``\\x1b``, ``\\u202e``), so
    nothing from a host drives a terminal; with ``lines``, line breaks the report made stay."""
    pattern = _HOSTILE_KEEPING_LINES if lines else _HOSTILE
    return pattern.sub(_escaped, text) if pattern.search(text) else text
