"""The small pieces of logic the replication rules rest on, checked against brute force."""

from __future__ import annotations

import click
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hvbpa.cli.report_options import parse_hours
from hvbpa.evaluate.checks.replication_common import clock, windows_overlap

# Minutes keep brute force cheap; the function works in seconds, and minutes are seconds too.
_minute = st.integers(0, 24 * 60 - 1).map(lambda m: m * 60)


def _moments(start: int, end: int) -> set[int]:
    """Every minute of a daily window, the slow way."""
    if start == end:
        return set(range(0, 86400, 60))
    if start < end:
        return set(range(start, end, 60))
    return set(range(start, 86400, 60)) | set(range(0, end, 60))


@given(_minute, _minute, _minute, _minute)
def test_windows_overlap_agrees_with_brute_force(a: int, b: int, c: int, d: int) -> None:
    assert windows_overlap((a, b), (c, d)) == bool(_moments(a, b) & _moments(c, d))


@pytest.mark.parametrize(
    ("window", "overlaps"),
    [
        ((18 * 3600 + 1800, 6 * 3600), False),  # Microsoft's example window, outside 08:00-18:00
        ((17 * 3600, 19 * 3600), True),
        ((18 * 3600, 8 * 3600), False),  # touching both ends is not overlapping
        ((0, 0), True),  # all day
    ],
)
def test_default_business_hours(window: tuple[int, int], overlaps: bool) -> None:
    assert windows_overlap(window, (8 * 3600, 18 * 3600)) is overlaps


@given(st.integers(0, 23), st.integers(0, 59), st.integers(0, 23), st.integers(0, 59))
def test_business_hours_round_trip(h1: int, m1: int, h2: int, m2: int) -> None:
    start, end = parse_hours(f"{h1:02d}:{m1:02d}-{h2}:{m2:02d}", "--business-hours")
    assert f"{clock(start)}-{clock(end)}" == f"{h1:02d}:{m1:02d}-{h2:02d}:{m2:02d}"


@given(st.text(max_size=20))
def test_business_hours_reject_anything_else_cleanly(text: str) -> None:
    try:
        start, end = parse_hours(text, "--business-hours")
    except click.BadParameter as exc:
        assert "HH:MM-HH:MM" in str(exc)
    else:
        assert 0 <= start < 86400 and 0 <= end < 86400
