"""Input at fault is exit 2 in one line, never exit 4 (issue 20's probes): huge integers in a
snapshot, times no report can write, a symbolic link loop; and a named pipe as a destination
gets the report instead of hanging."""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hvbpa.durations import parse_moment
from hvbpa.exit_codes import ExitCode
from hvbpa.snapshot.synthetic import host_snapshot, host_snapshot_json
from tests.conftest import Invoke

pytestmark = pytest.mark.timeout(60)


def _one_line_usage_error(result: object, *words: str) -> None:
    from click.testing import Result

    assert isinstance(result, Result)
    assert result.exit_code == ExitCode.USAGE, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hvbpa: error: "), result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    for word in words:
        assert word in result.output


def test_a_400_digit_uptime_is_refused(cli: Invoke, tmp_path: Path) -> None:
    document = host_snapshot("H", 1)
    document["vms"][0]["uptime_seconds"] = int("9" * 400)
    path = tmp_path / "big.json"
    path.write_text(json.dumps(document), "utf-8")
    _one_line_usage_error(cli("evaluate", str(path)), "vms[0].uptime_seconds", "too large")


@pytest.mark.parametrize("fmt", ["sarif", "junit", "json"])
@pytest.mark.parametrize("now", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
def test_now_out_of_any_reports_range(cli: Invoke, tmp_path: Path, fmt: str, now: str) -> None:
    snapshot = tmp_path / "s.json"
    snapshot.write_text(host_snapshot_json("H", 1), "utf-8")
    result = cli("evaluate", str(snapshot), "--now", now, "-o", f"{fmt}:{tmp_path / 'out'}")
    _one_line_usage_error(result, "--now", "out of range")


@pytest.mark.parametrize("started", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
@pytest.mark.parametrize("fmt", ["sarif", "junit"])
def test_report_merge_of_times_no_report_can_write(cli: Invoke, tmp_path: Path, started: str, fmt: str) -> None:
    snapshot = tmp_path / "s.json"
    snapshot.write_text(host_snapshot_json("H", 1), "utf-8")
    report = tmp_path / "r.json"
    cli("evaluate", str(snapshot), "-q", "-o", f"json:{report}")
    document = json.loads(report.read_text("utf-8"))
    document["run"]["started"] = started
    report.write_text(json.dumps(document), "utf-8")
    result = cli("report", "merge", str(report), "-o", f"{fmt}:{tmp_path / 'merged'}")
    _one_line_usage_error(result, "run.started", "out of range")


def test_a_symbolic_link_loop_as_destination(cli: Invoke, tmp_path: Path) -> None:
    snapshot = tmp_path / "s.json"
    snapshot.write_text(host_snapshot_json("H", 1), "utf-8")
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    _one_line_usage_error(cli("evaluate", str(snapshot), "-o", f"json:{tmp_path / 'a'}"), "loops")


def test_a_named_pipe_gets_the_report(cli: Invoke, tmp_path: Path) -> None:
    """The check before the run must not open the pipe: its reader would see the end and leave,
    and the report's write would wait for ever."""
    snapshot = tmp_path / "s.json"
    snapshot.write_text(host_snapshot_json("H", 1), "utf-8")
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []

    def read() -> None:
        # Like `cat pipe`: one open, read to the end.
        with pipe.open("rb") as handle:
            received.append(handle.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = cli("evaluate", str(snapshot), "-q", "-o", f"json:{pipe}")
    reader.join(timeout=10)
    assert result.exit_code in (ExitCode.OK, ExitCode.FINDINGS), result.output
    assert received and json.loads(received[0])["schema"] == "hvbpa.report/2"


@settings(max_examples=300, deadline=None)
@given(st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))])))
def test_a_moment_is_refused_or_every_report_can_write_it(moment: datetime) -> None:
    try:
        parsed = parse_moment(moment.isoformat())
    except ValueError as exc:
        assert "out of range" in str(exc)
        return
    utc = parsed.astimezone(UTC)
    for shift in (timedelta(days=-1), timedelta(days=1)):
        (utc + shift).astimezone(timezone(timedelta(hours=14))).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_symbolic_link_destination_is_written_through(cli: Invoke, tmp_path: Path) -> None:
    """README, "Reports for CI and scheduled tasks": the link stays, its target gets the report."""
    snapshot = tmp_path / "s.json"
    snapshot.write_text(host_snapshot_json("H", 1), "utf-8")
    target = tmp_path / "kept" / "report.json"
    target.parent.mkdir()
    target.write_text("old", "utf-8")
    link = tmp_path / "report.json"
    link.symlink_to(target)
    result = cli("evaluate", str(snapshot), "-q", "-o", f"json:{link}")
    assert result.exit_code in (ExitCode.OK, ExitCode.FINDINGS), result.output
    assert link.is_symlink()
    assert json.loads(target.read_text("utf-8"))["schema"] == "hvbpa.report/2"


def test_a_link_into_a_missing_folder_is_refused_before_the_run(cli: Invoke, tmp_path: Path) -> None:
    snapshot = tmp_path / "s.json"
    snapshot.write_text(host_snapshot_json("H", 1), "utf-8")
    link = tmp_path / "report.json"
    link.symlink_to(tmp_path / "nowhere" / "report.json")
    _one_line_usage_error(cli("evaluate", str(snapshot), "-o", f"json:{link}"), "does not exist")
    assert link.is_symlink()
