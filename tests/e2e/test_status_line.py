"""A run whose reports all go to files still says in one stderr line why it failed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hvbpa.exit_codes import ExitCode
from hvbpa.lab import HostConfig, RunningFleet
from hvbpa.snapshot.synthetic import host_snapshot_json
from tests.conftest import Invoke
from tests.e2e.conftest import LAB_ENV

StartFleet = Callable[..., RunningFleet]
CASES = Path(__file__).resolve().parents[1] / "cases"


def test_scheduled_task_log_explains_exit_3(cli: Invoke, lab_fleet: StartFleet, tmp_path: Path) -> None:
    running = lab_fleet(
        HostConfig("GOOD", transport="ntlm", snapshot_text=host_snapshot_json("GOOD", 3, mix=False)),
        HostConfig("GONE", transport="ntlm", refuse=True),
    )
    hosts = [f"127.0.0.1:{h.port}" for h in running.hosts]
    report = tmp_path / "report.json"
    result = cli(
        "scan", *hosts, "--retries", "0", "-o", f"json:{report}", "-o", f"csv:{tmp_path / 'r.csv'}", env=LAB_ENV
    )
    assert result.exit_code == ExitCode.INCOMPLETE
    port = running.host("GONE").port
    assert result.stderr == (
        f"hvbpa: 1 of 2 hosts not scanned (127.0.0.1:{port}: connection refused on port {port}); see {report}\n"
    )
    quiet = cli("scan", *hosts, "-q", "--retries", "0", "-o", f"json:{report}", env=LAB_ENV)
    assert quiet.exit_code == ExitCode.INCOMPLETE and quiet.stderr == ""
    on_stdout = cli("scan", *hosts, "--retries", "0", "-o", "json", env=LAB_ENV)
    assert on_stdout.stderr == "", "the report on stdout says it all"


def test_findings_in_files_give_one_line_and_report_merge_has_quiet(cli: Invoke, tmp_path: Path) -> None:
    snapshot = next(CASES.glob("absent-with-failover-ip/*.json"))
    out = tmp_path / "r.sarif"
    result = cli("evaluate", str(snapshot), "-o", f"sarif:{out}", "--now", "2026-11-25T12:00:00+00:00")
    assert result.exit_code == ExitCode.FINDINGS
    assert result.stderr.startswith("hvbpa: findings at or above warning on ") and result.stderr.endswith(
        f"see {out}\n"
    )
    saved = tmp_path / "r.json"
    cli("evaluate", str(snapshot), "-q", "-o", f"json:{saved}", "--now", "2026-11-25T12:00:00+00:00")
    merged = cli("report", "merge", str(saved), "-q", "-o", f"csv:{tmp_path / 'm.csv'}")
    assert merged.exit_code == ExitCode.FINDINGS and merged.stderr == ""
