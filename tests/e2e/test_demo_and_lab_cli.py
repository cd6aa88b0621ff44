"""`hvbpa demo` and `hvbpa lab serve`, each through the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from hvbpa.exit_codes import ExitCode
from tests.conftest import Invoke, validate_report
from tests.e2e.conftest import LAB_ENV


def test_demo_runs_as_designed(cli: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "demo.json"
    result = cli("demo", "-q", "-o", "table", "-o", f"json:{out}")
    assert result.exit_code == ExitCode.OK, result.output
    assert "ran as designed" in result.output
    assert "HV-DR-03" in result.output and "connection refused" in result.output
    report = json.loads(out.read_text("utf-8"))
    validate_report(report)
    statuses = {h["name"]: h["status"] for h in report["hosts"]}
    assert statuses == {"HV-PRI-01": "ok", "HV-REP-01": "ok", "HV-DR-03": "unreachable"}
    names = {vm["name"] for r in report["results"] for vm in r["vms"]}
    assert any(any("\uac00" <= ch <= "\ud7a3" for ch in name) for name in names), "Korean VM names survive"
    assert any(vm["inferred_from"] for r in report["results"] for vm in r["vms"])
    # The demo reports the scan's real exit code in the document.
    assert report["run"]["exit_code"] == ExitCode.INCOMPLETE
    # Every shipped rule shows at least one finding, on a VM or, for host-level rules, on a host.
    found = {r["rule_id"] for r in report["results"] if r["status"] == "noncompliant"}
    assert found == {r["id"] for r in report["rules"]} and len(found) == 13
    host_level = {r["rule_id"] for r in report["results"] if r["scope"] == "host" and r["status"] == "noncompliant"}
    assert host_level == {"HVR002", "HVR003", "HVR004", "HVR008", "HVX002"}


def test_lab_serve_then_scan_its_inventory(tmp_path: Path) -> None:
    """The demo fleet mixes NTLM and Basic over HTTPS: the inventory carries each host's transport and CA."""
    hosts = tmp_path / "hosts.txt"
    inventory = tmp_path / "inventory.ini"
    env = {**os.environ, **LAB_ENV, "NO_COLOR": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "hvbpa", "lab", "serve", "--hosts-out", str(hosts), "--inventory-out", str(inventory)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while not inventory.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert hosts.exists(), "lab serve wrote no hosts file"
        scan = subprocess.run(
            [sys.executable, "-m", "hvbpa", "scan", "-i", str(inventory), "-q", "-o", "json", "--retries", "0"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert scan.returncode == ExitCode.INCOMPLETE, scan.stderr
        report = json.loads(scan.stdout)
        assert {h["target"]: h["status"] for h in report["hosts"]} == {
            "HV-PRI-01": "ok",
            "HV-REP-01": "ok",
            "HV-DR-03": "unreachable",
        }
        assert len(hosts.read_text("utf-8").split("127.0.0.1:")) == 4
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=20)
    assert server.returncode == 0, output
    assert "labadmin" in output
