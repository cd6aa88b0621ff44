"""Parse a snapshot document into :mod:`hvbpa.snapshot` values.

Strict in shape (unknown keys and wrong types are rejected, as the published JSON
Schema says) and lenient where real hosts differ: enums as integers or names, a
UTF-8 BOM, CRLF line ends.

Two readers, one result. msgspec decodes the document straight into the model's
structs, checked against their annotations in C (a 1,024-VM host in milliseconds).
A document it refuses goes to the checked parser below, which reads what hosts write
more loosely (enum names, numbers as text) and otherwise names the bad field. The
tests run both on the same documents and against the JSON Schema.
"""

from __future__ import annotations

import functools
import gc
import json
import re
from collections.abc import Callable, Mapping
from enum import IntEnum
from typing import Any, NoReturn, TypeVar

import msgspec

from hvbpa.errors import InputError
from hvbpa.snapshot import shapes
from hvbpa.snapshot.enums import (
    AllowedAuthentication,
    AuthenticationType,
    HeartbeatStatus,
    OperationalStatus,
    RelationshipType,
    ReplicationHealth,
    ReplicationMode,
    ReplicationState,
    SnapshotType,
    VMState,
    VMType,
    parse_enum,
)
from hvbpa.snapshot.model import (
    SNAPSHOT_SCHEMA,
    VM,
    AuthorizationEntry,
    Certificate,
    Checkpoint,
    ClusterResource,
    CollectionError,
    FailoverConfig,
    HostFacts,
    HostSnapshot,
    IntegrationService,
    KvpGuestData,
    NetworkAdapter,
    QosPolicy,
    Relationship,
    Replication,
    ReplicationServer,
)
from hvbpa.strict_json import StrictJSONError, strict_loads

T = TypeVar("T")
E = TypeVar("E", bound=IntEnum)


class SnapshotError(InputError):
    """The document is not a valid snapshot. The message names the host and the field."""

    def __init__(self, source: str, detail: str) -> None:
        super().__init__(f"snapshot of host {source!r}: {detail}")
        self.source = source
        self.detail = detail  # what is wrong, without the host: a file's reader names the file instead

    def __reduce__(self) -> tuple[type[SnapshotError], tuple[str, str]]:
        return (type(self), (self.source, self.detail))


def json_problem(exc: json.JSONDecodeError, document: str) -> str:
    """A JSON error as a reader of files says it: a cut-off file is "truncated", not a syntax puzzle."""
    rest = document[exc.pos :].strip()
    if exc.pos >= len(document.rstrip()) - 1 or (exc.msg.startswith("Unterminated") and "\n" not in rest):
        return f"truncated JSON at line {exc.lineno} (the file ends mid-document)"
    return f"not JSON ({exc.msg.lower()} at line {exc.lineno}, column {exc.colno})"


