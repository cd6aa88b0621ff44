"""Many hosts at once, against lab hosts running in separate processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hvbpa.exit_codes import ExitCode
from hvbpa.lab import CommandFault, HostConfig, RunningFleet
from hvbpa.snapshot.synthetic import host_snapshot_json
from tests.conftest import Invoke, validate_report
from tests.e2e.conftest import LAB_ENV, read_report

StartFleet = Callable[..., RunningFleet]
BASIC_HTTP = ["--transport", "basic", "--scheme", "http", "--allow-unencrypted"]


def _fault(index: int) -> tuple[HostConfig, str]:
    name = f"HV{index:02d}"
    kinds = [
        (HostConfig(name, refuse=True), "unreachable"),
        (HostConfig(name, reject_credentials=True), "auth_failed"),
        (HostConfig(name, fault=CommandFault(2150858843, "quota")), "winrm_fault"),
        (HostConfig(name, output="non-json"), "bad_output"),
        (HostConfig(name, output="clixml-error"), "script_failed"),
    ]
    if index % 5 == 0:
        return kinds[(index // 5) % len(kinds)]
    return HostConfig(name, snapshot_text=host_snapshot_json(name, 20)), "ok"


@pytest.mark.parametrize("processes", ["1", "2"])
def test_fifty_hosts_with_mixed_faults(cli: Invoke, lab_fleet: StartFleet, tmp_path: Path, processes: str) -> None:
    plan = [_fault(i) for i in range(50)]
    running = lab_fleet(*(config for config, _ in plan), processes=True)
    targets = {f"127.0.0.1:{h.port}": h.name for h in running.hosts}
    out = tmp_path / "fleet.json"
    result = cli(
        "scan", *targets, "-q", "-j", "16", "--processes", processes, "--retries", "0", "-o", f"json:{out}",
        *BASIC_HTTP, env=LAB_ENV,
    )  # fmt: skip
    assert result.exit_code == ExitCode.INCOMPLETE
    report = read_report(out)
    validate_report(report)
    got = {targets[h["target"]]: h["status"] for h in report["hosts"]}
    assert got == {config.name: status for config, status in plan}
    assert report["summary"]["hosts_ok"] == 40
    assert sum(1 for r in report["results"] if r["status"] == "noncompliant") > 0


def _timed_scan(cli: Invoke, running: RunningFleet, jobs: int) -> float:
    started = time.monotonic()
    result = cli(
        "scan",
        *(f"127.0.0.1:{h.port}" for h in running.hosts),
        "-q",
        "-j",
        str(jobs),
        *BASIC_HTTP,
        "-o",
        "json:/dev/null",
        env=LAB_ENV,
    )
    assert result.exit_code in (ExitCode.OK, ExitCode.FINDINGS), result.output
    return time.monotonic() - started


def test_hosts_really_overlap(cli: Invoke, lab_fleet: StartFleet) -> None:
    """20 hosts at 0.5 s a request take a small fraction of 20 single-host scans."""
    hosts = [HostConfig(f"L{i:02d}", latency=0.5, snapshot_text=host_snapshot_json(f"L{i:02d}", 5)) for i in range(20)]
    running = lab_fleet(*hosts, processes=True)

    one = _timed_scan(cli, _only(running, 1), 1)  # type: ignore[arg-type]
    twenty = _timed_scan(cli, running, 20)
    assert one >= 4 * 0.5  # four requests, each slowed by the lab
    assert twenty < 0.25 * 20 * one, (one, twenty)


class _only:
    """A view of the first ``n`` hosts of a running fleet."""

    def __init__(self, running: RunningFleet, n: int) -> None:
        self.hosts = running.hosts[:n]


@pytest.mark.parametrize("processes", ["1", "2"])
def test_ctrl_c_stops_promptly_reports_and_deletes_shells(
    lab_fleet: StartFleet, tmp_path: Path, processes: str
) -> None:
    hosts = [HostConfig("FAST", snapshot_text=host_snapshot_json("FAST", 3, mix=False))]
    hosts += [HostConfig(f"SLOW{i}", slow_command=600.0) for i in range(3)]
    running = lab_fleet(*hosts, processes=True)
    out = tmp_path / "interrupted.json"
    env = {**os.environ, **LAB_ENV}
    scan = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hvbpa",
            "scan",
            *(f"127.0.0.1:{h.port}" for h in running.hosts),
            "-q",
            "--operation-timeout",
            "1",
            "--processes",
            processes,
            "-o",
            f"json:{out}",
            *BASIC_HTTP,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        stats = running.stats()
        # FAST finished (its shell deleted after its four requests): the signal must not race it.
        fast_done = stats["FAST"].get("requests", 0) >= 4 and stats["FAST"].get("open_shells", 0) == 0
        if fast_done and sum(stats[f"SLOW{i}"].get("open_shells", 0) for i in range(3)) == 3:
            break
        time.sleep(0.1)
    else:
        scan.kill()
        raise AssertionError("the slow hosts never started their commands")
    sent = time.monotonic()
    scan.send_signal(signal.SIGINT)
    _, stderr = scan.communicate(timeout=30)
    took = time.monotonic() - sent
    assert scan.returncode == ExitCode.INTERRUPTED, stderr
    assert took < 6, took
    assert "interrupted" in stderr and "Traceback" not in stderr
    report = json.loads(out.read_text("utf-8"))
    statuses = {h["target"]: h["status"] for h in report["hosts"]}
    assert statuses[f"127.0.0.1:{running.host('FAST').port}"] == "ok"
    assert sorted(statuses.values()) == ["interrupted", "interrupted", "interrupted", "ok"]
    time.sleep(0.5)
    assert all(s.get("open_shells", 0) == 0 for s in running.stats().values()), running.stats()
