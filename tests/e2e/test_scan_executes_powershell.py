"""`hvbpa scan` against lab hosts that run the delivered command in real PowerShell with
the Hyper-V stand-ins: client -> WinRM -> bootstrap -> collect.ps1 -> parse -> evaluate,
nothing canned but Hyper-V itself. The verdicts must be those of the same hosts answering
with canned snapshots."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from hvbpa.collect import ConnectionSettings, Secret, collect_host, collection_script
from hvbpa.collect.delivery import CREATE_PROCESS_LIMIT, plan_delivery
from hvbpa.lab import HostConfig, LabError, RunningFleet, build_fleet, demo_fleet_path, load_fleet, start_fleet
from hvbpa.snapshot import HostStatus
from hvbpa.snapshot.synthetic import vm_record
from hvbpa.targets import Target
from tests.conftest import Invoke, validate_report
from tests.e2e.conftest import LAB_ENV, PASSWORD, read_report
from tests.powershell.conftest import require_powershell

StartFleet = Callable[..., RunningFleet]


@pytest.fixture(autouse=True)
def _powershell() -> None:
    require_powershell()


def _scan(cli: Invoke, running: RunningFleet, tmp_path: Path, name: str) -> dict[str, Any]:
    out = tmp_path / f"{name}.json"
    targets = [f"127.0.0.1:{h.port}" for h in running.hosts]
    cli("scan", *targets, "-o", f"json:{out}", "-q", "--transport", "ntlm", env=LAB_ENV)
    report = read_report(out)
    validate_report(report)
    return report


def _verdicts(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Every rule's verdicts, those measured at collection time (lag, certificate expiry, the
    last test failover's age) included: the stand-ins move the snapshot's moments with the
    collection time, so the canned 2024 snapshots and the script run now judge alike."""
    return sorted(
        (r["rule_id"], vm["host"], vm["name"], vm["status"]) for r in report["results"] for vm in r["vms"]
    ) + sorted((r["rule_id"], r["host"], "(host)", r["status"]) for r in report["results"] if r.get("verdict"))


def _findings(report: dict[str, Any]) -> dict[str, list[str]]:
    """What the admin reads: each rule with a finding and the VMs (or hosts) it lists."""
    found: dict[str, list[str]] = {}
    for r in report["results"]:
        names = [vm["name"] for vm in r["vms"] if vm["status"] == "noncompliant"]
        if r.get("verdict") and r["status"] == "noncompliant":
            names.append(r["host"])
        if names:
            found.setdefault(r["rule_id"], []).extend(names)
    return {rule: sorted(names) for rule, names in found.items()}


def test_demo_fleet_in_powershell_judges_like_canned(
    cli: Invoke, tmp_path: Path, counted: Callable[[int], None]
) -> None:
    demo = load_fleet(demo_fleet_path()).hosts
    hosts = [replace(h, transport="ntlm", port=0) for h in demo if h.snapshot is not None and not h.refuse]
    assert len(hosts) >= 2
    with start_fleet(build_fleet(hosts), processes=False) as canned:
        expected = _scan(cli, canned, tmp_path, "canned")
    executed = [replace(h, execute="powershell") for h in hosts]
    with start_fleet(build_fleet(executed), processes=False) as running:
        report = _scan(cli, running, tmp_path, "powershell")
    assert [h["status"] for h in report["hosts"]] == ["ok"] * len(hosts), report["hosts"]
    assert _verdicts(report) == _verdicts(expected)
    assert _findings(report) == _findings(expected)
    assert "HVX001" in _findings(expected), "the demo fleet has replication falling behind"
    assert [h["vm_count"] for h in report["hosts"]] == [h["vm_count"] for h in expected["hosts"]]
    counted(len(hosts))


