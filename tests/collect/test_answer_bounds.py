"""What one host can cost is bounded: its answer's inflated size, its strings, its item counts.
A host over a bound is that host's bad_output, naming the bound; the others are collected."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hvbpa.collect import bounds
from hvbpa.collect.bounds import BoundError, check_bounds
from hvbpa.collect.fleet import scan_hosts
from hvbpa.collect.settings import ConnectionSettings, Secret
from hvbpa.lab import DEFAULT_PASSWORD, HostConfig, RunningFleet, build_fleet, start_fleet
from hvbpa.snapshot.synthetic import host_snapshot
from hvbpa.targets import Target


@pytest.fixture
def fleet() -> Iterator[Any]:
    running: list[RunningFleet] = []

    def start(*hosts: HostConfig) -> RunningFleet:
        started = start_fleet(build_fleet(hosts), processes=False)
        running.append(started)
        return started

    yield start
    for started in running:
        started.stop()


def _long_names(count: int, length: int) -> dict[str, Any]:
    document = host_snapshot("LONG", count)
    for vm in document["vms"]:
        vm["name"] = "n" * length
    return document


def _many_errors(count: int) -> dict[str, Any]:
    document = host_snapshot("MANY", 1)
    document["errors"] = [{"section": "vms", "vm_id": None, "message": "m"}] * count
    return document


def test_hosts_over_a_bound_are_bad_output_naming_it(fleet: Any) -> None:
    hosts = {
        "LONG": _long_names(3, bounds.MAX_STRING_CHARS + 1),
        "MANY": _many_errors(bounds.MAX_LIST_ITEMS + 1),
        "FINE": host_snapshot("FINE", 4),
        "EDGE": _long_names(2, bounds.MAX_STRING_CHARS),
    }
    running = fleet(*(HostConfig(name, snapshot_text=json.dumps(doc)) for name, doc in hosts.items()))
    targets = [Target(h.name, "127.0.0.1", port=h.port, transport="basic", scheme="http") for h in running.hosts]
    settings = ConnectionSettings(
        transport="basic", allow_unencrypted=True, username="labadmin", password=Secret(DEFAULT_PASSWORD), retries=0
    )
    outcomes = {c.outcome.target: c.outcome for c in scan_hosts(targets, settings, jobs=4, processes=1)}
    assert outcomes["FINE"].status.value == "ok"
    assert outcomes["EDGE"].status.value == "ok", outcomes["EDGE"].reason
    assert outcomes["LONG"].status.value == "bad_output"
    assert outcomes["LONG"].reason == (
        "the host's answer is larger than one host may send: vms[0].name is a string of 32,768 characters "
        "(at most 32,767)"
    )
    assert outcomes["MANY"].status.value == "bad_output"
    assert outcomes["MANY"].reason == (
        "the host's answer is larger than one host may send: errors has 8,193 items (at most 8,192)"
    )


def test_the_bounds_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    check_bounds(host_snapshot("OK", 8))
    with pytest.raises(BoundError, match=r"^errors\[1\]\.message is a string of 40,000"):
        check_bounds({"errors": [{"message": "ok"}, {"message": "x" * 40_000}]})
    with pytest.raises(BoundError, match=r"^the answer has 9,000 items"):
        check_bounds([0] * 9000)
    monkeypatch.setattr(bounds, "MAX_VALUES", 1000)
    with pytest.raises(BoundError, match="more than 1,000 values"):
        check_bounds({"a": [[0] * 600, [0] * 600]})
    check_bounds({"a": [[0] * 400, [0] * 400]})


def test_a_real_1024_vm_host_is_well_within_every_bound() -> None:
    document = host_snapshot("BIG", 1024)
    text = json.dumps(document)
    assert len(text.encode()) * 4 < bounds.MAX_ANSWER_BYTES
    check_bounds(document)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=8), children, max_size=6),
    max_leaves=60,
)


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES, st.integers(1, 50), st.integers(1, 10), st.integers(1, 80))
@example({"\n": "00"}, 1, 1, 1)  # a key with a line break, named in the one-line reason
def test_any_answer_is_within_the_bounds_or_names_one(data: object, chars: int, items: int, values: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bounds, "MAX_STRING_CHARS", chars)
        patch.setattr(bounds, "MAX_LIST_ITEMS", items)
        patch.setattr(bounds, "MAX_VALUES", values)
        try:
            check_bounds(data)
        except BoundError as exc:
            assert "at most" in str(exc) or "more than" in str(exc)
            assert "\n" not in str(exc)
