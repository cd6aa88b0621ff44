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
from hvbpa.snapshot.enums import AllowedAuthentication, AuthenticationType, SnapshotType
from hvbpa.snapshot.model import ClusterResource, QosPolicy
from hvbpa.snapshot.parse import SnapshotError, convert_fast, decode_fast, parse_snapshot, snapshot_from_data
from hvbpa.snapshot.synthetic import host_snapshot
from tests.conftest import shipped_schema

VALIDATOR = jsonschema.Draft202012Validator(
    shipped_schema("snapshot-v1.schema.json"), format_checker=jsonschema.FormatChecker()
)


def _document() -> dict[str, Any]:
    return host_snapshot("HV-R", 1, mix=False)


def test_old_snapshot_without_the_sections_parses_as_not_collected() -> None:
    document = _document()
    del document["replication_server"], document["cluster_resources"], document["qos_policies"]
    for key in list(document["vms"][0]["replication"]["relationships"][0]):
        if key not in {"type", "mode", "state", "health", "primary_server", "replica_server", "current_replica_server"}:
            del document["vms"][0]["replication"]["relationships"][0][key]
    VALIDATOR.validate(document)
    snapshot = snapshot_from_data(document)
    assert snapshot.replication_server is None
    assert snapshot.cluster_resources is None
    relationship = snapshot.vms[0].replication.relationships[0]
    assert relationship.compression_enabled is None and relationship.frequency_seconds is None
    assert relationship.replica_port is None and relationship.replicated_disks is None
    assert relationship.last_test_failover_time is None and relationship.recovery_history is None
    assert snapshot.vms[0].checkpoints is None
    assert snapshot.qos_policies is None


def test_a_certificate_and_broker_from_an_older_collector_have_no_new_fields() -> None:
    document = _document()
    for key in ("dns_names", "enhanced_key_usages", "chain_valid"):
        del document["replication_server"]["certificate"][key]
    del document["replication_server"]["broker_certificate"]
    document["cluster_resources"] = [{"name": "Broker", "type": "Virtual Machine Replication Broker", "state": "2"}]
    VALIDATOR.validate(document)
    snapshot = snapshot_from_data(document)
    assert snapshot.replication_server is not None and snapshot.replication_server.broker_certificate is None
    certificate = snapshot.replication_server.certificate
    assert certificate is not None
    assert (certificate.dns_names, certificate.enhanced_key_usages, certificate.chain_valid) == (None, None, None)
    assert snapshot.cluster_resources == (ClusterResource("Broker", "Virtual Machine Replication Broker", "2"),)


BROKER_CERTIFICATE = {
    "thumbprint": "9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4D3E2F1A0B",
    "found": True,
    "subject": "CN=hv-broker.cluster.example.test",
    "not_after": "2030-06-30T23:59:59Z",
    "has_private_key": True,
    "dns_names": ["hv-broker.cluster.example.test", "*.cluster.example.test"],
    "enhanced_key_usages": ["1.3.6.1.5.5.7.3.1"],
    "chain_valid": False,
}
BROKER = {
    "name": "HVR-Broker",
    "type": "Virtual Machine Replication Broker",
    "state": 2,
    "recovery_server_enabled": True,
    "certificate_thumbprint": "9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4D3E2F1A0B",
    "client_access_point": "hv-broker.cluster.example.test",
}


