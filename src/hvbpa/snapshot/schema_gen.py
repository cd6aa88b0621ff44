"""The snapshot JSON Schema, generated from the model.

The structs in :mod:`hvbpa.snapshot.model` say each field's name, type, whether it may be
null, whether it is required, and its patterns and limits (the annotated types of
:mod:`hvbpa.snapshot.shapes`, which msgspec checks while decoding); enum values come from
:mod:`hvbpa.snapshot.enums`. What a type cannot say (descriptions, the few fields the checked
parser reads more leniently than their type) is the table ``FIELDS`` below, so a new field
is written once in the model and, when it needs a description, once here.

``python -m hvbpa.snapshot.schema_gen`` prints the schema; ``--write`` replaces the shipped
``snapshot-v1.schema.json``. A test fails when the two differ.
"""

from __future__ import annotations

import json
import sys
import types
import typing
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any

import msgspec

from hvbpa.snapshot import enums, model, shapes
from hvbpa.snapshot.enums import display, name_key
from hvbpa.snapshot.model import SNAPSHOT_SCHEMA

SCHEMA_FILE = "snapshot-v1.schema.json"
ID = "https://hvbpa.dev/schemas/snapshot-v1.schema.json"

# Each object's name under $defs: the names the collection script's tests know the shapes by.
DEF_NAMES: dict[type, str] = {
    model.HostFacts: "host",
    model.VM: "vm",
    model.Checkpoint: "checkpoint",
    model.ReplicationServer: "replication_server",
    model.AuthorizationEntry: "authorization_entry",
    model.Certificate: "certificate",
    model.ClusterResource: "cluster_resource",
    model.QosPolicy: "qos_policy",
    model.Replication: "replication",
    model.Relationship: "relationship",
    model.IntegrationService: "integration_service",
    model.KvpGuestData: "kvp",
    model.NetworkAdapter: "adapter",
    model.FailoverConfig: "failover",
    model.CollectionError: "error",
}

ERROR_SECTIONS = (
    "host, vms, replication, integration_services, kvp, network_adapters, replication_server, "
    "authorization_entries, certificate, cluster_resources, checkpoints, vss, qos_policies"
)


@dataclass(frozen=True)
class Field:
    """What the model's type does not say about one JSON field."""

    description: str | None = None
    nullable: bool | None = None  # None: when the type includes None
    # The whole schema of a field the parser reads more leniently than its model type.
    schema: dict[str, Any] | None = None


FIELDS: dict[tuple[type, str], Field] = {
    (model.HostSnapshot, "collected_at"): Field("Host clock, ISO 8601 UTC"),
    (model.HostSnapshot, "replication_server"): Field(
        "Get-VMReplicationServer and what hangs off it; absent or null when not collected (older collectors)"
    ),
    (model.HostSnapshot, "cluster_resources"): Field(
        "The cluster's resources (cluster nodes only); absent or null when not collected"
    ),
    (model.HostSnapshot, "qos_policies"): Field(
        "Get-NetQosPolicy; absent or null when not collected (a host without the NetQos module reports an"
        ' error in section "qos_policies")'
    ),
    (model.HostFacts, "cluster_nodes"): Field(
        "The cluster's node names (absent from older snapshots); Get-VM on a node lists only the VMs that node owns"
    ),
    (model.VM, "type"): Field(nullable=True),  # null reads as Realized
    (model.VM, "checkpoints"): Field("Get-VMSnapshot, read for failed-over VMs only; null when not read"),
    (model.Checkpoint, "type"): Field(
        "SnapshotType; Recovery is a backup checkpoint, Replica/AppConsistentReplica/SyncedReplica are replica"
        " recovery points"
    ),
    (model.ReplicationServer, "enabled"): Field("ReplicationEnabled"),
    (model.ReplicationServer, "allowed_authentication"): Field(
        "AllowedAuthenticationType (RecoveryAuthenticationType)"
    ),
    (model.ReplicationServer, "allowed_from_any_server"): Field("ReplicationAllowedFromAnyServer"),
    (model.ReplicationServer, "authorization_entries"): Field(
        "Get-VMReplicationAuthorizationEntry; null when not read"
    ),
    (model.ReplicationServer, "broker_certificate"): Field(
        "On a cluster node with a Replica Broker: the store entry for the broker's thumbprint, looked up on this node"
    ),
    (model.Certificate, "found"): Field("present in Cert:\\LocalMachine\\My"),
    (model.Certificate, "dns_names"): Field("The DNS names in the certificate (subject alternative names, or CN)"),
    (model.Certificate, "enhanced_key_usages"): Field("EKU OIDs; Server Authentication is 1.3.6.1.5.5.7.3.1"),
    (model.Certificate, "chain_valid"): Field("X509Chain.Build with revocation checked offline"),
    (model.ClusterResource, "type"): Field(
        "resource type name, e.g. Virtual Machine Replication Broker (not localized)"
    ),
    (model.ClusterResource, "state"): Field(
        schema={
            "type": ["string", "integer", "null"],
            "minimum": 0,
            "maximum": shapes.CLUSTER_STATE_MAX,
            "description": 'MSCluster_Resource.State (uint32, 2 is Online) or its name ("Online")',
        }
    ),
    (model.ClusterResource, "recovery_server_enabled"): Field("The Replica Broker's RecoveryServerEnabled"),
    (model.ClusterResource, "certificate_thumbprint"): Field("The Replica Broker's CertificateThumbprint"),
    (model.ClusterResource, "client_access_point"): Field("The Replica Broker's client access point as an FQDN"),
    (model.QosPolicy, "throttle_bits_per_second"): Field("ThrottleRateActionBitsPerSecond; 0 or null: no throttle"),
    (model.QosPolicy, "dst_port_start"): Field("IPDstPortStartMatchCondition"),
    (model.QosPolicy, "dst_port_end"): Field("IPDstPortEndMatchCondition"),
    (model.Relationship, "type"): Field("Simple or Extended"),
    (model.Relationship, "frequency_seconds"): Field("ReplicationFrequencySec"),
    (model.Relationship, "authentication_type"): Field("ReplicationAuthenticationType"),
    (model.Relationship, "app_consistent_hours"): Field("VSSSnapshotFrequencyHour"),
    (model.Relationship, "replica_port"): Field("ReplicaServerPort"),
    (model.Relationship, "recovery_history"): Field(
        "RecoveryHistory: additional recovery points kept (0: the latest only)"
    ),
    (model.Relationship, "replicated_disks"): Field("Paths of ReplicatedDisks (the disks included)"),
    (model.Relationship, "excluded_disks"): Field("Paths of ExcludedDisks"),
    (model.Relationship, "last_test_failover_time"): Field(
        'ISO 8601 UTC; "1601-01-01T00:00:00Z" (FILETIME zero) means no test failover was ever run'
    ),
    (model.IntegrationService, "name"): Field("Localized display name; informational only"),
    # Any integer passes through (a status this version does not know is reported, not refused).
    (model.IntegrationService, "primary_status"): Field(
        schema={"anyOf": [{"type": ["integer", "null"]}, {"$ref": "#/$defs/OperationalStatus"}]}
    ),
    (model.IntegrationService, "secondary_status"): Field(
        schema={"anyOf": [{"type": ["integer", "null"]}, {"$ref": "#/$defs/OperationalStatus"}]}
    ),
    (model.FailoverConfig, "ipv6_prefix_length"): Field(schema={"type": ["string", "integer", "null"]}),
    (model.CollectionError, "section"): Field(ERROR_SECTIONS),
}

