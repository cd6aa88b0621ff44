"""`hvbpa scan` against lab hosts over real HTTP, HTTPS and NTLM."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hvbpa.collect.delivery import CMD_LINE_LIMIT, plan_delivery
from hvbpa.collect.script import collection_script
from hvbpa.exit_codes import ExitCode
from hvbpa.lab import CommandFault, HostConfig, RunningFleet
from hvbpa.snapshot.synthetic import host_snapshot, host_snapshot_json, vm_record
from tests.conftest import Invoke, validate_report
from tests.e2e.conftest import LAB_ENV, hosts_by_name, read_report

StartFleet = Callable[..., RunningFleet]

TRANSPORT_ARGS = {
    "basic-http": ["--transport", "basic", "--scheme", "http", "--allow-unencrypted"],
    "ntlm": ["--transport", "ntlm"],
}


def _scan_one(cli: Invoke, running: RunningFleet, tmp_path: Path, *args: str) -> tuple[Any, dict[str, Any]]:
    host = running.hosts[0]
    out = tmp_path / "report.json"
    extra = list(args)
    if host.transport == "basic-https":
        assert host.ca_trust_path
        extra += ["--transport", "basic", "--ca-trust-path", host.ca_trust_path]
    else:
        extra += TRANSPORT_ARGS[host.transport]
    result = cli("scan", f"127.0.0.1:{host.port}", "-o", f"json:{out}", "-q", *extra, env=LAB_ENV)
    return result, read_report(out)


@pytest.mark.parametrize("transport", ["basic-https", "ntlm", "basic-http"])
def test_scan_each_transport(cli: Invoke, lab_fleet: StartFleet, tmp_path: Path, transport: str) -> None:
    document = host_snapshot("HV-T", 40)
    running = lab_fleet(HostConfig("HV-T", transport=transport, snapshot_text=json.dumps(document)))
    result, report = _scan_one(cli, running, tmp_path)
    validate_report(report)
    (host,) = report["hosts"]
    assert host["status"] == "ok", host["reason"]
    assert host["name"] == "HV-T"
    absent = sorted(v["name"] for v in document["vms"] if v["name"].startswith("absent"))
    (guest,) = [r for r in report["results"] if r["rule_id"] == "HVX003"]
    assert sorted(guest["affected_vms"]) == absent
    assert result.exit_code == (ExitCode.FINDINGS if absent else ExitCode.OK)
    assert host["requests"] == 4  # Create, Command, Receive, Delete


def test_korean_vm_names_arrive_intact(cli: Invoke, lab_fleet: StartFleet, tmp_path: Path) -> None:
    document = host_snapshot("서울-HV", 0)
    document["vms"] = [vm_record("웹서버-01", "0b9f5c9e-52a4-4e5a-9d4c-111111111111", "absent", failover_ip="10.9.0.1")]
    running = lab_fleet(HostConfig("서울-HV", transport="ntlm", snapshot_text=json.dumps(document, ensure_ascii=False)))
    result, report = _scan_one(cli, running, tmp_path)
    assert result.exit_code == ExitCode.FINDINGS
    (guest,) = [r for r in report["results"] if r["rule_id"] == "HVX003"]
    assert guest["affected_vms"] == ["웹서버-01"]
    assert report["hosts"][0]["name"] == "서울-HV"


def test_request_count_does_not_grow_with_vm_count(lab_fleet: StartFleet, cli: Invoke, tmp_path: Path) -> None:
    running = lab_fleet(
        HostConfig("ONE", transport="ntlm", snapshot_text=host_snapshot_json("ONE", 1)),
        HostConfig("BIG", transport="ntlm", snapshot_text=host_snapshot_json("BIG", 1024)),
    )
    ports = [f"127.0.0.1:{h.port}" for h in running.hosts]
    out = tmp_path / "r.json"
    result = cli("scan", *ports, "-q", "-o", f"json:{out}", env=LAB_ENV)
    assert result.exit_code == ExitCode.FINDINGS
    counts = running.request_counts()
    # One Receive carries the 1,024-VM answer: hvbpa asks for Windows Server 2012's 500 KB envelope.
    assert counts["ONE"] == counts["BIG"], counts
    report = read_report(out)
    assert [h["vm_count"] for h in report["hosts"]] == [1, 1024]


def test_collection_script_needs_more_than_cmd_exe_allows() -> None:
    """The real script is delivered on a command line longer than cmd.exe's 8,191
    characters, so it must go straight to CreateProcess; the scans above prove the lab
    (which enforces both limits) runs it."""
    plan = plan_delivery(collection_script())
    assert len(plan.command_line) > CMD_LINE_LIMIT
    assert plan.skip_cmd_shell and plan.stdin is None


def test_script_beyond_the_command_line_goes_over_stdin(lab_fleet: StartFleet) -> None:
    import random

    from hvbpa.collect.host import collect_host
    from hvbpa.collect.settings import ConnectionSettings, Secret
    from hvbpa.lab import build_fleet, start_fleet
    from hvbpa.targets import Target

    rng = random.Random(7)
    # 64 KB of incompressible text: too big for any command line once packed.
    big = "# " + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(64 * 1024)) + "\n"
    assert plan_delivery(big).stdin is not None
    fleet = build_fleet(
        [HostConfig("HV-S", transport="ntlm", snapshot_text=host_snapshot_json("HV-S", 3))], script_text=big
    )
    with start_fleet(fleet, processes=False) as running:
        host = running.hosts[0]
        settings = ConnectionSettings(username="labadmin", password=Secret(LAB_ENV["HVBPA_PASSWORD"]))
        collected = collect_host(Target("HV-S", "127.0.0.1", port=host.port), settings, script=big)
    assert collected.outcome.status.value == "ok", collected.outcome.reason
    assert collected.outcome.requests == 5  # one more: the Send that carries the script


def test_collect_raw_then_replay_and_evaluate(cli: Invoke, lab_fleet: StartFleet, tmp_path: Path) -> None:
    running = lab_fleet(HostConfig("HV-R", transport="ntlm", snapshot_text=host_snapshot_json("HV-R", 12)))
    raw, snap = tmp_path / "hv-r.raw", tmp_path / "hv-r.json"
    target = f"127.0.0.1:{running.hosts[0].port}"
    assert cli("collect", target, "-o", str(raw), "--raw", env=LAB_ENV).exit_code == 0
    assert cli("collect", target, "-o", str(snap), env=LAB_ENV).exit_code == 0
    assert raw.read_bytes().startswith(b"hvbpa:gz64:")
    assert json.loads(snap.read_text("utf-8"))["host"]["name"] == "HV-R"
    # The raw capture evaluates offline and replays through a lab host to the same verdicts.
    offline = cli("evaluate", str(raw), "-o", "json", "--now", "2026-11-25T12:00:00+00:00")
    replayed = lab_fleet(HostConfig("HV-R2", transport="ntlm", raw_output=raw))
    scanned = tmp_path / "scan.json"
    cli("scan", f"127.0.0.1:{replayed.hosts[0].port}", "-q", "-o", f"json:{scanned}", env=LAB_ENV)
    offline_vms = [(v["name"], v["status"]) for v in json.loads(offline.output)["results"][0]["vms"]]
    scanned_vms = [(v["name"], v["status"]) for v in read_report(scanned)["results"][0]["vms"]]
    assert offline_vms == scanned_vms and offline_vms


def test_collect_failure_exits_3(cli: Invoke, lab_fleet: StartFleet, tmp_path: Path) -> None:
    running = lab_fleet(HostConfig("HV-X", transport="ntlm", reject_credentials=True))
    out = tmp_path / "x.json"
    result = cli("collect", f"127.0.0.1:{running.hosts[0].port}", "-o", str(out), env=LAB_ENV)
    assert result.exit_code == ExitCode.INCOMPLETE
    assert "authentication failed: the host rejected the credentials of labadmin (HTTP 401)" in result.output
    assert not out.exists()


FAULTS: list[tuple[HostConfig, str, str]] = [
    (HostConfig("OK", transport="ntlm", snapshot_text=host_snapshot_json("OK", 5)), "ok", ""),
    (HostConfig("REFUSE", transport="ntlm", refuse=True), "unreachable", "connection refused"),
    (HostConfig("BADPASS", transport="ntlm", reject_credentials=True), "auth_failed", "rejected"),
    (
        HostConfig("FAULT", transport="ntlm", fault=CommandFault(2150858843, "The user quota was exceeded.")),
        "winrm_fault",
        "2150858843",
    ),
    (HostConfig("NONJSON", transport="ntlm", output="non-json"), "bad_output", "no snapshot"),
    (HostConfig("TRUNC", transport="ntlm", output="truncated"), "bad_output", "damaged or truncated"),
    # 10 MB of noise before the answer arrives over many Receives and is still found.
    (HostConfig("HUGE", transport="ntlm", output="huge"), "ok", ""),
    (HostConfig("CLIXML", transport="ntlm", output="clixml-error"), "script_failed", "exited with code"),
    (HostConfig("HANG", transport="ntlm", hang=True), "timed_out", ""),
]


def test_every_fault_is_a_host_status_and_the_rest_complete(cli: Invoke, lab_fleet: StartFleet, tmp_path: Path) -> None:
    running = lab_fleet(*(f[0] for f in FAULTS))
    targets = {f"127.0.0.1:{h.port}": h.name for h in running.hosts}
    out = tmp_path / "faults.json"
    result = cli("scan", *targets, "-q", "--timeout", "4s", "--retries", "0", "-o", f"json:{out}", env=LAB_ENV)
    assert result.exit_code == ExitCode.INCOMPLETE
    report = read_report(out)
    validate_report(report)
    by_name = {targets[t]: h for t, h in hosts_by_name(report).items()}
    for config, status, words in FAULTS:
        host = by_name[config.name]
        assert host["status"] == status, (config.name, host["reason"])
        assert words in (host["reason"] or ""), (config.name, host["reason"])
        assert "\n" not in (host["reason"] or "")
    assert by_name["HUGE"]["requests"] > 4
    stats = running.stats()
    assert all(s.get("open_shells", 0) == 0 for s in stats.values()), "every shell was deleted"


def test_output_cap_makes_bad_output(lab_fleet: StartFleet) -> None:
    from hvbpa.collect.host import collect_host
    from hvbpa.collect.settings import ConnectionSettings, Secret
    from hvbpa.targets import Target

    running = lab_fleet(HostConfig("HUGE", transport="ntlm", output="huge"))
    settings = ConnectionSettings(
        username="labadmin", password=Secret(LAB_ENV["HVBPA_PASSWORD"]), max_output_bytes=1024 * 1024
    )
    outcome = collect_host(Target("HUGE", "127.0.0.1", port=running.hosts[0].port), settings).outcome
    assert outcome.status.value == "bad_output"
    assert "exceeds 1 MB" in outcome.reason


def test_failed_hosts_are_listed_in_the_table(cli: Invoke, lab_fleet: StartFleet) -> None:
    running = lab_fleet(
        HostConfig("GOOD", transport="ntlm", snapshot_text=host_snapshot_json("GOOD", 3, mix=False)),
        HostConfig("GONE", transport="ntlm", refuse=True),
    )
    gone = f"127.0.0.1:{running.host('GONE').port}"
    result = cli("scan", *(f"127.0.0.1:{h.port}" for h in running.hosts), "-q", "--retries", "0", env=LAB_ENV)
    assert result.exit_code == ExitCode.INCOMPLETE
    assert "Hosts that could not be scanned" in result.output
    assert gone in result.output and "connection refused" in result.output
    assert result.output.startswith("No findings on the 1 of 2 hosts scanned.")


def test_bare_json_from_a_live_host_is_refused(cli: Invoke, lab_fleet: StartFleet, tmp_path: Path) -> None:
    """A host printing bare JSON through a CP437 console has already lost its Korean names
    ('???-01'): a live answer must carry the markers, so this is bad output, not a snapshot."""
    document = host_snapshot("HV-KR", 0)
    document["vms"] = [vm_record("웹서버-01", "0b9f5c9e-52a4-4e5a-9d4c-222222222222", "healthy")]
    capture = tmp_path / "bare.bin"
    capture.write_bytes(json.dumps(document, ensure_ascii=False).encode("cp437", errors="replace"))
    running = lab_fleet(HostConfig("HV-KR", transport="ntlm", raw_output=capture))
    result, report = _scan_one(cli, running, tmp_path)
    assert result.exit_code == ExitCode.INCOMPLETE
    (host,) = report["hosts"]
    assert host["status"] == "bad_output"
    assert "without the hvbpa markers" in host["reason"]
