"""End-to-end helpers: lab fleets on loopback, scanned through the real CLI and pywinrm."""

from __future__ import annotations

import json
import random
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hvbpa.lab import DEFAULT_PASSWORD, HostConfig, RunningFleet, build_fleet, start_fleet

PASSWORD = DEFAULT_PASSWORD
LAB_ENV = {"HVBPA_PASSWORD": PASSWORD, "HVBPA_USERNAME": "labadmin"}


@pytest.fixture
def lab_fleet() -> Iterator[Any]:
    """Start fleets in this process; every one is stopped after the test."""
    started: list[RunningFleet] = []

    def start(*hosts: HostConfig, processes: bool = False) -> RunningFleet:
        running = start_fleet(build_fleet(hosts), processes=processes)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


def read_report(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return loaded


def hosts_by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {h["target"]: h for h in report["hosts"]}


def _below_ephemeral() -> int:
    """The first port the system hands out by itself (a client's source port, a bind to port 0)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default; Windows and macOS start at 49152


def free_port_pair() -> int:
    """A port whose next port is free too: lab fleets started with --port take consecutive ports.

    Picked below the system's ephemeral range: a port the other test worker's connections get
    from the system could otherwise take it between this check and the lab's own bind (seen
    once in .ci/run: "Address already in use")."""
    top = max(_below_ephemeral(), 21000) - 2
    for _ in range(50):
        port = random.randint(20000, top)
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        return port
    raise AssertionError("no two free ports in a row")
