"""Rules on a replicated VM's state, judged per VM.

HVR005: application-consistent recovery points need the guest's VSS (Backup) integration service.
HVR006: replication should not stay paused.
HVR011: a failed-over VM's replica recovery checkpoints should be removed (Complete-VMFailover).
"""

from __future__ import annotations

from collections.abc import Sequence

from hvbpa.evaluate.checks import CheckContext, HostCheck, register
from hvbpa.evaluate.checks.replication_common import (
    Replicated,
    per_vm,
    reason,
    replicated,
    section_missing,
    verdict,
)
from hvbpa.evaluate.results import Status, VMVerdict
from hvbpa.i18n import Reason
from hvbpa.snapshot import (
    VM,
    VSS_GUID,
    HostSnapshot,
    OperationalStatus,
    ReplicationMode,
    ReplicationState,
    SnapshotType,
    VMState,
    display,
)

# Replica recovery points; Recovery (1) checkpoints belong to backup software and are not counted.
REPLICA_CHECKPOINTS = frozenset(
    {SnapshotType.REPLICA, SnapshotType.APP_CONSISTENT_REPLICA, SnapshotType.SYNCED_REPLICA}
)
_LISTED = 5


def _status_name(status: int) -> str:
    try:
        return display(OperationalStatus(status))
    except ValueError:
        return str(status)


def _app_consistent_hours(vm: VM) -> int | None:
    known = [r.app_consistent_hours for r in vm.replication.relationships if r.app_consistent_hours is not None]
    return max(known) if known else None


def _guest_vss(ctx: CheckContext, snapshot: HostSnapshot, vm: VM, hours: int) -> tuple[Status, Reason] | None:
    """What the VM's own VSS service says; None when the guest cannot be seen (not running)."""
    service = vm.integration_service(VSS_GUID)
    if service is None:
        return Status.UNDETERMINED, Reason.of("vss-service-missing")
    if not service.enabled:
        return Status.NONCOMPLIANT, Reason.of("vss-disabled", hours=hours)
    if vm.state is not VMState.RUNNING:
        return None
    if vm.uptime_seconds is not None and vm.uptime_seconds < ctx.options.grace_period_seconds:
        return Status.UNDETERMINED, Reason.of(
            "within-grace-period", uptime=int(vm.uptime_seconds), grace=int(ctx.options.grace_period_seconds)
        )
    if service.primary_status is None:
        # The status comes from one host-wide query (section "vss"); its failure says why.
        if snapshot.errors_for("vss", vm.id):
            return Status.UNDETERMINED, section_missing(snapshot, "vss", vm.id)
        return Status.UNDETERMINED, Reason.of("vss-status-unknown")
    if service.primary_status == OperationalStatus.OK:
        return Status.COMPLIANT, reason("vss-ok")
    return Status.NONCOMPLIANT, Reason.of("vss-not-ok", hours=hours, status=_status_name(service.primary_status))


class _Partners:
    """The same VMId on other hosts of the run: its disks hold the same guest."""

    def __init__(self, snapshots: Sequence[HostSnapshot]) -> None:
        self.by_id: dict[str, list[tuple[HostSnapshot, VM]]] = {}
        for snapshot in snapshots:
            for vm in snapshot.vms:
                if replicated(vm):
                    self.by_id.setdefault(vm.id, []).append((snapshot, vm))

    def running(self, snapshot: HostSnapshot, vm: VM) -> list[tuple[HostSnapshot, VM]]:
        found = [
            (s, other) for s, other in self.by_id.get(vm.id, ()) if s is not snapshot and other.state is VMState.RUNNING
        ]
        found.sort(key=lambda pair: pair[1].replication.mode is not ReplicationMode.PRIMARY)
        return found


def _vss_verdict(ctx: CheckContext, partners: _Partners, snapshot: HostSnapshot, facts: Replicated) -> VMVerdict:
    vm = facts.vm
    hours = _app_consistent_hours(vm)
    if hours is None:
        if not vm.replication.relationships:
            return verdict(facts, Status.UNDETERMINED, section_missing(snapshot, "replication", vm.id))
        return verdict(
            facts, Status.UNDETERMINED, Reason.of("setting-not-reported", setting="VSSSnapshotFrequencyHour")
        )
    if hours == 0:
        return verdict(facts, Status.NOT_APPLICABLE, reason("app-consistent-off"))
    if vm.integration_service(VSS_GUID) is None and snapshot.errors_for("integration_services", vm.id):
        return verdict(facts, Status.UNDETERMINED, section_missing(snapshot, "integration_services", vm.id))
    own = _guest_vss(ctx, snapshot, vm, hours)
    if own is not None:
        return verdict(facts, *own)
    for other_snapshot, other in partners.running(snapshot, vm):
        seen = _guest_vss(ctx, other_snapshot, other, hours)
        if seen is not None and seen[0] in (Status.COMPLIANT, Status.NONCOMPLIANT):
            return verdict(facts, *seen, inferred=f"{other_snapshot.host.name}/{other.name}")
    return verdict(facts, Status.UNDETERMINED, Reason.of("vm-not-running", state=display(vm.state)))


@register("app_consistent_needs_vss")
def vss(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    partners = _Partners(snapshots)
    return per_vm(ctx, snapshots, lambda s, facts: _vss_verdict(ctx, partners, s, facts))


def _paused_verdict(snapshot: HostSnapshot, facts: Replicated) -> VMVerdict:
    replication = facts.vm.replication
    if replication.state == ReplicationState.SUSPENDED or any(
        r.state == ReplicationState.SUSPENDED for r in replication.relationships
    ):
        return verdict(facts, Status.NONCOMPLIANT, reason("replication-suspended"))
    return verdict(facts, Status.COMPLIANT, reason("replication-not-paused", ("state", display(replication.state))))


@register("replication_not_paused")
def paused(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return per_vm(ctx, snapshots, _paused_verdict)


def _recovery_checkpoints(snapshot: HostSnapshot, facts: Replicated) -> VMVerdict | None:
    vm = facts.vm
    if vm.replication.state is not ReplicationState.FAILED_OVER_WAITING_COMPLETION:
        return None
    # The script starts a failed-over VM's list empty before asking: an error means "not read".
    if vm.checkpoints is None or snapshot.errors_for("checkpoints", vm.id):
        return verdict(facts, Status.UNDETERMINED, section_missing(snapshot, "checkpoints", vm.id))
    left = [c for c in vm.checkpoints if c.type in REPLICA_CHECKPOINTS]
    if not left:
        return verdict(facts, Status.COMPLIANT, Reason.of("no-recovery-checkpoints"))
    names = ", ".join(c.name or "?" for c in left[:_LISTED]) + (", ..." if len(left) > _LISTED else "")
    return verdict(facts, Status.NONCOMPLIANT, Reason.of("recovery-checkpoints-left", count=len(left), names=names))


@register("recovery_checkpoints_removed")
def recovery_checkpoints(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return per_vm(ctx, snapshots, _recovery_checkpoints)
