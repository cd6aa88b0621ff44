"""The replication sections of a snapshot (issue 14): the Replica server, its authorization
entries and certificate, cluster resources, per-relationship settings and checkpoints.

Examples for the shapes hosts write, and property tests: for any document the generators
produce, the published schema and the checked parser agree, and the fast path builds
what the checked parser builds.
"""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvbpa.snapshot import dump_snapshot
from hvbpa.snapshot import fastpath as snapshot_fastpath
from hvbpa.snapshot.enums import AllowedAuthentication, AuthenticationType, SnapshotType
from hvbpa.snapshot.parse import SnapshotError, parse_snapshot, snapshot_from_data
from hvbpa.snapshot.synthetic import host_snapshot
from tests.conftest import shipped_schema

VALIDATOR = jsonschema.Draft202012Validator(
    shipped_schema("snapshot-v1.schema.json"), format_checker=jsonschema.FormatChecker()
)


def _document() -> dict[str, Any]:
    return host_snapshot("HV-R", 1, mix=False)


def test_old_snapshot_without_the_sections_parses_as_not_collected() -> None:
    document = _document()
    del document["replication_server"], document["cluster_resources"]
    for key in list(document["vms"][0]["replication"]["relationships"][0]):
        if key not in {"type", "mode", "state", "health", "primary_server", "replica_server", "current_replica_server"}:
            del document["vms"][0]["replication"]["relationships"][0][key]
    VALIDATOR.validate(document)
    snapshot = snapshot_from_data(document)
    assert snapshot.replication_server is None
    assert snapshot.cluster_resources is None
    relationship = snapshot.vms[0].replication.relationships[0]
    assert relationship.compression_enabled is None and relationship.frequency_seconds is None
    assert snapshot.vms[0].checkpoints is None


def test_sections_parse_to_values() -> None:
    document = _document()
    broker = {"name": "복제 브로커", "type": "Virtual Machine Replication Broker", "state": "Online"}
    document["cluster_resources"] = [broker]
    document["vms"][0]["checkpoints"] = [{"type": 6, "name": "rp1"}, {"type": "Recovery", "name": None}]
    snapshot = snapshot_from_data(document)
    server = snapshot.replication_server
    assert server is not None and server.enabled is True
    assert server.allowed_authentication is AllowedAuthentication.CERTIFICATE
    assert server.authorization_entries and server.authorization_entries[0].trust_group == "DEFAULT"
    assert server.certificate is not None and server.certificate.has_private_key is True
    assert snapshot.cluster_resources and snapshot.cluster_resources[0].name == "복제 브로커"
    relationship = snapshot.vms[0].replication.relationships[0]
    assert relationship.authentication_type is AuthenticationType.CERTIFICATE
    assert relationship.auto_resync_start_seconds == 66600
    assert [c.type for c in snapshot.vms[0].checkpoints or ()] == [SnapshotType.REPLICA, SnapshotType.RECOVERY]


def test_dump_round_trips() -> None:
    document = _document()
    document["cluster_resources"] = [{"name": "Broker", "type": "Virtual Machine Replication Broker", "state": None}]
    document["vms"][0]["checkpoints"] = []
    snapshot = snapshot_from_data(document)
    dumped = dump_snapshot(snapshot)
    VALIDATOR.validate(dumped)
    assert snapshot_from_data(json.loads(json.dumps(dumped))) == snapshot


BAD: list[tuple[str, Any]] = [
    ("server unknown key", lambda d: d["replication_server"].update(colour=1)),
    ("entry without server", lambda d: d["replication_server"]["authorization_entries"].append({"trust_group": "x"})),
    ("certificate without found", lambda d: d["replication_server"]["certificate"].pop("found")),
    ("certificate bad date", lambda d: d["replication_server"]["certificate"].update(not_after="next week")),
    ("resource without type", lambda d: d.update(cluster_resources=[{"name": "x"}])),
    ("negative frequency", lambda d: _rel(d).update(frequency_seconds=-30)),
    ("window past midnight", lambda d: _rel(d).update(auto_resync_end_seconds=86400)),
    ("compression as text", lambda d: _rel(d).update(compression_enabled="yes")),
    ("last replication not a time", lambda d: _rel(d).update(last_replication_time="yesterday")),
    ("checkpoint without type", lambda d: d["vms"][0].update(checkpoints=[{"name": "x"}])),
    ("unknown auth type", lambda d: _rel(d).update(authentication_type=9)),
]


