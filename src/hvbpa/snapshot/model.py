"""The host snapshot: what the collection script reported for one Hyper-V host.

Frozen values, built only by :mod:`hvbpa.snapshot.parse`; every later stage reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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

SNAPSHOT_SCHEMA = "hvbpa.snapshot/1"


@dataclass(frozen=True, slots=True)
class HostFacts:
    name: str
    hyperv_module: bool
    is_admin: bool
    is_hyperv_admin: bool
    fqdn: str | None = None
    os_caption: str | None = None
    os_build: str | None = None
    ps_version: str | None = None
    cluster_name: str | None = None
    # The cluster's node names (absent from older snapshots): Get-VM on one node lists only the VMs it owns.
    cluster_nodes: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Relationship:
    type: RelationshipType | None
    mode: ReplicationMode | None
    state: ReplicationState | None
    health: ReplicationHealth | None
    primary_server: str | None
    replica_server: str | None
    current_replica_server: str | None
    # Settings of the relationship (Get-VMReplication). None: not reported, as on a host
    # whose collector predates them; rules then say "could not determine".
    frequency_seconds: int | None = None
    compression_enabled: bool | None = None
    authentication_type: AuthenticationType | None = None
    app_consistent_hours: int | None = None  # VSSSnapshotFrequencyHour; 0 = no application-consistent points
    auto_resync_enabled: bool | None = None
    auto_resync_start_seconds: int | None = None  # time of day the window opens, host local time
    auto_resync_end_seconds: int | None = None
    last_replication_time: str | None = None  # ISO 8601, UTC
    # Added for the BPA's rules 234, 235, 240, 241 and 244 (None: not reported by this collector).
    replica_port: int | None = None  # ReplicaServerPort: the Replica server's listener this copy sends to
    recovery_history: int | None = None  # RecoveryHistory: additional recovery points kept (0: latest only)
    replicated_disks: tuple[str, ...] | None = None  # paths of ReplicatedDisks (the disks included)
    excluded_disks: tuple[str, ...] | None = None  # paths of ExcludedDisks
    # ISO 8601 UTC; the FILETIME zero "1601-01-01T00:00:00Z" means no test failover was ever run.
    last_test_failover_time: str | None = None


@dataclass(frozen=True, slots=True)
class Replication:
    mode: ReplicationMode
    state: ReplicationState
    health: ReplicationHealth | None = None
    relationships: tuple[Relationship, ...] = ()


@dataclass(frozen=True, slots=True)
class IntegrationService:
    guid: str  # lower case
    enabled: bool
    name: str | None = None
    # Raw PrimaryOperationalStatus: kept as an integer so that a value this
    # version does not know is still reported rather than rejected.
    primary_status: int | None = None
    secondary_status: int | None = None


@dataclass(frozen=True, slots=True)
class KvpGuestData:
    integration_services_version: str | None = None
    os_name: str | None = None
    os_version: str | None = None


@dataclass(frozen=True, slots=True)
class FailoverConfig:
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

    @property
    def addresses(self) -> tuple[str, ...]:
        return tuple(a for a in (self.ipv4_address, self.ipv6_address) if a)


@dataclass(frozen=True, slots=True)
class NetworkAdapter:
    name: str
    id: str | None = None
    failover: FailoverConfig | None = None


@dataclass(frozen=True, slots=True)
class Checkpoint:
    type: SnapshotType
    name: str | None = None


@dataclass(frozen=True, slots=True)
class VM:
    name: str
    id: str  # lower-case GUID: the join key across hosts
    state: VMState
    replication: Replication
    uptime_seconds: float | None = None
    heartbeat: HeartbeatStatus | None = None
    generation: int | None = None
    version: str | None = None
    type: VMType = VMType.REALIZED
    is_clustered: bool | None = None
    integration_services: tuple[IntegrationService, ...] = ()
    kvp: KvpGuestData | None = None
    network_adapters: tuple[NetworkAdapter, ...] = ()
    # Read only for failed-over VMs (the only ones a rule asks about); None: not read.
    checkpoints: tuple[Checkpoint, ...] | None = None

    def integration_service(self, guid: str) -> IntegrationService | None:
        return next((s for s in self.integration_services if s.guid == guid), None)


@dataclass(frozen=True, slots=True)
class AuthorizationEntry:
    allowed_primary_server: str
    replica_storage_location: str | None = None
    trust_group: str | None = None


@dataclass(frozen=True, slots=True)
class Certificate:
    """The LocalMachine\\My entry for the configured thumbprint, read only."""

    thumbprint: str
    found: bool
    subject: str | None = None
    not_after: str | None = None  # ISO 8601, UTC
    has_private_key: bool | None = None
    # What the BPA's rule 238 matches (None: not reported by this collector).
    dns_names: tuple[str, ...] | None = None  # the DNS names in the certificate (subject alternative names, or CN)
    enhanced_key_usages: tuple[str, ...] | None = None  # EKU OIDs; Server Authentication is 1.3.6.1.5.5.7.3.1
    chain_valid: bool | None = None  # X509Chain.Build with revocation checked offline (offline/unknown accepted)


@dataclass(frozen=True, slots=True)
class ReplicationServer:
    """Get-VMReplicationServer, its authorization entries and its certificate. None fields: not reported."""

    enabled: bool | None = None
    allowed_authentication: AllowedAuthentication | None = None
    allowed_from_any_server: bool | None = None
    certificate_thumbprint: str | None = None
    authorization_entries: tuple[AuthorizationEntry, ...] | None = None
    certificate: Certificate | None = None  # None: not looked up (no thumbprint, or not collected)
    # On a cluster node with a Replica Broker: the store entry for the broker's thumbprint, looked up on this node.
    broker_certificate: Certificate | None = None


@dataclass(frozen=True, slots=True)
class ClusterResource:
    name: str
    type: str  # the resource type's name, which is not localized (unlike display names)
    state: str | None = None  # MSCluster_Resource.State as written ("2" or "Online" is online)
    # The Replica Broker's private properties (None on other resources, or not read).
    recovery_server_enabled: bool | None = None
    certificate_thumbprint: str | None = None
    # The broker's client access point as an FQDN (the network name it depends on, plus the cluster's domain).
    client_access_point: str | None = None


@dataclass(frozen=True, slots=True)
class QosPolicy:
    """Get-NetQosPolicy: a policy that may throttle traffic to a destination port range."""

    name: str
    throttle_bits_per_second: int | None = None  # ThrottleRateActionBitsPerSecond; 0 or None: no throttle
    dst_port_start: int | None = None  # IPDstPortStartMatchCondition
    dst_port_end: int | None = None  # IPDstPortEndMatchCondition


@dataclass(frozen=True, slots=True)
class CollectionError:
    section: str
    message: str
    vm_id: str | None = None


@dataclass(frozen=True, slots=True)
class HostSnapshot:
    host: HostFacts
    vms: tuple[VM, ...]
    errors: tuple[CollectionError, ...] = ()
    collected_at: str | None = None
    collector_version: str | None = None
    source: str = field(default="", compare=False)
    # Host-level sections, absent from snapshots of older collectors: None = not collected.
    replication_server: ReplicationServer | None = None
    cluster_resources: tuple[ClusterResource, ...] | None = None
    # Get-NetQosPolicy (None: not collected; a host without the NetQos module reports an error in "qos_policies").
    qos_policies: tuple[QosPolicy, ...] | None = None

    def errors_for(self, section: str, vm_id: str | None = None) -> tuple[CollectionError, ...]:
        """Errors of a section that touch the whole host or the given VM."""
        if not self.errors:
            return ()  # the usual case, asked once per VM
        return tuple(e for e in self.errors if e.section == section and (e.vm_id is None or e.vm_id == vm_id))
