"""Envelopes as real Windows hosts send them, replayed to the client over the lab's real HTTP.

Each file in ``replays/`` is one exchange (hvbpa's own fixtures, modelled on the shapes and
codes of envelopes recorded from real hosts) and the outcome it must give: pywinrm and
hvbpa's client read the answers off the wire, as from a host; nothing is mocked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from hvbpa.collect.host import collect_host
from hvbpa.collect.settings import ConnectionSettings, Secret
from hvbpa.lab import DEFAULT_PASSWORD, HostConfig, RunningFleet, build_fleet, start_fleet
from hvbpa.targets import Target

REPLAYS = Path(__file__).parent / "replays"
FILES = sorted(REPLAYS.glob("*.yml"))


@pytest.fixture
def replayed() -> Iterator[Any]:
    running: list[RunningFleet] = []

    def start(path: Path) -> RunningFleet:
        fleet = start_fleet(build_fleet([HostConfig("HV-REPLAY-01", replay=path)]), processes=False)
        running.append(fleet)
        return fleet

    yield start
    for fleet in running:
        fleet.stop()


def _settings(**changes: Any) -> ConnectionSettings:
    base = ConnectionSettings(
        transport="basic",
        scheme="http",
        allow_unencrypted=True,
        username="labadmin",
        password=Secret(DEFAULT_PASSWORD),
        retry_backoff=0.01,
    )
    return replace(base, **changes)


def test_there_are_replays() -> None:
    assert len(FILES) >= 8


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_replayed_exchange_gives_its_outcome(replayed: Any, path: Path) -> None:
    expect = yaml.safe_load(path.read_text("utf-8"))["expect"]
    running = replayed(path)
    target = Target("HV-REPLAY-01", "127.0.0.1", port=running.hosts[0].port)
    outcome = collect_host(target, _settings()).outcome
    assert (outcome.status.value, outcome.reason) == (expect["status"], expect["reason"])
    if outcome.status.value == "ok":
        assert outcome.snapshot is not None and outcome.snapshot.host.name == "HV-REPLAY-01"
    stats = running.stats()["HV-REPLAY-01"]
    assert (stats["replay_left"], stats["replay_mismatches"]) == (0, 0), "the client sent what a host expects"


def test_a_request_the_replay_does_not_expect_is_a_fault(replayed: Any) -> None:
    """The replay checks the client: here it expects Create and gets nothing more after it."""
    running = replayed(REPLAYS / "quota-exceeded-wmi-error.yml")
    target = Target("HV-REPLAY-01", "127.0.0.1", port=running.hosts[0].port)
    collect_host(target, _settings())
    second = collect_host(target, _settings()).outcome
    assert second.status.value == "winrm_fault"
    assert "The lab's replay expected nothing more, and the client sent Create" in second.reason
    assert running.stats()["HV-REPLAY-01"]["replay_mismatches"] == 1