# In the model only: where the document came from.
NOT_IN_JSON = frozenset({(model.HostSnapshot, "source")})

_SCALARS: dict[type, str] = {str: "string", bool: "boolean", int: "integer", float: "number"}


def _split_optional(hint: Any) -> tuple[Any, bool]:
    """``X | None`` -> (X, True); anything else -> (hint, False). Literal names beside an enum
    (what the collector writes for it) are the enum's names, which its schema already accepts."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None) and typing.get_origin(a) is not typing.Literal]
        if len(args) != 1:
            raise TypeError(f"cannot describe {hint!r}: one type or one type | None")
        return args[0], type(None) in typing.get_args(hint)
    return hint, False


def _constraints(hint: Any) -> tuple[Any, dict[str, Any]]:
    """``Annotated[T, Meta(...)]`` -> (T, its JSON Schema keywords); anything else -> (hint, {})."""
    if typing.get_origin(hint) is not typing.Annotated:
        return hint, {}
    base, *extras = typing.get_args(hint)
    found: dict[str, Any] = {}
    for meta in extras:
        if not isinstance(meta, msgspec.Meta):
            continue
        if meta.pattern is not None:
            # Written for Python's re (^(?:...)\Z); in JSON Schema's dialect "$" is the end.
            found["pattern"] = meta.pattern.removesuffix("\\Z") + "$"
        if meta.min_length is not None:
            found["minLength"] = meta.min_length
        if meta.ge is not None:
            found["minimum"] = meta.ge
        if meta.le is not None:
            found["maximum"] = meta.le
    return base, found


def _is_struct(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, msgspec.Struct)


def _value(hint: Any) -> dict[str, Any]:
    """The schema of a value of the (non-None) type ``hint``."""
    hint, keywords = _constraints(hint)
    if isinstance(hint, type) and issubclass(hint, IntEnum):
        return {"$ref": f"#/$defs/{hint.__name__}"}
    if _is_struct(hint):
        return {"$ref": f"#/$defs/{DEF_NAMES[hint]}"}
    if typing.get_origin(hint) is tuple:
        item, ellipsis = typing.get_args(hint)
        assert ellipsis is Ellipsis, hint
        return {"type": "array", "items": _value(item)}
    if hint in _SCALARS:
        return {"type": _SCALARS[hint], **keywords}
    raise TypeError(f"cannot describe {hint!r}")


def _property(cls: type, name: str, hint: Any, required: bool) -> dict[str, Any]:
    spec = FIELDS.get((cls, name), Field())
    if spec.schema is not None:
        return dict(spec.schema)
    base, optional = _split_optional(hint)
    nullable = spec.nullable if spec.nullable is not None else optional
    schema = _value(base)
    if nullable:
        if "$ref" in schema:
            schema = {"oneOf": [{"type": "null"}, schema]}
        else:
            schema["type"] = [schema["type"], "null"]
    if spec.description:
        schema = {**schema, "description": spec.description}
    return schema


def _object(cls: type[msgspec.Struct]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls, include_extras=True)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for f in msgspec.structs.fields(cls):
        if (cls, f.name) in NOT_IN_JSON:
            continue
        properties[f.name] = _property(cls, f.name, hints[f.name], f.required)
        if f.required:
            required.append(f.name)
    schema: dict[str, Any] = {"type": "object"}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    schema["properties"] = properties
    return schema


def enum_pattern(cls: type[IntEnum]) -> str:
    """What :func:`hvbpa.snapshot.enums.parse_enum` accepts as text: a known value written as
    digits (leading zeros and surrounding space allowed), or a member's name in any letter case
    with any separators ("FastSaved", "FAST_SAVED", "fast saved")."""
    numbers = [("-?0+" if member.value == 0 else f"0*{member.value}") for member in cls]
    names = [
        r"[\W_]*".join(f"[{ch}{ch.upper()}]" if ch.isalpha() else ch for ch in name_key(name))
        for name in cls.__members__  # aliases too, as parse_enum
    ]
    return rf"^\s*(?:{'|'.join(numbers)})\s*$|^[\W_]*(?:{'|'.join(names)})[\W_]*$"


def _enum_def(cls: type[IntEnum]) -> dict[str, Any]:
    listed = ", ".join(f"{member.value} {display(member)}" for member in cls)
    return {
        "description": f"{cls.__name__}: {listed}. An integer, the name (any letter case, with or without"
        " separators), or the integer as text.",
        "anyOf": [{"type": "integer", "enum": [member.value for member in cls]}, {"type": "string"}],
        # The pattern applies to strings only; it sits beside anyOf so that the two read apart.
        "pattern": enum_pattern(cls),
    }


def _reachable(root: type) -> tuple[list[type], list[type[IntEnum]]]:
    """The structs and enums below ``root``, in the order first met (depth first)."""
    objects: list[type] = []
    found_enums: list[type[IntEnum]] = []

    def visit(hint: Any) -> None:
        base, _ = _split_optional(hint)
        if typing.get_origin(base) is tuple:
            visit(typing.get_args(base)[0])
        elif isinstance(base, type) and issubclass(base, IntEnum):
            if base not in found_enums:
                found_enums.append(base)
        elif _is_struct(base) and base not in objects:
            objects.append(base)
            for hint_ in typing.get_type_hints(base).values():
                visit(hint_)

    for hint in typing.get_type_hints(root).values():
        visit(hint)
    return objects, found_enums


def snapshot_schema() -> dict[str, Any]:
    objects, found = _reachable(model.HostSnapshot)
    if enums.OperationalStatus not in found:
        found.append(enums.OperationalStatus)  # the integration services' statuses, read by name too
    top = _object(model.HostSnapshot)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": ID,
        "title": "hvbpa host snapshot, version 1",
        "description": "What the hvbpa collection script prints for one Hyper-V host. Generated from the model"
        " (python -m hvbpa.snapshot.schema_gen). Enumerations may be integers (ConvertTo-Json's default) or"
        " their names.",
        "type": "object",
        "required": ["schema", *top["required"]],
        "additionalProperties": False,
        "properties": {"schema": {"const": SNAPSHOT_SCHEMA}, **top["properties"]},
        "$defs": {
            **{DEF_NAMES[cls]: _object(cls) for cls in objects},
            **{cls.__name__: _enum_def(cls) for cls in found},
        },
    }


def _compact(value: Any, indent: int = 0, width: int = 118) -> str:
    """JSON with each small object on one line, as the schema was written by hand."""
    one_line = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    if not isinstance(value, dict | list) or len(one_line) + indent <= width or not value:
        return one_line
    if isinstance(value, list) and not any(isinstance(v, dict | list) for v in value):
        return one_line  # an enum's values: one per line would be most of the file
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(value, list):
        items = [inner + _compact(v, indent + 2, width) for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    entries = [f"{inner}{json.dumps(k)}: {_compact(v, indent + 2, width)}" for k, v in value.items()]
    return "{\n" + ",\n".join(entries) + f"\n{pad}}}"


def schema_text() -> str:
    return _compact(snapshot_schema()) + "\n"


def shipped_path() -> Path:
    import hvbpa.schemas

    return Path(hvbpa.schemas.__file__).parent / SCHEMA_FILE


def main(argv: list[str]) -> int:
    if argv not in ([], ["--write"]):
        print("usage: python -m hvbpa.snapshot.schema_gen [--write]", file=sys.stderr)
        return 2
    text = schema_text()
    if argv:
        shipped_path().write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
