"""The table at 60 and 120 columns: names never break mid-word, the reason gets the room,
no line is wider than the terminal and none ends in spaces (a pipe or a file gets clean lines)."""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hvbpa.collect import load_snapshot_file
from hvbpa.evaluate import load_rules
from hvbpa.pipeline import RunOptions, finish
from hvbpa.report import OutputSpec
from hvbpa.snapshot import HostOutcome, HostStatus

DEMO = Path(__file__).resolve().parents[2] / "src" / "hvbpa" / "lab" / "demo_fleet"
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _cells(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def _table(columns: int, lang: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("NO_COLOR", "1")
    outcomes = [load_snapshot_file(DEMO / name) for name in ("hv-pri-01.json", "hv-rep-01.json")]
    outcomes.append(HostOutcome("HV-DR-03", HostStatus.UNREACHABLE, reason="connection refused on port 5985"))
    out = _Terminal()
    options = RunOptions(outputs=(OutputSpec("table", None),), lang=lang, now=NOW)
    finish(outcomes, load_rules(()), options, started=NOW, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("columns", [60, 120])
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_names_stay_whole_and_lines_fit(columns: int, lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    table = _table(columns, lang, monkeypatch)
    lines = table.splitlines()
    assert all(_cells(line) <= columns for line in lines), max(lines, key=_cells)
    assert not any(line != line.rstrip() for line in lines)
    for name in ("LEGACY-NT-01", "FILE-02", "HV-PRI-01", "HV-REP-01", "HV-DR-03"):
        assert name in table, name
    if columns == 60:
        assert "HV-REP-01/LEGACY-NT-01" in table, "a host/VM pair is one unbroken word"
        # The reason gets the width (in a 60-column table it had 13 columns, a word a line).
        reasons = [line.strip() for line in lines if line.startswith("    ")]
        assert reasons and sum(_cells(line) for line in reasons) / len(reasons) > 40


def test_long_names_give_the_reason_its_room_even_on_a_wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from msgspec.structs import replace as replace_value

    from hvbpa.snapshot import HostSnapshot

    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    outcome = load_snapshot_file(DEMO / "hv-pri-01.json")
    assert outcome.snapshot is not None
    long_vms = tuple(replace_value(vm, name=f"{vm.name}-{'x' * 40}") for vm in outcome.snapshot.vms)
    snapshot: HostSnapshot = replace_value(outcome.snapshot, vms=long_vms)
    out = _Terminal()
    options = RunOptions(outputs=(OutputSpec("table", None),), now=NOW)
    finish([replace(outcome, snapshot=snapshot)], load_rules(()), options, started=NOW, stdout=out)
    table = out.getvalue()
    assert f"HV-PRI-01/LEGACY-NT-01-{'x' * 40}" in table, "listed, not squeezed into a table"
    assert all(len(line) <= 120 for line in table.splitlines())


def _widest(stdout: str) -> int:
    return max(_cells(line) for line in stdout.splitlines())


@pytest.mark.parametrize(("columns", "widest"), [("200", 200), ("80", 80), (None, 120), ("wide", 120), ("0", 120)])
def test_a_piped_table_takes_its_width_from_columns(columns: str | None, widest: int) -> None:
    """`COLUMNS=200 hvbpa evaluate ... | less -S`: a pipe has no size, COLUMNS is how one is given."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"} | {"NO_COLOR": "1", "LANG": "C.UTF-8"}
    if columns is not None:
        env["COLUMNS"] = columns
    done = subprocess.run(
        [sys.executable, "-m", "hvbpa", "evaluate", *(str(DEMO / n) for n in ("hv-pri-01.json", "hv-rep-01.json"))],
        capture_output=True, text=True, encoding="utf-8", env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    # The widest line is the table's own border: exactly the width asked for.
    assert _widest(done.stdout) == widest, done.stdout[-600:]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_columns_value_gives_a_usable_width_or_the_default(value: str) -> None:
    from hvbpa.pipeline import WIDEST_TABLE, table_width

    width = table_width(False, {"COLUMNS": value})
    assert width is None or 1 <= width <= WIDEST_TABLE