def test_korean_names_through_powershell_and_winrm(
    cli: Invoke, lab_fleet: StartFleet, tmp_path: Path, counted: Callable[[int], None]
) -> None:
    document = json.loads((demo_fleet_path().parent / "hv-pri-01.json").read_text("utf-8"))
    document["host"]["name"] = "서울-HV"
    document["vms"] = [vm_record("웹서버-01", "0b9f5c9e-52a4-4e5a-9d4c-111111111111", "absent", failover_ip="10.9.0.1")]
    running = lab_fleet(
        HostConfig("서울-HV", transport="ntlm", execute="powershell", snapshot_text=json.dumps(document))
    )
    report = _scan(cli, running, tmp_path, "korean")
    assert report["hosts"][0]["name"] == "서울-HV"
    (guest,) = [r for r in report["results"] if r["rule_id"] == "HVX003"]
    assert guest["affected_vms"] == ["웹서버-01"]
    counted(1)


def test_stdin_delivery_end_to_end(lab_fleet: StartFleet, counted: Callable[[int], None]) -> None:
    """A script too long for the command line goes on stdin (console_mode_stdin=False)."""
    rng = random.Random(13)
    padding = "".join(f"# {rng.getrandbits(256):064x}\n" for _ in range(800))  # incompressible
    script = padding + collection_script()
    plan = plan_delivery(script)
    assert plan.stdin is not None and len(plan_delivery(script, limit=10**9).command_line) >= CREATE_PROCESS_LIMIT
    document = json.loads((demo_fleet_path().parent / "hv-pri-01.json").read_text("utf-8"))
    host = HostConfig("HV-STDIN", transport="ntlm", execute="powershell", snapshot_text=json.dumps(document))
    running = start_fleet(build_fleet([host], script_text=script), processes=False)
    try:
        endpoint = running.hosts[0]
        settings = ConnectionSettings(transport="ntlm", username="labadmin", password=Secret(PASSWORD))
        target = Target(name="HV-STDIN", address="127.0.0.1", port=endpoint.port, scheme="http")
        outcome = collect_host(target, settings, script=script).outcome
        assert outcome.status is HostStatus.OK, outcome.reason
        assert outcome.snapshot is not None and len(outcome.snapshot.vms) == len(document["vms"])
        stats = running.stats()["HV-STDIN"]
        assert stats["by_action"].get("Send") == 1
        assert stats["pipe_stdin_commands"] == 1  # console_mode_stdin=False
    finally:
        running.stop()
    counted(1)


def test_powershell_required_but_missing_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from hvbpa.lab import executed

    monkeypatch.setattr(executed, "_located", lambda: (None, "no PowerShell: set $HVBPA_PWSH"))
    host = HostConfig("HV-NONE", execute="powershell")
    with pytest.raises(LabError, match=r"^HV-NONE: execute = 'powershell' but no PowerShell"):
        start_fleet(build_fleet([host]), processes=False)
    # auto falls back to canned answers.
    with start_fleet(build_fleet([replace(host, execute="auto")]), processes=False) as running:
        assert running.hosts[0].port


def test_lab_serve_powershell_option(tmp_path: Path, counted: Callable[[int], None]) -> None:
    """`hvbpa lab serve --powershell`: every host of the demo fleet runs the real script."""
    hosts = tmp_path / "hosts.txt"
    inventory = tmp_path / "inventory.ini"
    env = {**os.environ, **LAB_ENV, "NO_COLOR": "1"}
    command = [sys.executable, "-m", "hvbpa", "lab", "serve", "--powershell", "--inventory-out", str(inventory)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        deadline = time.monotonic() + 30
        while not inventory.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        scan = subprocess.run(
            [sys.executable, "-m", "hvbpa", "scan", "-i", str(inventory), "-q", "-o", "json", "--retries", "0"],
            capture_output=True,
            text=True,
            env=env,
            timeout=90,
        )
        report = json.loads(scan.stdout)
        statuses = {h["target"]: h["status"] for h in report["hosts"]}
        wanted = {"HV-PRI-01": "ok", "HV-REP-01": "ok", "HV-DR-02": "ok", "HV-DR-03": "unreachable"}
        assert statuses == wanted, report["hosts"]
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=20)
    assert server.returncode == 0, output
    assert "collect.ps1 runs in PowerShell (Hyper-V stand-ins) on: HV-PRI-01, HV-REP-01" in output
    assert not hosts.exists()
    counted(2)
