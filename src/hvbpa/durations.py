"""Durations as people write them (``90s``, ``10m``, ``1h``, a bare number), one rule for
every option, configuration key and ``HVBPA_*`` variable."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}
# A year: far beyond any real timeout or grace period, and small enough that every
# clock, socket and thread wait can hold it (threading's limit is some 292 years).
LONGEST = 366 * 24 * 3600.0
_FORM = re.compile(r"(\d{1,12}(?:\.\d{1,9})?|\.\d{1,9})\s*([smh]?)")


def parse_duration(value: object, default_unit: str = "s") -> float:
    """Seconds, strictly positive and finite; ValueError with a one-line reason otherwise.

    Only plain decimals: ``inf``, ``nan``, ``1e400`` and negative numbers are not durations.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"expected a duration like 90s, 10m or 1h, got {value!r}")
    text = str(value).strip().lower()
    match = _FORM.fullmatch(text)
    if match is None:
        raise ValueError(f"expected a duration like 90s, 10m or 1h, got {str(value)[:40]!r}")
    seconds = float(match.group(1)) * UNITS[match.group(2) or default_unit]
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"expected a positive duration, got {text}")
    if seconds > LONGEST:
        raise ValueError(f"expected a duration of at most a year, got {text}")
    return seconds


def parse_moment(text: str) -> datetime:
    """An ISO 8601 time every report can write: it converts to UTC and leaves a day's room
    either way (reports shift and format times; year 1 at +14:00 is before year 1 in UTC).
    ValueError with a one-line reason otherwise; no offset means UTC."""
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        utc = parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{text[:40]!r} is out of range (years 2 to 9998)") from None
    if not 2 <= utc.year <= 9998:
        raise ValueError(f"{text[:40]!r} is out of range (years 2 to 9998)")
    return parsed
