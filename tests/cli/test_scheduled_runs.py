"""A scheduled run that fails still says so in its JSON report: a monitor never reads yesterday's
report as today's (README, "Scheduled runs")."""

from __future__ import annotations

import json
import socket
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hvbpa.exit_codes import ExitCode
from tests.conftest import Invoke, validate_report

YESTERDAY = '{"schema": "hvbpa.report/2", "run": {"started": "2000-01-01T00:00:00+00:00"}}'


def _report(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return loaded


def _fresh(report: dict[str, Any]) -> bool:
    started = datetime.fromisoformat(report["run"]["started"])
    return abs(datetime.now(UTC) - started) < timedelta(minutes=5)


def test_bad_input_replaces_the_json_report_with_one_that_says_so(cli: Invoke, tmp_path: Path) -> None:
    hosts = tmp_path / "hosts.txt"
    hosts.write_text("hv01 transport=carrier-pigeon\n", encoding="utf-8")
    json_path, sarif_path = tmp_path / "report.json", tmp_path / "report.sarif"
    json_path.write_text(YESTERDAY, encoding="utf-8")
    sarif_path.write_text("yesterday's SARIF", encoding="utf-8")
    result = cli("scan", "--hosts-file", str(hosts), "-q", "-o", f"json:{json_path}", "-o", f"sarif:{sarif_path}")
    assert result.exit_code == ExitCode.USAGE
    (line,) = result.stderr.splitlines()
    report = _report(json_path)
    validate_report(report)
    assert report["run"]["exit_code"] == ExitCode.USAGE and _fresh(report)
    assert report["run"]["error"] in line and "carrier-pigeon" in report["run"]["error"]
    assert report["hosts"] == [] and report["results"] == [] and report["summary"]["hosts"] == 0
    # Only the JSON: a CI job publishes no SARIF or JUnit from a run without results.
    assert sarif_path.read_text("utf-8") == "yesterday's SARIF"


@pytest.mark.parametrize("option", ["--hosts-file", "--inventory"])
def test_a_task_started_in_another_folder_says_so_in_its_report(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str
) -> None:
    """Task Scheduler starts in C:\\Windows\\System32 unless told: a relative hosts file or inventory
    is then missing. That is the likeliest scheduled failure; it must leave the report, naming the folder."""
    monkeypatch.chdir(tmp_path)
    json_path = tmp_path / "out" / "report.json"
    json_path.parent.mkdir()
    json_path.write_text(YESTERDAY, encoding="utf-8")
    result = cli("scan", option, "hosts.txt", "-q", "-o", f"json:{json_path}")
    assert result.exit_code == ExitCode.USAGE
    (line,) = result.stderr.splitlines()
    assert line == f"hvbpa: error: hosts.txt: cannot read: No such file or directory (the working folder is {tmp_path})"
    report = _report(json_path)
    validate_report(report)
    assert report["run"]["exit_code"] == ExitCode.USAGE and _fresh(report)
    assert report["run"]["error"] in line and "working folder" in report["run"]["error"]


def test_no_console_to_ask_for_the_password_is_in_the_report(cli: Invoke, tmp_path: Path) -> None:
    json_path = tmp_path / "report.json"
    result = cli("scan", "127.0.0.1:5985", "-u", "labadmin", "-q", "-o", f"json:{json_path}")
    assert result.exit_code == ExitCode.USAGE
    report = _report(json_path)
    validate_report(report)
    assert report["run"]["exit_code"] == ExitCode.USAGE and "HVBPA_PASSWORD" in report["run"]["error"]


def test_a_destination_that_is_an_input_is_never_written(cli: Invoke, tmp_path: Path) -> None:
    hosts = tmp_path / "hosts.txt"
    hosts.write_text("hv01\n", encoding="utf-8")
    result = cli("scan", "--hosts-file", str(hosts), "-o", f"json:{hosts}")
    assert result.exit_code == ExitCode.USAGE
    assert hosts.read_text("utf-8") == "hv01\n"


def test_an_unwritable_destination_is_the_error_and_nothing_is_written(cli: Invoke, tmp_path: Path) -> None:
    json_path = tmp_path / "report.json"
    json_path.write_text(YESTERDAY, encoding="utf-8")
    missing = tmp_path / "no such folder" / "report.json"
    result = cli("scan", "hv01", "-o", f"json:{json_path}", "-o", f"json:{missing}")
    assert result.exit_code == ExitCode.USAGE and "no such folder" in result.stderr
    # Both JSON files or neither: the one that can be written is not.
    assert json_path.read_text("utf-8") == YESTERDAY


def test_an_unreachable_host_is_a_full_report_with_exit_3(cli: Invoke, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    json_path = tmp_path / "report.json"
    json_path.write_text(YESTERDAY, encoding="utf-8")
    result = cli(
        "scan", f"127.0.0.1:{port}", "--transport", "basic", "--scheme", "http", "--allow-unencrypted",
        "--retries", "0", "-q", "-o", f"json:{json_path}", env={"HVBPA_USERNAME": "u", "HVBPA_PASSWORD": "p"},
    )  # fmt: skip
    assert result.exit_code == ExitCode.INCOMPLETE
    report = _report(json_path)
    validate_report(report)
    assert report["run"]["exit_code"] == ExitCode.INCOMPLETE and _fresh(report) and "error" not in report["run"]
    assert [h["status"] for h in report["hosts"]] == ["unreachable"]


def test_a_bug_before_the_scan_is_exit_4_in_the_report(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hvbpa.cli.scan_commands as scan_commands

    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(scan_commands, "collect_targets", broken)
    # The traceback file goes to the test's folder, not the machine's temporary one.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    json_path = tmp_path / "report.json"
    result = cli("scan", "hv01", "-q", "-o", f"json:{json_path}")
    assert result.exit_code == ExitCode.INTERNAL
    report = _report(json_path)
    validate_report(report)
    assert report["run"]["exit_code"] == ExitCode.INTERNAL and "RuntimeError" in report["run"]["error"]