def test_new_fields_parse_to_values() -> None:
    document = _document()
    document["replication_server"]["broker_certificate"] = BROKER_CERTIFICATE
    document["cluster_resources"] = [BROKER, {"name": "Cluster IP", "type": "IP Address", "state": 4294967295}]
    document["qos_policies"] = [
        {"name": "Replica", "throttle_bits_per_second": 100_000_000, "dst_port_start": 443, "dst_port_end": 443},
        {"name": "Other"},
    ]
    _rel(document).update(
        replica_port=80,
        recovery_history=0,
        replicated_disks=["C:\\VMs\\a.vhdx", "C:\\VMs\\b.avhdx"],
        excluded_disks=["C:\\VMs\\swap.vhd"],
        last_test_failover_time="1601-01-01T00:00:00Z",
    )
    VALIDATOR.validate(document)
    snapshot = snapshot_from_data(document)
    relationship = snapshot.vms[0].replication.relationships[0]
    assert (relationship.replica_port, relationship.recovery_history) == (80, 0)
    assert relationship.replicated_disks == ("C:\\VMs\\a.vhdx", "C:\\VMs\\b.avhdx")
    assert relationship.excluded_disks == ("C:\\VMs\\swap.vhd",)
    assert relationship.last_test_failover_time == "1601-01-01T00:00:00Z"
    server = snapshot.replication_server
    assert server is not None and server.certificate is not None and server.broker_certificate is not None
    assert server.certificate.enhanced_key_usages == ("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")
    # The synthetic certificate is issued for the host it is installed on.
    assert server.certificate.dns_names == (snapshot.host.fqdn,) and server.certificate.chain_valid is True
    assert server.broker_certificate.dns_names == ("hv-broker.cluster.example.test", "*.cluster.example.test")
    assert server.broker_certificate.chain_valid is False
    # MSCluster_Resource.State is an integer; the model keeps it as the text a name would be.
    assert snapshot.cluster_resources == (
        ClusterResource(
            "HVR-Broker",
            "Virtual Machine Replication Broker",
            "2",
            recovery_server_enabled=True,
            certificate_thumbprint="9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4D3E2F1A0B",
            client_access_point="hv-broker.cluster.example.test",
        ),
        ClusterResource("Cluster IP", "IP Address", "4294967295"),
    )
    assert snapshot.qos_policies == (QosPolicy("Replica", 100_000_000, 443, 443), QosPolicy("Other"))
    # An integer cluster state is not the model's type: the fast path leaves the document to the checked parser.
    assert decode_fast(json.dumps(document), "HV-C") is None
    assert parse_snapshot(json.dumps(document)) == snapshot
    dumped = dump_snapshot(snapshot)
    VALIDATOR.validate(dumped)
    assert dumped["cluster_resources"][0]["state"] == "2"
    assert snapshot_from_data(json.loads(json.dumps(dumped))) == snapshot


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
    document["qos_policies"] = [
        {"name": "Q", "throttle_bits_per_second": 0, "dst_port_start": 0, "dst_port_end": 65535}
    ]
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
    ("relationships null", lambda d: d["vms"][0]["replication"].update(relationships=None)),
]

