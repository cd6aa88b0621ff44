"""The common shape of a snapshot's VM, built without the general checker.

Hosts write the same shape thousands of times (a 1,024-VM host is some 60,000 JSON
objects), so the checked parser's per-field machinery dominated the cost of a scan.
These builders apply the same rules (known keys only, exact types, enums as known
integers) inline, and return None for anything else: an enum written as a name, a
wrong type, an unknown key. The checked parser then handles that object and, for a
real error, names the field. ``tests/snapshot/test_schema.py`` and
``tests/hardening/test_fuzz_snapshot_parsers.py`` run both on the same documents.
"""

from __future__ import annotations

import functools
import re
import sys
from typing import Any

from hvbpa.snapshot.enums import (
    AuthenticationType,
    HeartbeatStatus,
    RelationshipType,
    ReplicationHealth,
    ReplicationMode,
    ReplicationState,
    SnapshotType,
    VMState,
    VMType,
)
from hvbpa.snapshot.model import (
    VM,
    Checkpoint,
    FailoverConfig,
    IntegrationService,
    KvpGuestData,
    NetworkAdapter,
    Relationship,
    Replication,
)

GUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")

# An object's JSON keys are its dataclass's field names (the generated schema says the same).
VM_KEYS = frozenset(VM.__dataclass_fields__)
REPLICATION_KEYS = frozenset(Replication.__dataclass_fields__)
RELATIONSHIP_KEYS = frozenset(Relationship.__dataclass_fields__)
CHECKPOINT_KEYS = frozenset(Checkpoint.__dataclass_fields__)
SERVICE_KEYS = frozenset(IntegrationService.__dataclass_fields__)
KVP_KEYS = frozenset(KvpGuestData.__dataclass_fields__)
ADAPTER_KEYS = frozenset(NetworkAdapter.__dataclass_fields__)
FAILOVER_KEYS = frozenset(FailoverConfig.__dataclass_fields__)

_MISSING: Any = object()


@functools.lru_cache(maxsize=4096)
def guid_lower(text: str) -> str | None:
    """Checked and lower-cased; cached because the same service GUIDs recur on every VM."""
    return sys.intern(text.lower()) if GUID.fullmatch(text) else None


def _shared(text: str | None) -> str | None:
    """One copy of text that repeats on every VM (server names, OS names, adapter names)."""
    return sys.intern(text) if text else text


_REPEATS: dict[str, str] = {}
_REPEATS_MAX = 4096


def _repeated(text: str | None) -> str | None:
    """One copy of a value that often repeats across a host's VMs (a replication time, a
    subnet mask) without sys.intern's process-lifetime table: a bounded cache, emptied when full."""
    if not text:
        return text
    found = _REPEATS.get(text)
    if found is None:
        if len(_REPEATS) >= _REPEATS_MAX:
            _REPEATS.clear()
        found = _REPEATS[text] = text
    return found


def _enum(members: dict[Any, Any], value: object, *, optional: bool = True) -> Any:
    """A member for a known integer, None for null (when allowed), _MISSING otherwise."""
    if value is None:
        return None if optional else _MISSING
    if type(value) is int:
        return members.get(value, _MISSING)
    return _MISSING


def _text(value: object) -> bool:
    return value is None or type(value) is str


def _flag(value: object) -> bool:
    return value is None or type(value) is bool


def _count(value: object, below: int | None = None) -> bool:
    return value is None or (type(value) is int and value >= 0 and (below is None or value < below))


def _paths(value: object) -> tuple[str, ...] | Any | None:
    """A list of non-empty strings as a tuple; _MISSING for anything else."""
    if value is None:
        return None
    if type(value) is not list:
        return _MISSING
    for text in value:
        if type(text) is not str or not text:
            return _MISSING
    return tuple(value)


# ISO 8601 as the collector writes it (UTC, "Z"). The shape only, exactly as the schema's
# pattern says: a rule that cannot read a well-shaped but impossible date treats it as missing.
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})")


def is_timestamp(text: str) -> bool:
    return TIMESTAMP.fullmatch(text) is not None


# Limits both parsers and the generated schema (hvbpa.snapshot.schema_gen) use.
DAY = 86400  # a time of day in seconds is below this
PORT_MAX = 65535
CLUSTER_STATE_MAX = 2**32 - 1  # MSCluster_Resource.State is a uint32
OID = re.compile(r"[0-2](\.[0-9]+)+")  # dotted decimal, as X509EnhancedKeyUsageExtension lists them


