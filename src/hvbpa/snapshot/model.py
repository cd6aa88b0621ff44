"""The host snapshot: what the collection script reported for one Hyper-V host.

Frozen values. Each is a msgspec Struct whose annotations are also its JSON shape:
:mod:`hvbpa.snapshot.parse` decodes a document straight into them (checked in C, unknown
keys refused) and falls back to its own checked parser only to say what is wrong or to
read what hosts write more loosely (enum names, numbers as text). Every later stage reads them.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Literal, TypeVar

from msgspec import Struct
from msgspec.structs import force_setattr

from hvbpa.snapshot.enums import (
    AllowedAuthentication,
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
from hvbpa.snapshot.shapes import Count, Guid, NonEmpty, Oid, Port, Seconds, TimeOfDay, Timestamp

SNAPSHOT_SCHEMA = "hvbpa.snapshot/1"
_V = TypeVar("_V")


class Value(Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    """The base of every snapshot value: immutable, strict about keys, and untracked by the
    cycle collector (a snapshot is a tree; a large fleet holds millions of these)."""


if TYPE_CHECKING:
    _RelationshipKind = RelationshipType | None
else:
    # The collector writes the relationship type by name (ConvertTo-Json of the enum's text);
    # __post_init__ turns the name into the member, so readers only ever see the member.
    _RelationshipKind = RelationshipType | Literal["Simple", "Extended"] | None
_RELATIONSHIP_NAMES = {"Simple": RelationshipType.SIMPLE, "Extended": RelationshipType.EXTENDED}


class HostFacts(Value, frozen=True):
    name: NonEmpty
    hyperv_module: bool
    is_admin: bool
    is_hyperv_admin: bool
    fqdn: str | None = None
    os_caption: str | None = None
    os_build: str | None = None
    ps_version: str | None = None
    cluster_name: str | None = None
    # The cluster's node names (absent from older snapshots): Get-VM on one node lists only the VMs it owns.
    cluster_nodes: tuple[NonEmpty, ...] | None = None


class Relationship(Value, frozen=True):
    type: _RelationshipKind = None
    mode: ReplicationMode | None = None
    state: ReplicationState | None = None
    health: ReplicationHealth | None = None
    primary_server: str | None = None
    replica_server: str | None = None
    current_replica_server: str | None = None
    # Settings of the relationship (Get-VMReplication). None: not reported, as on a host
    # whose collector predates them; rules then say "could not determine".
    frequency_seconds: Count | None = None
    compression_enabled: bool | None = None
    authentication_type: AuthenticationType | None = None
    app_consistent_hours: Count | None = None  # VSSSnapshotFrequencyHour; 0 = no application-consistent points
    auto_resync_enabled: bool | None = None
    auto_resync_start_seconds: TimeOfDay | None = None  # time of day the window opens, host local time
    auto_resync_end_seconds: TimeOfDay | None = None
    last_replication_time: Timestamp | None = None  # ISO 8601, UTC
    # Added for the BPA's rules 234, 235, 240, 241 and 244 (None: not reported by this collector).
    replica_port: Port | None = None  # ReplicaServerPort: the Replica server's listener this copy sends to
    recovery_history: Count | None = None  # RecoveryHistory: additional recovery points kept (0: latest only)
    replicated_disks: tuple[NonEmpty, ...] | None = None  # paths of ReplicatedDisks (the disks included)
    excluded_disks: tuple[NonEmpty, ...] | None = None  # paths of ExcludedDisks
    # ISO 8601 UTC; the FILETIME zero "1601-01-01T00:00:00Z" means no test failover was ever run.
    last_test_failover_time: Timestamp | None = None

    def __post_init__(self) -> None:
        kind: object = self.type
        if type(kind) is str:
            force_setattr(self, "type", _RELATIONSHIP_NAMES[kind])
        # The same few server names and times on every VM of a host: one copy each.
        primary, replica, current = self.primary_server, self.replica_server, self.current_replica_server
        if primary:
            force_setattr(self, "primary_server", sys.intern(primary))
        if replica:
            force_setattr(self, "replica_server", sys.intern(replica))
        if current:
            force_setattr(self, "current_replica_server", sys.intern(current))
        last, tested = self.last_replication_time, self.last_test_failover_time
        if last:
            force_setattr(self, "last_replication_time", _repeated(last))
        if tested:
            force_setattr(self, "last_test_failover_time", _repeated(tested))
        # Settings repeat across a host's VMs too (a 300-second frequency, port 443, a window),
        # and each integer above 256 is an object of its own as decoded: 112 bytes a VM.
        frequency, start, end, port = (
            self.frequency_seconds,
            self.auto_resync_start_seconds,
            self.auto_resync_end_seconds,
            self.replica_port,
        )
        if frequency is not None:
            force_setattr(self, "frequency_seconds", _shared(_NUMBERS, frequency, frequency))
        if start is not None:
            force_setattr(self, "auto_resync_start_seconds", _shared(_NUMBERS, start, start))
        if end is not None:
            force_setattr(self, "auto_resync_end_seconds", _shared(_NUMBERS, end, end))
        if port is not None:
            force_setattr(self, "replica_port", _shared(_NUMBERS, port, port))


class Replication(Value, frozen=True):
    mode: ReplicationMode
    state: ReplicationState
    health: ReplicationHealth | None = None
    relationships: tuple[Relationship, ...] = ()


class IntegrationService(Value, frozen=True):
    guid: Guid  # lower case (see VM.__post_init__)
    enabled: bool
    name: str | None = None
    # Raw PrimaryOperationalStatus: kept as an integer so that a value this
    # version does not know is still reported rather than rejected.
    primary_status: int | None = None
    secondary_status: int | None = None


class KvpGuestData(Value, frozen=True):
    integration_services_version: str | None = None
    os_name: str | None = None
    os_version: str | None = None


class FailoverConfig(Value, frozen=True):
    ipv4_address: str | None = None
    ipv4_subnet_mask: str | None = None
    ipv4_default_gateway: str | None = None
    ipv4_preferred_dns: str | None = None
    ipv4_alternate_dns: str | None = None
    ipv6_address: str | None = None
    ipv6_prefix_length: str | None = None
    ipv6_default_gateway: str | None = None
    ipv6_preferred_dns: str | None = None
    ipv6_alternate_dns: str | None = None

    def __post_init__(self) -> None:
        # A fleet's subnet masks, gateways and DNS servers repeat; each VM's own address does not.
        mask, gateway, dns = self.ipv4_subnet_mask, self.ipv4_default_gateway, self.ipv4_preferred_dns
        if mask:
            force_setattr(self, "ipv4_subnet_mask", _repeated(mask))
        if gateway:
            force_setattr(self, "ipv4_default_gateway", _repeated(gateway))
        if dns:
            force_setattr(self, "ipv4_preferred_dns", _repeated(dns))

    @property
    def addresses(self) -> tuple[str, ...]:
        v4, v6 = self.ipv4_address, self.ipv6_address
        if v4 and v6:
            return (v4, v6)
        return (v4,) if v4 else (v6,) if v6 else ()


class NetworkAdapter(Value, frozen=True):
    name: NonEmpty
    id: str | None = None
    failover: FailoverConfig | None = None

    def __post_init__(self) -> None:
        force_setattr(self, "name", sys.intern(self.name))  # "Network Adapter" on nearly every VM


class Checkpoint(Value, frozen=True):
    type: SnapshotType
    name: str | None = None


class VM(Value, frozen=True, kw_only=True):
    # Keyword-only, so that the lists every snapshot writes can be required (a snapshot
    # without them is refused) while the fields keep the order the collector writes them in.
    name: str  # Hyper-V keeps a VM whose name is empty
    id: Guid  # lower case (see __post_init__): the join key across hosts
    state: VMState
    replication: Replication
    uptime_seconds: Seconds | None = None
    heartbeat: HeartbeatStatus | None = None
    generation: int | None = None
    version: str | None = None
    type: VMType = VMType.REALIZED
    is_clustered: bool | None = None
    integration_services: tuple[IntegrationService, ...]
    kvp: KvpGuestData | None = None
    network_adapters: tuple[NetworkAdapter, ...]
    # Read only for failed-over VMs (the only ones a rule asks about); None: not read.
    checkpoints: tuple[Checkpoint, ...] | None = None

    def __post_init__(self) -> None:
        force_setattr(self, "id", self.id.lower())
        # Six services a VM in a handful of states across a host, and one guest OS: one shared
        # (immutable) value per distinct one instead of a copy per VM.
        force_setattr(self, "integration_services", _shared_services(self.integration_services))
        if self.kvp is not None:
            force_setattr(self, "kvp", _shared(_KVPS, self.kvp, self.kvp))
        if self.version:
            force_setattr(self, "version", sys.intern(self.version))

    def integration_service(self, guid: str) -> IntegrationService | None:
        for service in self.integration_services:  # a loop, not next(): asked per VM by several rules
            if service.guid == guid:
                return service
        return None


# Bounded caches of shared values (emptied when full), keyed by the values as decoded: equal
# frozen structs hash alike, and a hit costs one lookup in C.
_SHARED_MAX = 4096
_SERVICES: dict[IntegrationService, IntegrationService] = {}
_SERVICE_LISTS: dict[tuple[IntegrationService, ...], tuple[IntegrationService, ...]] = {}
_KVPS: dict[KvpGuestData, KvpGuestData] = {}
_REPEATS: dict[str, str] = {}
_NUMBERS: dict[int, int] = {}


def _shared(cache: dict[_V, _V], key: _V, value: _V) -> _V:
    """The cached value for key, or value (cached under key)."""
    found = cache.get(key)
    if found is None:
        if len(cache) >= _SHARED_MAX:
            cache.clear()
        found = cache[key] = value
    return found


def _repeated(text: str) -> str:
    """One copy of text that repeats across VMs (a replication time), without sys.intern's
    process-lifetime table."""
    return _shared(_REPEATS, text, text)


def _shared_services(services: tuple[IntegrationService, ...]) -> tuple[IntegrationService, ...]:
    found = _SERVICE_LISTS.get(services)
    if found is None:
        found = tuple(map(_shared_service, services))
        _shared(_SERVICE_LISTS, services, found)
        _shared(_SERVICE_LISTS, found, found)  # the lower-case list is asked for by value too
    return found


def _shared_service(service: IntegrationService) -> IntegrationService:
    found = _SERVICES.get(service)
    if found is None:
        lowered = service.guid.lower()
        if lowered != service.guid:
            found = IntegrationService(
                lowered, service.enabled, service.name, service.primary_status, service.secondary_status
            )
            found = _shared(_SERVICES, found, found)
        else:
            found = service
        _shared(_SERVICES, service, found)
    return found


class AuthorizationEntry(Value, frozen=True):
    allowed_primary_server: NonEmpty
    replica_storage_location: str | None = None
    trust_group: str | None = None


class Certificate(Value, frozen=True):
    """The LocalMachine\\My entry for the configured thumbprint, read only."""

    thumbprint: NonEmpty
    found: bool
    subject: str | None = None
    not_after: Timestamp | None = None  # ISO 8601, UTC
    has_private_key: bool | None = None
    # What the BPA's rule 238 matches (None: not reported by this collector).
    dns_names: tuple[NonEmpty, ...] | None = None  # the DNS names in the certificate (subject alternative names, or CN)
    enhanced_key_usages: tuple[Oid, ...] | None = None  # EKU OIDs; Server Authentication is 1.3.6.1.5.5.7.3.1
    chain_valid: bool | None = None  # X509Chain.Build with revocation checked offline (offline/unknown accepted)


class ReplicationServer(Value, frozen=True):
    """Get-VMReplicationServer, its authorization entries and its certificate. None fields: not reported."""

    enabled: bool | None = None
    allowed_authentication: AllowedAuthentication | None = None
    allowed_from_any_server: bool | None = None
    certificate_thumbprint: str | None = None
    authorization_entries: tuple[AuthorizationEntry, ...] | None = None
    certificate: Certificate | None = None  # None: not looked up (no thumbprint, or not collected)
    # On a cluster node with a Replica Broker: the store entry for the broker's thumbprint, looked up on this node.
    broker_certificate: Certificate | None = None


class ClusterResource(Value, frozen=True):
    name: NonEmpty
    type: NonEmpty  # the resource type's name, which is not localized (unlike display names)
    state: str | None = None  # MSCluster_Resource.State as written ("2" or "Online" is online)
    # The Replica Broker's private properties (None on other resources, or not read).
    recovery_server_enabled: bool | None = None
    certificate_thumbprint: str | None = None
    # The broker's client access point as an FQDN (the network name it depends on, plus the cluster's domain).
    client_access_point: str | None = None


class QosPolicy(Value, frozen=True):
    """Get-NetQosPolicy: a policy that may throttle traffic to a destination port range."""

    name: NonEmpty
    throttle_bits_per_second: Count | None = None  # ThrottleRateActionBitsPerSecond; 0 or None: no throttle
    dst_port_start: Port | None = None  # IPDstPortStartMatchCondition
    dst_port_end: Port | None = None  # IPDstPortEndMatchCondition


class CollectionError(Value, frozen=True):
    section: NonEmpty
    message: NonEmpty
    vm_id: str | None = None  # lower case; empty reads as None

    def __post_init__(self) -> None:
        force_setattr(self, "vm_id", self.vm_id.lower() if self.vm_id else None)


class HostSnapshot(Value, frozen=True, kw_only=True):
    host: HostFacts
    vms: tuple[VM, ...]
    errors: tuple[CollectionError, ...]  # required in a document (an empty list when all went well)
    collected_at: str | None = None
    collector_version: str | None = None
    source: str = ""  # in the model only (not in JSON, not compared): where the document came from
    # Host-level sections, absent from snapshots of older collectors: None = not collected.
    replication_server: ReplicationServer | None = None
    cluster_resources: tuple[ClusterResource, ...] | None = None
    # Get-NetQosPolicy (None: not collected; a host without the NetQos module reports an error in "qos_policies").
    qos_policies: tuple[QosPolicy, ...] | None = None

    def __eq__(self, other: object) -> bool:
        if type(other) is not HostSnapshot:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in _COMPARED)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, name) for name in _COMPARED))

    def errors_for(self, section: str, vm_id: str | None = None) -> tuple[CollectionError, ...]:
        """Errors of a section that touch the whole host or the given VM."""
        if not self.errors:
            return ()  # the usual case, asked once per VM
        return tuple(e for e in self.errors if e.section == section and (e.vm_id is None or e.vm_id == vm_id))


_COMPARED = tuple(name for name in HostSnapshot.__struct_fields__ if name != "source")