# The new fields: each refused by both, in one line that names the field's path.
REL = "vms[0].replication.relationships[0]."
NEW_BAD: list[tuple[str, Any, str]] = [
    ("port too high", lambda d: _rel(d).update(replica_port=65536), REL + "replica_port"),
    ("port negative", lambda d: _rel(d).update(replica_port=-1), REL + "replica_port"),
    ("port as text", lambda d: _rel(d).update(replica_port="443"), REL + "replica_port"),
    ("port a fraction", lambda d: _rel(d).update(replica_port=80.5), REL + "replica_port"),
    ("history negative", lambda d: _rel(d).update(recovery_history=-1), REL + "recovery_history"),
    ("history a flag", lambda d: _rel(d).update(recovery_history=True), REL + "recovery_history"),
    ("disks a string", lambda d: _rel(d).update(replicated_disks="C:\\a.vhdx"), REL + "replicated_disks"),
    ("disk empty", lambda d: _rel(d).update(excluded_disks=["C:\\a.vhdx", ""]), REL + "excluded_disks[1]"),
    ("disk a number", lambda d: _rel(d).update(replicated_disks=[1]), REL + "replicated_disks[0]"),
    (
        "test failover not a time",
        lambda d: _rel(d).update(last_test_failover_time="never"),
        REL + "last_test_failover_time",
    ),
    (
        "test failover a date only",
        lambda d: _rel(d).update(last_test_failover_time="2026-11-01"),
        REL + "last_test_failover_time",
    ),
    ("test failover a number", lambda d: _rel(d).update(last_test_failover_time=0), REL + "last_test_failover_time"),
    ("dns name empty", lambda d: _cert(d).update(dns_names=[""]), "replication_server.certificate.dns_names[0]"),
    (
        "eku a friendly name",
        lambda d: _cert(d).update(enhanced_key_usages=["Server Authentication"]),
        "replication_server.certificate.enhanced_key_usages[0]",
    ),
    (
        "eku not a list",
        lambda d: _cert(d).update(enhanced_key_usages="1.3.6.1.5.5.7.3.1"),
        "replication_server.certificate.enhanced_key_usages",
    ),
    ("chain as text", lambda d: _cert(d).update(chain_valid="true"), "replication_server.certificate.chain_valid"),
    (
        "broker certificate without found",
        lambda d: d["replication_server"].update(broker_certificate={"thumbprint": "AB"}),
        "replication_server.broker_certificate.found",
    ),
    (
        "broker certificate a string",
        lambda d: d["replication_server"].update(broker_certificate="AB"),
        "replication_server.broker_certificate",
    ),
    (
        "broker certificate bad eku",
        lambda d: d["replication_server"].update(
            broker_certificate={**BROKER_CERTIFICATE, "enhanced_key_usages": ["1..3"]}
        ),
        "replication_server.broker_certificate.enhanced_key_usages[0]",
    ),
    (
        "resource state negative",
        lambda d: d.update(cluster_resources=[{**BROKER, "state": -1}]),
        "cluster_resources[0].state",
    ),
    (
        "resource state past uint32",
        lambda d: d.update(cluster_resources=[{**BROKER, "state": 2**32}]),
        "cluster_resources[0].state",
    ),
    (
        "resource state a flag",
        lambda d: d.update(cluster_resources=[{**BROKER, "state": True}]),
        "cluster_resources[0].state",
    ),
    (
        "recovery server as text",
        lambda d: d.update(cluster_resources=[{**BROKER, "recovery_server_enabled": "1"}]),
        "cluster_resources[0].recovery_server_enabled",
    ),
    (
        "access point a number",
        lambda d: d.update(cluster_resources=[{**BROKER, "client_access_point": 1}]),
        "cluster_resources[0].client_access_point",
    ),
    (
        "resource thumbprint a list",
        lambda d: d.update(cluster_resources=[{**BROKER, "certificate_thumbprint": []}]),
        "cluster_resources[0].certificate_thumbprint",
    ),
    ("qos an object", lambda d: d.update(qos_policies={"name": "x"}), "qos_policies"),
    ("qos without name", lambda d: d.update(qos_policies=[{"dst_port_start": 443}]), "qos_policies[0].name"),
    ("qos unknown key", lambda d: d.update(qos_policies=[{"name": "x", "priority": 3}]), "qos_policies[0].priority"),
    (
        "qos negative throttle",
        lambda d: d.update(qos_policies=[{"name": "x", "throttle_bits_per_second": -5}]),
        "qos_policies[0].throttle_bits_per_second",
    ),
    (
        "qos port too high",
        lambda d: d.update(qos_policies=[{"name": "x", "dst_port_end": 70000}]),
        "qos_policies[0].dst_port_end",
    ),
    (
        "qos port as text",
        lambda d: d.update(qos_policies=[{"name": "x", "dst_port_start": "443"}]),
        "qos_policies[0].dst_port_start",
    ),
]


def _cert(document: dict[str, Any]) -> dict[str, Any]:
    certificate: dict[str, Any] = document["replication_server"]["certificate"]
    return certificate


@pytest.mark.parametrize(("label", "mutate", "path"), NEW_BAD, ids=[b[0] for b in NEW_BAD])
def test_new_fields_refused_alike_in_one_line_naming_the_path(label: str, mutate: Any, path: str) -> None:
    document = _document()
    VALIDATOR.validate(document)
    mutate(document)
    assert not VALIDATOR.is_valid(document), label
    with pytest.raises(SnapshotError) as caught:
        snapshot_from_data(document, "HV-R")
    assert caught.value.detail.startswith(f"{path}: "), caught.value.detail
    assert "\n" not in str(caught.value)


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
_NEVER = "1601-01-01T00:00:00Z"
_disk_lists = (
    st.none()
    | st.lists(st.sampled_from(["C:\\VMs\\a.vhdx", "D:\\b.vhd", "E:\\c.avhdx", "", 7]), max_size=3)
    | st.just("C:\\VMs\\a.vhdx")
)
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
        "replica_port": st.none() | st.sampled_from([80, 443, 0, 65535, 65536, -1, "443", 443.5]),
        "recovery_history": st.none() | st.integers(-2, 30) | st.sampled_from(["4", False]),
        "replicated_disks": _disk_lists,
        "excluded_disks": _disk_lists,
        "last_test_failover_time": st.none() | _stamp | st.sampled_from([_NEVER, "never", "2026-11-01", 0]),
    },
)