_STATES = VMState._value2member_map_
_MODES = ReplicationMode._value2member_map_
_REPLICATION_STATES = ReplicationState._value2member_map_
_HEALTH = ReplicationHealth._value2member_map_
_HEARTBEAT = HeartbeatStatus._value2member_map_
_TYPES = VMType._value2member_map_
_RELATIONSHIP_TYPES = RelationshipType._value2member_map_
_RELATIONSHIP_NAMES = {"Simple": RelationshipType.SIMPLE, "Extended": RelationshipType.EXTENDED}
_AUTHENTICATION = AuthenticationType._value2member_map_
_SNAPSHOT_TYPES = SnapshotType._value2member_map_


_SERVICES: dict[tuple[object, ...], IntegrationService] = {}
_SERVICES_MAX = 4096


def service(item: object) -> IntegrationService | None:
    if type(item) is not dict or not item.keys() <= SERVICE_KEYS:
        return None
    guid, enabled, name = item.get("guid"), item.get("enabled"), item.get("name")
    primary, secondary = item.get("primary_status"), item.get("secondary_status")
    if not (
        type(guid) is str
        and type(enabled) is bool
        and _text(name)
        and (primary is None or type(primary) is int)
        and (secondary is None or type(secondary) is int)
    ):
        return None
    # Six services a VM, in a handful of states across a host: one shared (immutable)
    # value per distinct service saves an object per service and the work of making it.
    key = (guid, enabled, name, primary, secondary)
    shared = _SERVICES.get(key)
    if shared is not None:
        return shared
    lowered = guid_lower(guid)
    if lowered is None:
        return None
    built = IntegrationService(lowered, enabled, sys.intern(name) if name else name, primary, secondary)
    if len(_SERVICES) >= _SERVICES_MAX:
        _SERVICES.clear()
    _SERVICES[key] = built
    return built


def relationship(item: object) -> Relationship | None:
    if type(item) is not dict or not item.keys() <= RELATIONSHIP_KEYS:
        return None
    kind = item.get("type")
    kind_member = _RELATIONSHIP_NAMES.get(kind, _MISSING) if type(kind) is str else _enum(_RELATIONSHIP_TYPES, kind)
    mode = _enum(_MODES, item.get("mode"))
    state = _enum(_REPLICATION_STATES, item.get("state"))
    health = _enum(_HEALTH, item.get("health"))
    servers = (item.get("primary_server"), item.get("replica_server"), item.get("current_replica_server"))
    if _MISSING in (kind_member, mode, state, health) or not all(_text(s) for s in servers):
        return None
    auth = _enum(_AUTHENTICATION, item.get("authentication_type"))
    frequency, hours = item.get("frequency_seconds"), item.get("app_consistent_hours")
    compression, resync = item.get("compression_enabled"), item.get("auto_resync_enabled")
    start, end = item.get("auto_resync_start_seconds"), item.get("auto_resync_end_seconds")
    last = item.get("last_replication_time")
    port, history, tested = item.get("replica_port"), item.get("recovery_history"), item.get("last_test_failover_time")
    replicated, excluded = _paths(item.get("replicated_disks")), _paths(item.get("excluded_disks"))
    if (
        auth is _MISSING
        or not (_count(frequency) and _count(hours) and _flag(compression) and _flag(resync))
        or not (_count(start, DAY) and _count(end, DAY))
        or not (last is None or (type(last) is str and is_timestamp(last)))
        or not (_count(port, PORT_MAX + 1) and _count(history))
        or replicated is _MISSING
        or excluded is _MISSING
        or not (tested is None or (type(tested) is str and is_timestamp(tested)))
    ):
        return None
    # Frozen and equal: one shared object per distinct relationship (a host's VMs mostly
    # replicate alike). Keyed by the checked raw values, whose hashes are cheap.
    key: tuple[object, ...] = (
        kind,
        item.get("mode"),
        item.get("state"),
        item.get("health"),
        *servers,
        frequency,
        compression,
    )
    key += (item.get("authentication_type"), hours, resync, start, end, last, port, history, replicated, excluded)
    key += (tested,)
    found = _RELATIONSHIPS.get(key)
    if found is None:
        primary, replica, current = (_shared(s) for s in servers)
        found = Relationship(
            kind_member,
            mode,
            state,
            health,
            primary,
            replica,
            current,
            frequency,
            compression,
            auth,
            hours,
            resync,
            start,
            end,
            _repeated(last),
            port,
            history,
            replicated,
            excluded,
            _repeated(tested),
        )
        if len(_RELATIONSHIPS) >= _SHARED_MAX:
            _RELATIONSHIPS.clear()
        _RELATIONSHIPS[key] = found
    return found


_NO_RELATIONSHIPS: list[object] = []  # read only
_RELATIONSHIPS: dict[tuple[object, ...], Relationship] = {}
_REPLICATIONS: dict[tuple[object, ...], Replication] = {}
_SHARED_MAX = 4096


