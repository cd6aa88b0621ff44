"""What one host's answer may cost: bounds on its size, its strings and its item counts.

A host decides what it sends; a broken or hostile one must not take the scanner's memory or
the report's size with it. A 1,024-VM host (Hyper-V's most per host) answers about 2 MB of
JSON with about 90,000 values, its longest strings a few hundred characters, so each bound
leaves several times that. A host over a bound is that host's ``bad_output``, the bound named;
the other hosts are collected as usual.
"""

from __future__ import annotations

from hvbpa.visible import visible

# The answer once uncompressed. Parsing costs about five times its size in memory, so this
# also bounds one host's share of a scan's memory (about 85 MB at most).
MAX_ANSWER_BYTES = 16 * 1024 * 1024
# The longest string: Windows' longest path (32,767 characters); Hyper-V names are 100 at most.
MAX_STRING_CHARS = 32767
# The most items in one list (VMs, their adapters and disks, errors, cluster resources).
MAX_LIST_ITEMS = 8192
# The most values in the whole answer (a 1,024-VM host has about 90,000).
MAX_VALUES = 500_000


class BoundError(ValueError):
    """The answer is over a bound; the message names the bound and where it was passed."""


def check_bounds(data: object) -> None:
    """Raise BoundError when a decoded answer passes a bound. Iterative (nesting depth is
    already bounded by the JSON reader); paths are built only to name a bound passed."""
    if not _within(data):
        _name_the_bound(data)


def _within(data: object) -> bool:
    stack = [data]
    pop, push = stack.pop, stack.extend
    values = 0
    while stack:
        value = pop()
        kind = type(value)
        if kind is dict:
            values += len(value)  # type: ignore[arg-type]
            push(value.values())  # type: ignore[attr-defined]
        elif kind is list:
            if len(value) > MAX_LIST_ITEMS:  # type: ignore[arg-type]
                return False
            values += len(value)  # type: ignore[arg-type]
            push(value)  # type: ignore[arg-type]
        elif kind is str and len(value) > MAX_STRING_CHARS:  # type: ignore[arg-type]
            return False
        if values > MAX_VALUES:
            return False
    return True


def _name_the_bound(data: object) -> None:
    stack: list[tuple[str, object]] = [("", data)]
    values = 0
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            values += len(value)
            # A key is the host's text: shown escaped, so the one-line reason stays one line.
            stack.extend(
                (f"{where}.{visible(str(key))}" if where else visible(str(key)), item)
                for key, item in reversed(value.items())
            )
        elif isinstance(value, list):
            if len(value) > MAX_LIST_ITEMS:
                raise BoundError(f"{where or 'the answer'} has {len(value):,} items (at most {MAX_LIST_ITEMS:,})")
            values += len(value)
            stack.extend((f"{where}[{index}]", item) for index, item in reversed(list(enumerate(value))))
        elif isinstance(value, str) and len(value) > MAX_STRING_CHARS:
            raise BoundError(
                f"{where or 'the answer'} is a string of {len(value):,} characters (at most {MAX_STRING_CHARS:,})"
            )
        if values > MAX_VALUES:
            raise BoundError(f"the answer holds more than {MAX_VALUES:,} values")
    raise BoundError("the answer passes a bound")  # not reached: _within and this walk agree
