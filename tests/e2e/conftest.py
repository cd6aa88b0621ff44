"""End-to-end helpers: lab fleets on loopback, scanned through the real CLI and pywinrm."""

from __future__ import annotations

import json
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