def replication(item: object) -> Replication | None:
    if type(item) is not dict or not item.keys() <= REPLICATION_KEYS:
        return None
    mode = _enum(_MODES, item.get("mode"), optional=False)
    state = _enum(_REPLICATION_STATES, item.get("state"), optional=False)
    health = _enum(_HEALTH, item.get("health"))
    # Absent is none; null is refused, as the schema does (the collector always writes a list).
    raw = item.get("relationships", _NO_RELATIONSHIPS)
    if _MISSING in (mode, state, health) or type(raw) is not list:
        return None
    relationships = tuple(relationship(r) for r in raw)
    if None in relationships:
        return None
    # Shared like the relationships; keyed by their ids, which the cached value keeps alive.
    key = (item.get("mode"), item.get("state"), item.get("health"), *map(id, relationships))
    found = _REPLICATIONS.get(key)
    if found is None:
        found = Replication(mode, state, health, relationships)  # type: ignore[arg-type]
        if len(_REPLICATIONS) >= _SHARED_MAX:
            _REPLICATIONS.clear()
        _REPLICATIONS[key] = found
    return found


def kvp(item: object) -> KvpGuestData | Any | None:
    if item is None:
        return None
    if type(item) is not dict or not item.keys() <= KVP_KEYS or not all(_text(v) for v in item.values()):
        return _MISSING
    return KvpGuestData(
        _shared(item.get("integration_services_version")), _shared(item.get("os_name")), _shared(item.get("os_version"))
    )


def adapter(item: object) -> NetworkAdapter | None:
    if type(item) is not dict or not item.keys() <= ADAPTER_KEYS:
        return None
    name, ident, failover = item.get("name"), item.get("id"), item.get("failover")
    if type(name) is not str or not name or not _text(ident):
        return None
    config = None
    if failover is not None:
        if type(failover) is not dict or not failover.keys() <= FAILOVER_KEYS:
            return None
        if not all(_text(v) for v in failover.values()):
            return None  # e.g. an integer prefix length: the checked parser converts it
        config = FailoverConfig(**{key: _repeated(value) for key, value in failover.items()})
    return NetworkAdapter(sys.intern(name), ident, config)


def checkpoints(value: object) -> tuple[Checkpoint, ...] | Any | None:
    if value is None:
        return None
    if type(value) is not list:
        return _MISSING
    built = []
    for item in value:
        if type(item) is not dict or not item.keys() <= CHECKPOINT_KEYS:
            return _MISSING
        kind = _enum(_SNAPSHOT_TYPES, item.get("type"), optional=False)
        name = item.get("name")
        if kind is _MISSING or not _text(name):
            return _MISSING
        built.append(Checkpoint(kind, name))
    return tuple(built)


def vm(item: object) -> VM | None:
    if type(item) is not dict or not item.keys() <= VM_KEYS:
        return None
    name, ident = item.get("name", _MISSING), item.get("id")
    uptime, generation, version = item.get("uptime_seconds"), item.get("generation"), item.get("version")
    clustered = item.get("is_clustered")
    services, adapters = item.get("integration_services"), item.get("network_adapters")
    state = _enum(_STATES, item.get("state"), optional=False)
    heartbeat = _enum(_HEARTBEAT, item.get("heartbeat"))
    vm_type = _enum(_TYPES, item.get("type"))
    if (
        type(name) is not str
        or type(ident) is not str
        or _MISSING in (state, heartbeat, vm_type)
        or not (uptime is None or (type(uptime) in (int, float) and 0 <= uptime <= 1e15))
        or not (generation is None or type(generation) is int)
        or not _text(version)
        or not (clustered is None or type(clustered) is bool)
        or type(services) is not list
        or type(adapters) is not list
    ):
        return None
    # VM ids are unique: checked here rather than through the cache the recurring service GUIDs live in.
    vm_id = ident.lower() if GUID.fullmatch(ident) else None
    repl = replication(item.get("replication"))
    guest = kvp(item.get("kvp"))
    built_services = tuple(service(s) for s in services)
    built_adapters = tuple(adapter(a) for a in adapters)
    points = checkpoints(item.get("checkpoints"))
    if (
        vm_id is None
        or repl is None
        or guest is _MISSING
        or points is _MISSING
        or None in built_services
        or None in built_adapters
    ):
        return None
    return VM(
        name=name,
        id=vm_id,
        state=state,
        replication=repl,
        uptime_seconds=None if uptime is None else float(uptime),
        heartbeat=heartbeat,
        generation=generation,
        version=_shared(version),
        type=vm_type or VMType.REALIZED,
        is_clustered=clustered,
        integration_services=built_services,  # type: ignore[arg-type]
        kvp=guest,
        network_adapters=built_adapters,  # type: ignore[arg-type]
        checkpoints=points,
    )
