"""Lab test helpers: start hosts in this process, talk to them with pywinrm."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from winrm.exceptions import WinRMOperationTimeoutError
from winrm.protocol import Protocol

from hvbpa.collect import delivery
from hvbpa.lab import HostConfig, HostEndpoint, RunningFleet, build_fleet, minimal_snapshot, start_fleet

# Stands in for collect.ps1: the lab recognises whatever the fleet names as the script.
TEST_SCRIPT = "# hvbpa test collection script\r\nHyper-V\\Get-VM | ConvertTo-Json -Depth 5\r\n"


def protocol(host: HostEndpoint, **overrides: Any) -> Protocol:
    kwargs = host.protocol_kwargs()
    kwargs.setdefault("operation_timeout_sec", 5)
    kwargs.setdefault("read_timeout_sec", 10)
    kwargs.update(overrides)
    return Protocol(**kwargs)


@dataclass
class Output:
    stdout: bytes
    stderr: bytes
    exit_code: int
    receives: int
    timeouts: int


def receive_all(p: Protocol, shell_id: str, command_id: str, max_timeouts: int = 50) -> Output:
    """pywinrm's get_command_output, counting Receives and operation timeouts."""
    out, err, receives, timeouts = [], [], 0, 0
    while True:
        try:
            stdout, stderr, code, done = p.get_command_output_raw(shell_id, command_id)
        except WinRMOperationTimeoutError:
            timeouts += 1
            assert timeouts <= max_timeouts
            continue
        receives += 1
        out.append(stdout)
        err.append(stderr)
        if done:
            return Output(b"".join(out), b"".join(err), code, receives, timeouts)


def run_collection(p: Protocol, script: str = TEST_SCRIPT, *, codepage: int = 65001) -> Output:
    """Deliver ``script`` the way hvbpa does (delivery.plan_delivery) and collect its output."""
    plan = delivery.plan_delivery(script)
    shell_id = p.open_shell(codepage=codepage)
    try:
        command_id = p.run_command(shell_id, plan.command, plan.arguments, skip_cmd_shell=plan.skip_cmd_shell)
        if plan.stdin is not None:
            p.send_command_input(shell_id, command_id, plan.stdin, end=True)
        output = receive_all(p, shell_id, command_id)
        p.cleanup_command(shell_id, command_id)
        return output
    finally:
        p.close_shell(shell_id)


def snapshot_text(name: str = "HV-LAB-01") -> str:
    return json.dumps(minimal_snapshot(name), ensure_ascii=False)


StartLab = Callable[..., RunningFleet]


@pytest.fixture
def start_lab() -> Iterator[StartLab]:
    """Start in-process hosts: ``start_lab(HostConfig(...), ...)``; all stop after the test."""
    running: list[RunningFleet] = []

    def start(*hosts: HostConfig, script_text: str | None = TEST_SCRIPT) -> RunningFleet:
        fleet = start_fleet(build_fleet(hosts, script_text=script_text), processes=False)
        running.append(fleet)
        return fleet

    yield start
    for fleet in running:
        fleet.stop()
