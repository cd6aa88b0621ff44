"""The BPA's rules on which virtual hard disks a Primary VM replicates.

HVR013 (script rule 234): some disk should be excluded (the paging file's). The script never
looks for a paging file: it flags a Primary VM whose every virtual hard disk is included, so
nothing is excluded. As in the script, this rule has no replication-state test.
HVR018 (script rule 244): with recovery history (additional recovery points) on, every replicated
disk should be a .vhdx file (case-insensitive, so .avhdx is not).
"""

from __future__ import annotations

from collections.abc import Sequence

from hvbpa.evaluate.checks import CheckContext, HostCheck, register
from hvbpa.evaluate.checks.replication_common import (
    PRIMARY_SIDE,
    Replicated,
    abbreviated,
    per_side,
    reason,
    section_missing,
    simple_relationship,
    verdict,
)
from hvbpa.evaluate.results import Finding, Status
from hvbpa.i18n import Reason
from hvbpa.snapshot import HostSnapshot

_LISTED = 3  # disks named in a finding


def _something_excluded(snapshot: HostSnapshot, facts: Replicated) -> Finding:
    relationship = simple_relationship(facts.vm)
    if relationship is None:
        return verdict(Status.UNDETERMINED, section_missing(snapshot, "replication", facts.vm.id))
    if relationship.excluded_disks is None:
        return verdict(Status.UNDETERMINED, reason("setting-not-reported", ("setting", "ExcludedDisks")))
    if relationship.excluded_disks:
        # A count, not the paths: one shared reason for thousands of compliant VMs.
        return verdict(Status.COMPLIANT, reason("disks-excluded", ("count", len(relationship.excluded_disks))))
    count = len(relationship.replicated_disks or ())
    return verdict(Status.NONCOMPLIANT, reason("no-disk-excluded", ("count", count)))


@register("paging_disk_excluded")
def paging_disk_excluded(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return per_side(ctx, snapshots, PRIMARY_SIDE, _something_excluded)


def is_vhdx(path: str) -> bool:
    return path.lower().endswith(".vhdx")


def _vhdx_for_history(snapshot: HostSnapshot, facts: Replicated) -> Finding:
    relationship = simple_relationship(facts.vm)
    if relationship is None:
        return verdict(Status.UNDETERMINED, section_missing(snapshot, "replication", facts.vm.id))
    history = relationship.recovery_history
    if history is None:
        return verdict(Status.UNDETERMINED, reason("setting-not-reported", ("setting", "RecoveryHistory")))
    if history == 0:
        return verdict(Status.NOT_APPLICABLE, reason("no-recovery-history"))
    disks = relationship.replicated_disks
    if disks is None:
        return verdict(Status.UNDETERMINED, reason("setting-not-reported", ("setting", "ReplicatedDisks")))
    other = [path for path in disks if not is_vhdx(path)]
    if other:
        return verdict(
            Status.NONCOMPLIANT,
            Reason.of("history-on-non-vhdx", points=history, disks=abbreviated(other, _LISTED)),
        )
    return verdict(Status.COMPLIANT, reason("history-on-vhdx", ("points", history)))


@register("recovery_history_on_vhdx")
def vhdx_for_history(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return per_side(ctx, snapshots, PRIMARY_SIDE, _vhdx_for_history)
