"""JSON as every reader of hvbpa's files must see it, whoever wrote it.

Python's json module reads things no report may carry and raises things no caller
expects: bare NaN/Infinity (and 1e999, read as infinity) come back out as invalid
JSON, a lone surrogate (``"\\ud800"``) cannot be written as UTF-8 at all, an integer
past 4,300 digits raises ValueError, and deep nesting raises RecursionError. Here
each is one :class:`StrictJSONError` with a one-line reason (and the field's path
where it is known); the checks cost nothing on the common document.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LONG_INTEGER = re.compile(r"\d{4301,}")


class StrictJSONError(ValueError):
    """Not strict JSON; the message is one line, without the file name (the caller adds it)."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        reason: str | None = None,
        decode: json.JSONDecodeError | None = None,
    ) -> None:
        super().__init__(message)
        self.line = line
        self.reason = reason or message  # without the line, for callers that print file:line first
        self.decode = decode  # the syntax error itself, for callers that describe it their own way


class _NotFinite:
    """Stands in for NaN/Infinity/1e999 while parsing, so the error can name the field."""

    def __init__(self, text: str) -> None:
        self.text = text


def strict_loads(document: str) -> Any:
    odd: list[bool] = []

    def constant(text: str) -> object:
        odd.append(True)
        return _NotFinite(text)

    def number(text: str) -> object:
        value = float(text)
        return value if math.isfinite(value) else constant(text)

    try:
        data = json.loads(document, parse_constant=constant, parse_float=number)
    except json.JSONDecodeError as exc:
        raise StrictJSONError(f"not JSON ({exc.msg} at line {exc.lineno})", exc.lineno, exc.msg, exc) from None
    except RecursionError:
        raise StrictJSONError("nested too deeply") from None
    except ValueError:  # int() past Python's digit limit
        match = _LONG_INTEGER.search(document)
        line = document.count("\n", 0, match.start()) + 1 if match else None
        raise StrictJSONError(f"an integer has too many digits{f' at line {line}' if line else ''}", line) from None
    if odd or _SURROGATE_ESCAPE.search(document) or (not document.isascii() and _SURROGATE.search(document)):
        found = find_invalid(data)
        if found is not None:
            raise StrictJSONError(f"{found[0] or 'document'}: {found[1]}")
    return data


def find_invalid(data: object, path: str = "") -> tuple[str, str] | None:
    """The first value no JSON writer can write (path, why), walking without recursion."""
    stack: list[tuple[str, object]] = [(path, data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, _NotFinite):
            return where, f"{value.text} is not a finite number"
        if isinstance(value, float) and not math.isfinite(value):
            return where, f"{value} is not a finite number"
        if isinstance(value, str) and _SURROGATE.search(value):
            return where, "the text holds an unpaired surrogate (not valid Unicode)"
        if isinstance(value, dict):
            for key, item in reversed(value.items()):
                if _SURROGATE.search(key):
                    return where, "a key holds an unpaired surrogate (not valid Unicode)"
                stack.append((f"{where}.{key}" if where else key, item))
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", item) for i, item in reversed(list(enumerate(value))))
    return None
