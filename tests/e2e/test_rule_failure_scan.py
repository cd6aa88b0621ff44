"""`hvbpa scan` against a lab host with a rule whose check raises: the report is still written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from hvbpa.exit_codes import ExitCode
from hvbpa.lab import HostConfig, RunningFleet
from hvbpa.snapshot.synthetic import host_snapshot
from tests.cli.test_rule_failure import broken_rules  # noqa: F401 - the fixture
from tests.conftest import Invoke, validate_report
from tests.e2e.conftest import LAB_ENV, read_report

StartFleet = Callable[..., RunningFleet]


def test_scan_with_a_broken_rule_writes_the_report_and_exits_3(
    cli: Invoke,
    lab_fleet: StartFleet,
    tmp_path: Path,
    broken_rules: Path,  # noqa: F811
) -> None:
    running = lab_fleet(HostConfig("HV-B", transport="ntlm", snapshot_text=json.dumps(host_snapshot("HV-B", 5))))
    out = tmp_path / "report.json"
    host = running.hosts[0]
    result = cli("scan", f"127.0.0.1:{host.port}", "--transport", "ntlm", "--rules-dir", str(broken_rules),
                 "-o", f"json:{out}", env=LAB_ENV)  # fmt: skip
    assert result.exit_code == ExitCode.INCOMPLETE, result.stderr
    report = read_report(out)
    validate_report(report)
    assert [h["status"] for h in report["hosts"]] == ["ok"]
    by_rule = {r["rule_id"]: r for r in report["results"]}
    assert by_rule["HVT900"]["status"] == "undetermined"
    assert by_rule["HVT900"]["reason"]["code"] == "rule-internal-error"
    assert not any(r["reason"] for rule_id, r in by_rule.items() if rule_id != "HVT900")
    (line,) = result.stderr.splitlines()
    assert "HVT900" in line and "Traceback" not in result.stdout + result.stderr
