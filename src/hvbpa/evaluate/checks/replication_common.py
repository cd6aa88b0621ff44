"""What the Hyper-V Replica rules (HVR002-HVR011, HVX001-HVX002) share.

Which VMs and relationships a rule looks at, how a verdict is built, and the small
pieces of time arithmetic the settings need. Pure: "now" arrives in the context.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from hvbpa.evaluate.checks import HostCheck
from hvbpa.evaluate.results import Evidence, HostVerdict, Status, VMVerdict
from hvbpa.i18n import Reason
from hvbpa.snapshot import (
    VM,
    HostSnapshot,
    Relationship,
    RelationshipType,
    ReplicationMode,
    ReplicationServer,
    ReplicationState,
    VMType,
    display,
)

REPLICATED_MODES = frozenset({ReplicationMode.PRIMARY, ReplicationMode.REPLICA, ReplicationMode.EXTENDED_REPLICA})
DAY = 86400


def replicated(vm: VM) -> bool:
    """A real VM in a replication relationship (TestReplica copies are temporary: out of scope)."""
    return (
        vm.type is not VMType.PLANNED
        and vm.replication.mode in REPLICATED_MODES
        and vm.replication.state is not ReplicationState.DISABLED
    )


def sending(vm: VM) -> tuple[Relationship, ...]:
    """The relationships over which this copy sends replication traffic.

    A primary sends over its simple relationship; a Replica sends to an extended
    Replica over its extended relationship. The receiving end's settings mirror the
    sender's, so judging them there would report every finding twice.
    """
    if vm.type is VMType.PLANNED or vm.replication.state is ReplicationState.DISABLED:
        return ()
    mode = vm.replication.mode
    return tuple(
        r
        for r in vm.replication.relationships
        if (mode is ReplicationMode.PRIMARY and r.type is not RelationshipType.EXTENDED)
        or (mode is ReplicationMode.REPLICA and r.type is RelationshipType.EXTENDED)
    )


def target(relationship: Relationship) -> str:
    return relationship.current_replica_server or relationship.replica_server or "?"


def vm_verdict(
    snapshot: HostSnapshot, vm: VM, status: Status, reason: Reason, inferred: str | None = None
) -> VMVerdict:
    evidence = {
        Status.NOT_APPLICABLE: Evidence.NONE,
        Status.UNDETERMINED: Evidence.UNKNOWN,
    }.get(status, Evidence.OBSERVED)
    return VMVerdict(
        vm_name=vm.name,
        vm_id=vm.id,
        host=snapshot.host.name,
        replication_mode=display(vm.replication.mode),
        status=status,
        evidence=evidence,
        reason=reason,
        inferred_from=inferred,
        state=display(vm.state),
    )


def per_vm(snapshots: Sequence[HostSnapshot], judge: Callable[[HostSnapshot, VM], VMVerdict | None]) -> list[HostCheck]:
    """A HostCheck per snapshot with the verdict ``judge`` gives each VM (None: VM left out)."""
    checks = []
    for snapshot in snapshots:
        verdicts = tuple(v for vm in snapshot.vms if (v := judge(snapshot, vm)) is not None)
        checks.append(HostCheck(verdicts))
    return checks


def host_verdict(status: Status, code: str, **params: object) -> HostCheck:
    return HostCheck(verdict=HostVerdict(status, Reason.of(code, **params)))


def section_missing(snapshot: HostSnapshot, section: str, vm_id: str | None = None) -> Reason:
    """Why data is absent: the host's own error for the section, or a collector that never read it."""
    errors = snapshot.errors_for(section, vm_id)
    if errors:
        return Reason.of("collection-error", section=section, message=errors[0].message)
    return Reason.of("section-not-collected", section=section)


def replica_server(snapshot: HostSnapshot) -> ReplicationServer | HostCheck:
    """The host's Replica server settings, or the verdict when they cannot be judged."""
    server = snapshot.replication_server
    if server is None:
        return HostCheck(verdict=HostVerdict(Status.UNDETERMINED, section_missing(snapshot, "replication_server")))
    if server.enabled is None:
        return host_verdict(Status.UNDETERMINED, "setting-not-reported", setting="ReplicationEnabled")
    if not server.enabled:
        return host_verdict(Status.NOT_APPLICABLE, "replica-server-disabled")
    return server


def parse_time(text: str | None) -> datetime | None:
    """A snapshot timestamp (checked ISO 8601 by the parser) as an aware UTC datetime."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None  # collected_at is free text in older snapshots
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def clock(seconds: int) -> str:
    """Seconds since midnight as HH:MM."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _arcs(start: int, end: int) -> list[tuple[int, int]]:
    """A daily window as half-open ranges within one day; start == end is the whole day."""
    if start == end:
        return [(0, DAY)]
    if start < end:
        return [(start, end)]
    return [(start, DAY), (0, end)]


def windows_overlap(first: tuple[int, int], second: tuple[int, int]) -> bool:
    """Whether two daily windows (which may wrap past midnight) share any moment."""
    return any(a < d and c < b for a, b in _arcs(*first) for c, d in _arcs(*second))
