"""The host snapshot: what the collection script reported for one Hyper-V host.

Frozen values, built only by :mod:`hvbpa.snapshot.parse`; every later stage reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hvbpa.snapshot.enums import (
    HeartbeatStatus,
    RelationshipType,
    ReplicationHealth,
    ReplicationMode,
    ReplicationState,
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

    def integration_service(self, guid: str) -> IntegrationService | None:
        return next((s for s in self.integration_services if s.guid == guid), None)


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

    def errors_for(self, section: str, vm_id: str | None = None) -> tuple[CollectionError, ...]:
        """Errors of a section that touch the whole host or the given VM."""
        if not self.errors:
            return ()  # the usual case, asked once per VM
        return tuple(e for e in self.errors if e.section == section and (e.vm_id is None or e.vm_id == vm_id))