def _rel(document: dict[str, Any]) -> dict[str, Any]:
    relationship: dict[str, Any] = document["vms"][0]["replication"]["relationships"][0]
    return relationship


@pytest.mark.parametrize(("label", "mutate"), BAD, ids=[b[0] for b in BAD])
def test_schema_and_parser_reject_alike(label: str, mutate: Any) -> None:
    document = _document()
    VALIDATOR.validate(document)
    mutate(document)
    assert not VALIDATOR.is_valid(document), label
    with pytest.raises(SnapshotError):
        snapshot_from_data(document, "HV-R")


# --- properties -------------------------------------------------------------------------

_maybe_text = st.none() | st.text(min_size=1, max_size=12)
_maybe_flag = st.none() | st.booleans()
_stamp = st.datetimes(timezones=st.just(__import__("datetime").UTC)).map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ"))

relationship_settings = st.fixed_dictionaries(
    {},
    optional={
        "frequency_seconds": st.none() | st.sampled_from([30, 300, 900]) | st.integers(-5, 5),
        "compression_enabled": _maybe_flag | st.sampled_from(["yes", 1]),
        "authentication_type": st.none() | st.sampled_from([1, 2, 7, "Kerberos", "Certificate"]),
        "app_consistent_hours": st.none() | st.integers(-1, 12),
        "auto_resync_enabled": _maybe_flag,
        "auto_resync_start_seconds": st.none() | st.integers(-1, 86400),
        "auto_resync_end_seconds": st.none() | st.integers(0, 86399),
        "last_replication_time": st.none() | _stamp | st.sampled_from(["not a time", ""]),
    },
)

server_section = st.none() | st.fixed_dictionaries(
    {},
    optional={
        "enabled": _maybe_flag,
        "allowed_authentication": st.none() | st.sampled_from([1, 2, 3, 4, "CertificateAndKerberos"]),
        "allowed_from_any_server": _maybe_flag,
        "certificate_thumbprint": _maybe_text,
        "authorization_entries": st.none()
        | st.lists(
            st.fixed_dictionaries(
                {"allowed_primary_server": st.text(min_size=1, max_size=8)},
                optional={"trust_group": _maybe_text, "replica_storage_location": _maybe_text},
            ),
            max_size=3,
        ),
        "certificate": st.none()
        | st.fixed_dictionaries(
            {"thumbprint": st.text(min_size=1, max_size=8), "found": st.booleans()},
            optional={"not_after": st.none() | _stamp, "has_private_key": _maybe_flag, "subject": _maybe_text},
        ),
    },
)

checkpoint_lists = st.none() | st.lists(
    st.fixed_dictionaries(
        {"type": st.sampled_from([0, 1, 2, 5, 6, 7, 8, 3, "Replica", "AppConsistentReplica"])},
        optional={"name": _maybe_text},
    ),
    max_size=3,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(settings_=relationship_settings, server=server_section, points=checkpoint_lists)
def test_schema_parser_and_fast_path_agree(
    settings_: dict[str, Any], server: dict[str, Any] | None, points: list[dict[str, Any]] | None
) -> None:
    document = _document()
    relationship = _rel(document)
    for key in list(relationship):
        if key not in {"type", "mode", "state", "health", "primary_server", "replica_server", "current_replica_server"}:
            del relationship[key]
    relationship.update(settings_)
    document["replication_server"] = server
    document["vms"][0]["checkpoints"] = points
    schema_ok = VALIDATOR.is_valid(document)
    try:
        checked = snapshot_from_data(copy.deepcopy(document))
    except SnapshotError:
        checked = None
    # Enum names are valid for the schema (type "string"), the parser checks the name; the
    # generators only use real names, so both must agree exactly.
    assert schema_ok == (checked is not None), (schema_ok, document)
    # The fast path builds what the checked parser builds, and never accepts a VM it rejects.
    fast = snapshot_fastpath.vm(copy.deepcopy(document["vms"][0]))
    document["replication_server"] = None
    try:
        checked_vm = snapshot_from_data(document).vms[0]
    except SnapshotError:
        checked_vm = None
    if fast is not None:
        assert fast == checked_vm


@settings(max_examples=60)
@given(st.binary(max_size=200))
def test_garbage_never_crashes_the_parser(data: bytes) -> None:
    with contextlib.suppress(SnapshotError):
        parse_snapshot(data, "fuzz")
