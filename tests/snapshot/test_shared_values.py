"""Values that repeat across a host's VMs are held once: a large fleet's memory depends on it.

The model shares equal immutable values (service lists, guest data, server names, times,
settings) instead of keeping the copy each VM's JSON decodes to. Both parsers build the same
model, so both must share; sharing must never change a value.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from hvbpa.snapshot.model import HostSnapshot, Relationship
from hvbpa.snapshot.parse import decode_fast, snapshot_from_data
from hvbpa.snapshot.synthetic import host_snapshot

_SETTINGS = ("frequency_seconds", "auto_resync_start_seconds", "auto_resync_end_seconds", "replica_port")
_TEXTS = ("primary_server", "replica_server", "last_replication_time", "last_test_failover_time")


def _document() -> dict[str, Any]:
    document = host_snapshot("HV01", 40, mix=False)
    # Decoded numbers above 256 are distinct objects unless the model shares them: give every
    # relationship settings that only compare equal, so that an unshared copy shows.
    for vm in document["vms"]:
        for relationship in vm["replication"]["relationships"]:
            relationship.update(frequency_seconds=300, replica_port=8443)
            relationship.update(auto_resync_start_seconds=66_600, auto_resync_end_seconds=21_600)
    return document


_PARSERS: dict[str, Callable[[dict[str, Any]], HostSnapshot | None]] = {
    "msgspec": lambda document: decode_fast(json.dumps(document), "HV01"),
    # Through JSON, as a saved file is read: each number and text its own object, as decoded.
    "checked": lambda document: snapshot_from_data(json.loads(json.dumps(document)), "HV01", fast_path=False),
}


def _relationships(snapshot: HostSnapshot) -> list[Relationship]:
    return [relationship for vm in snapshot.vms for relationship in vm.replication.relationships]


@pytest.fixture(params=sorted(_PARSERS))
def parsed(request: pytest.FixtureRequest) -> tuple[dict[str, Any], HostSnapshot]:
    """The document and its snapshot, from each parser."""
    document = _document()
    snapshot = _PARSERS[request.param](document)
    assert snapshot is not None
    return document, snapshot


def test_repeated_settings_and_texts_are_one_object_each(parsed: tuple[dict[str, Any], HostSnapshot]) -> None:
    _, snapshot = parsed
    relationships = _relationships(snapshot)
    assert len(relationships) >= 40
    for field in _SETTINGS + _TEXTS:
        values = [getattr(relationship, field) for relationship in relationships]
        assert None not in values, field
        for value in set(values):
            held = {id(item) for item in values if item == value}
            assert len(held) == 1, f"{field}={value!r} is held {len(held)} times"
    vms = snapshot.vms
    assert len({id(vm.integration_services) for vm in vms}) < len(vms)


def test_sharing_keeps_every_value(parsed: tuple[dict[str, Any], HostSnapshot]) -> None:
    document, snapshot = parsed
    got = _relationships(snapshot)
    expected = [relationship for vm in document["vms"] for relationship in vm["replication"]["relationships"]]
    assert [(r.frequency_seconds, r.replica_port) for r in got] == [(300, 8443)] * len(expected)
    for relationship, source in zip(got, expected, strict=True):
        for field in _SETTINGS + _TEXTS:
            assert getattr(relationship, field) == source[field], field
