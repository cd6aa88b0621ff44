"""Rules on a replicated VM's state and integration settings, judged per VM.

HVR005 (script rule 229): a Primary VM with application-consistent recovery points needs the
Backup (VSS) integration service enabled in its settings and, while running, a guest component
that answers (not No Contact, not Lost Communication).
HVR006 (script rule 239): a Primary VM's replication should not stay paused.
HVR011 (script rule 245): a failed-over Replica VM waiting for completion should be completed.
HVX005 (hvbpa only): the replica recovery checkpoints a failed-over VM still holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hvbpa.evaluate.checks import CheckContext, HostCheck, register
from hvbpa.evaluate.checks.replication_common import (
    PRIMARY_SIDE,
    REPLICA_SIDE,
    Replicated,
    per_side,
    reason,
    section_missing,
    simple_relationship,
    verdict,
)
from hvbpa.evaluate.results import Finding, Status
from hvbpa.i18n import Reason
from hvbpa.snapshot import (
    VSS_GUID,
    HostSnapshot,
    OperationalStatus,
    ReplicationState,
    SnapshotType,
    VMState,
    display,
)

# Replica recovery points; Recovery (1) checkpoints belong to backup software and are not counted.
REPLICA_CHECKPOINTS = frozenset(
    {SnapshotType.REPLICA, SnapshotType.APP_CONSISTENT_REPLICA, SnapshotType.SYNCED_REPLICA}
)
# The VSS component statuses the BPA flags on a running VM; Degraded and the rest pass.
_VSS_SILENT = frozenset({OperationalStatus.NO_CONTACT, OperationalStatus.LOST_COMMUNICATION})
_LISTED = 5

Judge = Callable[[HostSnapshot, Replicated], Finding]


def _status_name(status: int) -> str:
    try:
        return display(OperationalStatus(status))
    except ValueError:
        return str(status)


def _vss_verdict(snapshot: HostSnapshot, facts: Replicated) -> Finding:
    vm = facts.vm
    relationship = simple_relationship(vm)
    if relationship is None:
        return verdict(Status.UNDETERMINED, section_missing(snapshot, "replication", vm.id))
    hours = relationship.app_consistent_hours
    if hours is None:
        return verdict(Status.UNDETERMINED, reason("setting-not-reported", ("setting", "VSSSnapshotFrequencyHour")))
    if hours == 0:
        return verdict(Status.NOT_APPLICABLE, reason("app-consistent-off"))
    service = vm.integration_service(VSS_GUID)
    if service is None:
        if snapshot.errors_for("integration_services", vm.id):
            return verdict(Status.UNDETERMINED, section_missing(snapshot, "integration_services", vm.id))
        return verdict(Status.NONCOMPLIANT, reason("vss-setting-missing", ("hours", hours)))
    if not service.enabled:
        return verdict(Status.NONCOMPLIANT, reason("vss-disabled", ("hours", hours)))
    if vm.state is not VMState.RUNNING:
        # The guest is not consulted for a VM that is not running: the enabled setting passes.
        return verdict(Status.COMPLIANT, reason("vss-enabled", ("state", display(vm.state))))
    status = service.primary_status
    if status is None:
        # The status comes from one host-wide query (section "vss"): a failure there is not the guest's.
        if snapshot.errors_for("vss", vm.id):
            return verdict(Status.UNDETERMINED, section_missing(snapshot, "vss", vm.id))
        return verdict(Status.NONCOMPLIANT, reason("vss-no-component", ("hours", hours)))
    if status in _VSS_SILENT:
        return verdict(Status.NONCOMPLIANT, Reason.of("vss-not-ok", hours=hours, status=_status_name(status)))
    return verdict(Status.COMPLIANT, reason("vss-answers", ("status", _status_name(status))))


@register("app_consistent_needs_vss")
def vss(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return per_side(ctx, snapshots, PRIMARY_SIDE, _vss_verdict)


def _flags_state(flagged: ReplicationState, found: Reason, passing: Callable[[str], Reason]) -> Judge:
    """A rule that lists the VMs in one replication state (the BPA's 239 and 245)."""

    def judge(snapshot: HostSnapshot, facts: Replicated) -> Finding:
        state = facts.vm.replication.state
        if state is flagged:
            return verdict(Status.NONCOMPLIANT, found)
        return verdict(Status.COMPLIANT, passing(display(state)))

    return judge


_paused = _flags_state(
    ReplicationState.SUSPENDED,
    reason("replication-suspended"),
    lambda state: reason("replication-not-paused", ("state", state)),
)
_failed_over = _flags_state(
    ReplicationState.FAILED_OVER_WAITING_COMPLETION,
    reason("failover-not-completed"),
    lambda state: reason("replication-not-failed-over", ("state", state)),
)


@register("replication_not_paused")
def paused(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return per_side(ctx, snapshots, PRIMARY_SIDE, _paused)


@register("failover_completed")
def failover_completed(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return per_side(ctx, snapshots, REPLICA_SIDE, _failed_over)


def _recovery_checkpoints(snapshot: HostSnapshot, facts: Replicated) -> Finding | None:
    vm = facts.vm
    if vm.replication.state is not ReplicationState.FAILED_OVER_WAITING_COMPLETION:
        return None
    # The script starts a failed-over VM's list empty before asking: an error means "not read".
    if vm.checkpoints is None or snapshot.errors_for("checkpoints", vm.id):
        return verdict(Status.UNDETERMINED, section_missing(snapshot, "checkpoints", vm.id))
    left = [c for c in vm.checkpoints if c.type in REPLICA_CHECKPOINTS]
    if not left:
        return verdict(Status.COMPLIANT, Reason.of("no-recovery-checkpoints"))
    names = ", ".join(c.name or "?" for c in left[:_LISTED]) + (", ..." if len(left) > _LISTED else "")
    return verdict(Status.NONCOMPLIANT, Reason.of("recovery-checkpoints-left", count=len(left), names=names))


@register("recovery_checkpoints_removed")
def recovery_checkpoints(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return per_side(ctx, snapshots, REPLICA_SIDE, _recovery_checkpoints)
