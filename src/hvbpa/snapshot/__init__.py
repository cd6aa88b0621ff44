"""Host snapshots: what one host reported, as frozen values.

Takes the collection script's JSON (checked parser with a fast path for the common
shape) and gives a :class:`HostSnapshot`, wrapped in a :class:`HostOutcome` that may
instead carry the host's failure.
"""

from hvbpa.snapshot.dump import dump_snapshot
from hvbpa.snapshot.enums import (
    KVP_GUID,
    VSS_GUID,
    AllowedAuthentication,
    AuthenticationType,
    OperationalStatus,
    RelationshipType,
    ReplicationMode,
    ReplicationState,
    SnapshotType,
    VMState,
    VMType,
    display,
)
from hvbpa.snapshot.model import (
    VM,
    AuthorizationEntry,
    Certificate,
    ClusterResource,
    HostSnapshot,
    QosPolicy,
    Relationship,
    ReplicationServer,
)
from hvbpa.snapshot.outcome import HostOutcome, HostStatus
from hvbpa.snapshot.parse import SnapshotError, json_problem, parse_snapshot, snapshot_from_data

__all__ = [
    "KVP_GUID",
    "VM",
    "VSS_GUID",
    "AllowedAuthentication",
    "AuthenticationType",
    "AuthorizationEntry",
    "Certificate",
    "ClusterResource",
    "HostOutcome",
    "HostSnapshot",
    "HostStatus",
    "OperationalStatus",
    "QosPolicy",
    "Relationship",
    "RelationshipType",
    "ReplicationMode",
    "ReplicationServer",
    "ReplicationState",
    "SnapshotError",
    "SnapshotType",
    "VMState",
    "VMType",
    "display",
    "dump_snapshot",
    "json_problem",
    "parse_snapshot",
    "snapshot_from_data",
]