class _Fields:
    """Typed access to one JSON object, with the path used in error messages."""

    def __init__(self, data: object, path: str, host: str, allowed: frozenset[str]) -> None:
        self.host = host
        self.path = path
        if not isinstance(data, dict):
            self.fail(path, f"expected an object, got {_kind(data)}")
        self.data: dict[str, Any] = data
        unknown = sorted(set(data) - allowed)
        if unknown:
            self.fail(f"{path}.{unknown[0]}" if path else unknown[0], "unknown field")

    def fail(self, where: str, why: str) -> NoReturn:
        raise SnapshotError(self.host, f"{where or 'document'}: {why}")

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def required(self, key: str) -> Any:
        if key not in self.data:
            self.fail(self.at(key), "missing")
        return self.data[key]

    def _typed(self, key: str, value: Any, kinds: tuple[type, ...], label: str) -> Any:
        if value is None or (isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)):
            return value
        self.fail(self.at(key), f"expected {label}, got {_kind(value)}")

    def text(self, key: str, *, required: bool = False, empty: bool = False) -> str | None:
        value = self.required(key) if required else self.data.get(key)
        result: str | None = self._typed(key, value, (str,), "a string")
        if required and (result is None or (not empty and not result)):
            self.fail(self.at(key), "must be a non-empty string" if not empty else "must be a string")
        return result

    def flag(self, key: str, *, required: bool = False) -> bool | None:
        value = self.required(key) if required else self.data.get(key)
        result: bool | None = self._typed(key, value, (bool,), "true or false")
        if required and result is None:
            self.fail(self.at(key), "must be true or false")
        return result

    def number(self, key: str) -> float | None:
        value = self._typed(key, self.data.get(key), (int, float), "a number")
        if value is not None and value < 0:
            self.fail(self.at(key), "must not be negative")
        if value is not None and value > shapes.MAX_NUMBER:
            # An integer past a float's range (a 400-digit uptime) cannot be one; refused, not a crash.
            self.fail(self.at(key), f"is too large (at most {shapes.MAX_NUMBER:.0e})")
        return None if value is None else float(value)

    def integer(self, key: str) -> int | None:
        result: int | None = self._typed(key, self.data.get(key), (int,), "an integer")
        return result

    def count(self, key: str) -> int | None:
        """A non-negative integer: seconds, hours."""
        result = self.integer(key)
        if result is not None and result < 0:
            self.fail(self.at(key), "must not be negative")
        return result

    def timestamp(self, key: str) -> str | None:
        """ISO 8601 text, checked so that a rule can rely on reading it."""
        value = self.text(key)
        if value is not None and not shapes.is_timestamp(value):
            self.fail(self.at(key), f"{value!r} is not an ISO 8601 date and time")
        return value

    def scalar_text(self, key: str) -> str | None:
        value = self._typed(key, self.data.get(key), (str, int), "a string or integer")
        return None if value is None else str(value)

    def enum(self, key: str, cls: type[E], *, required: bool = False) -> E | None:
        value = self.required(key) if required else self.data.get(key)
        if value is None:
            if required:
                self.fail(self.at(key), f"must be a {cls.__name__}")
            return None
        try:
            return parse_enum(cls, value)
        except ValueError as exc:
            self.fail(self.at(key), str(exc))

    def status(self, key: str) -> int | None:
        """An operational status: a known name, or any integer (future values pass through)."""
        value = self.data.get(key)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        try:
            return int(parse_enum(OperationalStatus, value))
        except ValueError as exc:
            self.fail(self.at(key), str(exc))

    def at_most(self, key: str, maximum: int, what: str) -> int | None:
        """A non-negative integer up to ``maximum`` (a port, a uint32)."""
        result = self.count(key)
        if result is not None and result > maximum:
            self.fail(self.at(key), f"must be {what}, 0 to {maximum}")
        return result

    def items(self, key: str, build: Callable[[object, str], T], *, required: bool = False) -> tuple[T, ...]:
        if not required and key not in self.data:
            return ()
        value = self.required(key)
        if not isinstance(value, list):
            self.fail(self.at(key), f"expected an array, got {_kind(value)}")
        return tuple(build(item, f"{self.at(key)}[{i}]") for i, item in enumerate(value))

    def names(self, key: str, shape: re.Pattern[str] | None = None, what: str = "") -> tuple[str, ...] | None:
        """An array of non-empty strings (names, paths), each of ``shape`` when given."""
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, list):
            self.fail(self.at(key), f"expected an array, got {_kind(value)}")
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item:
                self.fail(f"{self.at(key)}[{index}]", f"expected a non-empty string, got {_kind(item)}")
            if shape is not None and shape.fullmatch(item) is None:
                self.fail(f"{self.at(key)}[{index}]", f"{item!r} is not {what}")
        return tuple(value)

    def guid(self, key: str) -> str:
        value = self.text(key, required=True)
        assert value is not None
        if not _is_guid(value):
            self.fail(self.at(key), f"{value!r} is not a GUID")
        return value  # the model lower-cases it