_certificate = st.fixed_dictionaries(
    {"thumbprint": st.text(min_size=1, max_size=8), "found": st.booleans()},
    optional={
        "not_after": st.none() | _stamp,
        "has_private_key": _maybe_flag,
        "subject": _maybe_text,
        "dns_names": st.none() | st.lists(st.sampled_from(["hv.example.test", "*.example.test", ""]), max_size=3),
        "enhanced_key_usages": st.none()
        | st.lists(
            st.sampled_from(["1.3.6.1.5.5.7.3.1", "2.5.29.37.0", "Server Authentication", "1.", "3.1"]), max_size=3
        ),
        "chain_valid": _maybe_flag | st.just("true"),
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
        "certificate": st.none() | _certificate,
        "broker_certificate": st.none() | _certificate | st.just("AB"),
    },
)

_port = st.none() | st.integers(-1, 65536) | st.sampled_from([443, "443"])
cluster_sections = st.none() | st.lists(
    st.fixed_dictionaries(
        {"name": st.sampled_from(["Broker", "복제 브로커", ""]), "type": st.just("Virtual Machine Replication Broker")},
        optional={
            "state": st.none()
            | st.sampled_from(["Online", "2", 2, 4, 0, -1, 2**32 - 1, 2**32, True, 2.5])
            | st.integers(0, 2**32),
            "recovery_server_enabled": _maybe_flag | st.just(1),
            "certificate_thumbprint": _maybe_text | st.just(5),
            "client_access_point": _maybe_text,
        },
    ),
    max_size=2,
)
qos_sections = (
    st.none()
    | st.lists(
        st.fixed_dictionaries(
            {"name": st.sampled_from(["Replica", "SMB", ""])},
            optional={
                "throttle_bits_per_second": st.none() | st.integers(-1, 10**10) | st.just("100"),
                "dst_port_start": _port,
                "dst_port_end": _port,
            },
        ),
        max_size=3,
    )
    | st.just({"name": "x"})
)

checkpoint_lists = st.none() | st.lists(
    st.fixed_dictionaries(
        {"type": st.sampled_from([0, 1, 2, 5, 6, 7, 8, 3, "Replica", "AppConsistentReplica"])},
        optional={"name": _maybe_text},
    ),
    max_size=3,
)


@settings(max_examples=250, suppress_health_check=[HealthCheck.too_slow])
@given(
    settings_=relationship_settings,
    server=server_section,
    points=checkpoint_lists,
    resources=cluster_sections,
    qos=qos_sections,
)
def test_schema_parser_and_fast_path_agree(
    settings_: dict[str, Any],
    server: dict[str, Any] | None,
    points: list[dict[str, Any]] | None,
    resources: list[dict[str, Any]] | None,
    qos: object,
) -> None:
    document = _document()
    relationship = _rel(document)
    for key in list(relationship):
        if key not in {"type", "mode", "state", "health", "primary_server", "replica_server", "current_replica_server"}:
            del relationship[key]
    relationship.update(settings_)
    document["replication_server"] = server
    document["vms"][0]["checkpoints"] = points
    document["cluster_resources"] = resources
    document["qos_policies"] = qos
    schema_ok = VALIDATOR.is_valid(document)
    try:
        checked = snapshot_from_data(copy.deepcopy(document))
    except SnapshotError as exc:
        checked = None
        assert "\n" not in str(exc)
    # The generators draw no whole float (JSON Schema counts 2.0 as an integer; the parser does not).
    assert schema_ok == (checked is not None), (schema_ok, document)
    if checked is not None:
        # Whatever is accepted is written back exactly, and the dump is valid too.
        dumped = dump_snapshot(checked)
        assert VALIDATOR.is_valid(dumped)
        assert snapshot_from_data(json.loads(json.dumps(dumped))) == checked
    # The fast path builds what the checked parser builds, and never accepts a document it rejects.
    for fast in (convert_fast(copy.deepcopy(document), "HV"), decode_fast(json.dumps(document), "HV")):
        if fast is not None:
            assert fast == checked


@settings(max_examples=60)
@given(st.binary(max_size=200))
def test_garbage_never_crashes_the_parser(data: bytes) -> None:
    with contextlib.suppress(SnapshotError):
        parse_snapshot(data, "fuzz")