def _kind(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def _is_guid(text: str) -> bool:
    return shapes.GUID.fullmatch(text) is not None


# An object's JSON keys are its struct's field names.
_VM_KEYS = frozenset(VM.__struct_fields__)
_REPLICATION_KEYS = frozenset(Replication.__struct_fields__)
_RELATIONSHIP_KEYS = frozenset(Relationship.__struct_fields__)
_SERVICE_KEYS = frozenset(IntegrationService.__struct_fields__)
_KVP_KEYS = frozenset(KvpGuestData.__struct_fields__)
_ADAPTER_KEYS = frozenset(NetworkAdapter.__struct_fields__)
_CHECKPOINT_KEYS = frozenset(Checkpoint.__struct_fields__)
_FAILOVER_KEYS = frozenset(FailoverConfig.__struct_fields__)
_ERROR_KEYS = frozenset(CollectionError.__struct_fields__)
_QOS_KEYS = frozenset(QosPolicy.__struct_fields__)
# The document's keys: the snapshot's fields less where it came from, plus the schema's name.
_ROOT_KEYS = frozenset(HostSnapshot.__struct_fields__) - {"source"} | {"schema"}


@functools.cache
def _document_type() -> type[msgspec.Struct]:
    """The document as msgspec reads it: the snapshot's fields (less ``source``) and ``schema``."""
    fields = [
        (f.name, f.type) if f.required else (f.name, f.type, f.default)
        for f in msgspec.structs.fields(HostSnapshot)
        if f.name != "source"
    ]
    return msgspec.defstruct(
        "SnapshotDocument",
        [("schema", str), *fields],
        kw_only=True,
        frozen=True,
        forbid_unknown_fields=True,
        gc=False,
    )


@functools.cache
def _decoder() -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(_document_type())


def _from_document(document: Any, source: str) -> HostSnapshot | None:
    if document.schema != SNAPSHOT_SCHEMA:
        return None  # the checked parser names the schema it found
    names = {field: getattr(document, field) for field in document.__struct_fields__ if field != "schema"}
    vms = names["vms"]
    if len({vm.id for vm in vms}) != len(vms):
        return None  # a VMId twice: the checked parser says which
    return HostSnapshot(**names, source=source)


def decode_fast(document: str, source: str) -> HostSnapshot | None:
    """The snapshot as msgspec decodes it, or None when the document is not in the model's
    exact shape (the checked parser then reads it, or says what is wrong)."""
    try:
        decoded = _decoder().decode(document)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    return _from_document(decoded, source)


def convert_fast(data: object, source: str) -> HostSnapshot | None:
    """decode_fast for a document already parsed into dicts and lists."""
    try:
        converted = msgspec.convert(data, _document_type())
    except msgspec.ValidationError:
        return None
    return _from_document(converted, source)


def parse_snapshot(document: str | bytes, source: str = "snapshot") -> HostSnapshot:
    """Parse one snapshot. ``source`` names the host or file in error messages."""
    if isinstance(document, bytes):
        try:
            document = document.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SnapshotError(source, f"not UTF-8 (byte {exc.start})") from None
    document = document.lstrip("\ufeff")
    # Tens of thousands of new containers and no cycles among them: the collector's
    # passes would only re-scan them, at a third of the total cost.
    collecting = gc.isenabled()
    gc.disable()
    try:
        snapshot = decode_fast(document, source)
        if snapshot is not None:
            return snapshot
        return _checked(load_json(document, source), source, vms_fast=True)
    finally:
        if collecting:
            gc.enable()


def load_json(document: str, source: str) -> Any:
    """Strict JSON (see :mod:`hvbpa.strict_json`), its errors as SnapshotError."""
    try:
        return strict_loads(document)
    except StrictJSONError as exc:
        raise SnapshotError(source, json_problem(exc.decode, document) if exc.decode else str(exc)) from None


def snapshot_from_data(data: object, source: str = "snapshot", *, fast_path: bool = True) -> HostSnapshot:
    """``fast_path=False``: the checked parser alone (the tests compare both)."""
    if fast_path:
        snapshot = convert_fast(data, source)
        if snapshot is not None:
            return snapshot
    return _checked(data, source, vms_fast=fast_path)


def _checked(data: object, source: str, *, vms_fast: bool) -> HostSnapshot:
    """The checked parser; ``vms_fast``: each VM msgspec takes as it is is converted in C, and only
    the others are read field by field (a document with one enum name costs that VM, not all)."""
    host_name = source
    if isinstance(data, dict) and isinstance(data.get("host"), Mapping):
        name = data["host"].get("name")
        if isinstance(name, str) and name:
            host_name = name
    root = _Fields(
        data,
        "",
        host_name,
        _ROOT_KEYS,
    )
    schema = root.required("schema")
    if schema != SNAPSHOT_SCHEMA:
        root.fail("schema", f"expected {SNAPSHOT_SCHEMA!r}, got {schema!r}")

    def host(item: object, path: str) -> HostFacts:
        f = _Fields(item, path, host_name, frozenset(HostFacts.__struct_fields__))
        return HostFacts(
            name=f.text("name", required=True) or "",
            hyperv_module=bool(f.flag("hyperv_module", required=True)),
            is_admin=bool(f.flag("is_admin", required=True)),
            is_hyperv_admin=bool(f.flag("is_hyperv_admin", required=True)),
            fqdn=f.text("fqdn"),
            os_caption=f.text("os_caption"),
            os_build=f.text("os_build"),
            ps_version=f.text("ps_version"),
            cluster_name=f.text("cluster_name"),
            cluster_nodes=f.names("cluster_nodes"),
        )

    def relationship(item: object, path: str) -> Relationship:
        f = _Fields(item, path, host_name, _RELATIONSHIP_KEYS)
        return Relationship(
            type=f.enum("type", RelationshipType),
            mode=f.enum("mode", ReplicationMode),
            state=f.enum("state", ReplicationState),
            health=f.enum("health", ReplicationHealth),
            primary_server=f.text("primary_server"),
            replica_server=f.text("replica_server"),
            current_replica_server=f.text("current_replica_server"),
            frequency_seconds=f.count("frequency_seconds"),
            compression_enabled=f.flag("compression_enabled"),
            authentication_type=f.enum("authentication_type", AuthenticationType),
            app_consistent_hours=f.count("app_consistent_hours"),
            auto_resync_enabled=f.flag("auto_resync_enabled"),
            auto_resync_start_seconds=_time_of_day(f, "auto_resync_start_seconds"),
            auto_resync_end_seconds=_time_of_day(f, "auto_resync_end_seconds"),
            last_replication_time=f.timestamp("last_replication_time"),
            replica_port=f.at_most("replica_port", shapes.PORT_MAX, "a port number"),
            recovery_history=f.count("recovery_history"),
            replicated_disks=f.names("replicated_disks"),
            excluded_disks=f.names("excluded_disks"),
            last_test_failover_time=f.timestamp("last_test_failover_time"),
        )

    def replication(item: object, path: str) -> Replication:
        f = _Fields(item, path, host_name, _REPLICATION_KEYS)
        mode = f.enum("mode", ReplicationMode, required=True)
        state = f.enum("state", ReplicationState, required=True)
        assert mode is not None and state is not None
        return Replication(mode, state, f.enum("health", ReplicationHealth), f.items("relationships", relationship))

    def service(item: object, path: str) -> IntegrationService:
        f = _Fields(item, path, host_name, _SERVICE_KEYS)
        return IntegrationService(
            guid=f.guid("guid"),
            enabled=bool(f.flag("enabled", required=True)),
            name=f.text("name"),
            primary_status=f.status("primary_status"),
            secondary_status=f.status("secondary_status"),
        )

    def kvp(item: object, path: str) -> KvpGuestData | None:
        if item is None:
            return None
        f = _Fields(item, path, host_name, _KVP_KEYS)
        return KvpGuestData(f.text("integration_services_version"), f.text("os_name"), f.text("os_version"))

    def failover(item: object, path: str) -> FailoverConfig | None:
        if item is None:
            return None
        f = _Fields(item, path, host_name, _FAILOVER_KEYS)
        values = {key: f.scalar_text(key) if key == "ipv6_prefix_length" else f.text(key) for key in _FAILOVER_KEYS}
        return FailoverConfig(**values)

    def adapter(item: object, path: str) -> NetworkAdapter:
        f = _Fields(item, path, host_name, _ADAPTER_KEYS)
        return NetworkAdapter(
            f.text("name", required=True) or "", f.text("id"), failover(f.data.get("failover"), f.at("failover"))
        )

    def checkpoint(item: object, path: str) -> Checkpoint:
        f = _Fields(item, path, host_name, _CHECKPOINT_KEYS)
        kind = f.enum("type", SnapshotType, required=True)
        assert kind is not None
        return Checkpoint(kind, f.text("name"))

    def vm(item: object, path: str) -> VM:
        f = _Fields(item, path, host_name, _VM_KEYS)
        state = f.enum("state", VMState, required=True)
        assert state is not None
        return VM(
            # Hyper-V keeps a VM whose name is empty; the schema and the fast path accept it too.
            name=f.text("name", required=True, empty=True) or "",
            id=f.guid("id"),
            state=state,
            replication=replication(f.required("replication"), f.at("replication")),
            uptime_seconds=f.number("uptime_seconds"),
            heartbeat=f.enum("heartbeat", HeartbeatStatus),
            generation=f.integer("generation"),
            version=f.text("version"),
            type=f.enum("type", VMType) or VMType.REALIZED,
            is_clustered=f.flag("is_clustered"),
            integration_services=f.items("integration_services", service, required=True),
            kvp=kvp(f.data.get("kvp"), f.at("kvp")),
            network_adapters=f.items("network_adapters", adapter, required=True),
            checkpoints=f.items("checkpoints", checkpoint) if f.data.get("checkpoints") is not None else None,
        )

    def error(item: object, path: str) -> CollectionError:
        f = _Fields(item, path, host_name, _ERROR_KEYS)
        vm_id = f.text("vm_id")
        return CollectionError(
            f.text("section", required=True) or "",
            f.text("message", required=True) or "",
            vm_id,  # the model lower-cases it (empty reads as None)
        )

    def entry(item: object, path: str) -> AuthorizationEntry:
        f = _Fields(item, path, host_name, frozenset(AuthorizationEntry.__struct_fields__))
        return AuthorizationEntry(
            f.text("allowed_primary_server", required=True) or "",
            f.text("replica_storage_location"),
            f.text("trust_group"),
        )

    def certificate(item: object, path: str) -> Certificate | None:
        if item is None:
            return None
        f = _Fields(item, path, host_name, frozenset(Certificate.__struct_fields__))
        return Certificate(
            thumbprint=f.text("thumbprint", required=True) or "",
            found=bool(f.flag("found", required=True)),
            subject=f.text("subject"),
            not_after=f.timestamp("not_after"),
            has_private_key=f.flag("has_private_key"),
            dns_names=f.names("dns_names"),
            enhanced_key_usages=f.names("enhanced_key_usages", shapes.OID, "an OID (dotted decimal)"),
            chain_valid=f.flag("chain_valid"),
        )

    def replication_server(item: object, path: str) -> ReplicationServer | None:
        if item is None:
            return None
        f = _Fields(item, path, host_name, frozenset(ReplicationServer.__struct_fields__))
        entries = f.data.get("authorization_entries")
        return ReplicationServer(
            enabled=f.flag("enabled"),
            allowed_authentication=f.enum("allowed_authentication", AllowedAuthentication),
            allowed_from_any_server=f.flag("allowed_from_any_server"),
            certificate_thumbprint=f.text("certificate_thumbprint"),
            authorization_entries=None if entries is None else f.items("authorization_entries", entry),
            certificate=certificate(f.data.get("certificate"), f.at("certificate")),
            broker_certificate=certificate(f.data.get("broker_certificate"), f.at("broker_certificate")),
        )

    def cluster_resource(item: object, path: str) -> ClusterResource:
        f = _Fields(item, path, host_name, frozenset(ClusterResource.__struct_fields__))
        name, kind = f.text("name", required=True) or "", f.text("type", required=True) or ""
        state = f.data.get("state")
        if type(state) is int:
            # MSCluster_Resource.State is a uint32; kept as text, the form a name ("Online") also takes.
            state = str(f.at_most("state", shapes.CLUSTER_STATE_MAX, "a cluster resource state"))
        else:
            state = f.scalar_text("state")
        return ClusterResource(
            name,
            kind,
            state,
            recovery_server_enabled=f.flag("recovery_server_enabled"),
            certificate_thumbprint=f.text("certificate_thumbprint"),
            client_access_point=f.text("client_access_point"),
        )

    def qos_policy(item: object, path: str) -> QosPolicy:
        f = _Fields(item, path, host_name, _QOS_KEYS)
        return QosPolicy(
            f.text("name", required=True) or "",
            throttle_bits_per_second=f.count("throttle_bits_per_second"),
            dst_port_start=f.at_most("dst_port_start", shapes.PORT_MAX, "a port number"),
            dst_port_end=f.at_most("dst_port_end", shapes.PORT_MAX, "a port number"),
        )

    def vm_fast_first(item: object, path: str) -> VM:
        try:
            return msgspec.convert(item, VM)
        except msgspec.ValidationError:
            return vm(item, path)  # names the field msgspec refused, or reads it more loosely

    facts = host(root.required("host"), "host")
    vms = root.items("vms", vm_fast_first if vms_fast else vm, required=True)
    seen: dict[str, int] = {}
    for index, item in enumerate(vms):
        first = seen.setdefault(item.id, index)
        if first != index:
            # Keyed by VMId downstream: the second would silently replace the first and could hide a finding.
            root.fail(f"vms[{index}].id", f"{item.id} is also the id of vms[{first}]")
    return HostSnapshot(
        host=facts,
        vms=vms,
        errors=root.items("errors", error, required=True),
        collected_at=root.text("collected_at"),
        collector_version=root.text("collector_version"),
        source=source,
        replication_server=replication_server(root.data.get("replication_server"), "replication_server"),
        cluster_resources=(
            None if root.data.get("cluster_resources") is None else root.items("cluster_resources", cluster_resource)
        ),
        qos_policies=None if root.data.get("qos_policies") is None else root.items("qos_policies", qos_policy),
    )


def _time_of_day(f: _Fields, key: str) -> int | None:
    value = f.count(key)
    if value is not None and value >= shapes.DAY:
        f.fail(f.at(key), "must be a time of day, below 86400 seconds")
    return value
