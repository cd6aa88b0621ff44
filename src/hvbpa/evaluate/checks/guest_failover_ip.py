"""HVX003 (hvbpa only): the failover address will not be applied, because the guest has no
working integration services.

The host injects the failover address through the Key-Value Pair Exchange (KVP)
integration service, so the question per VM with a failover address is whether working
KVP components are in its guest: seen on the VM itself, or for a VM that is off, on its
replication partner in the same run (its disks hold the same guest). The BPA's own rule
(HVR001, script rule 230) reads only the VM's settings; this one never changes its verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from hvbpa.evaluate.checks import CheckContext, HostCheck, register
from hvbpa.evaluate.checks.replication_common import identity, reason, replicated_vms
from hvbpa.evaluate.results import Evidence, Finding, Status, Verdicts, VMIdentity, finding
from hvbpa.i18n import Reason
from hvbpa.snapshot import (
    KVP_GUID,
    VM,
    HostSnapshot,
    OperationalStatus,
    ReplicationMode,
    ReplicationState,
    VMState,
    VMType,
    display,
)

IN_SCOPE_MODES = frozenset({ReplicationMode.PRIMARY, ReplicationMode.REPLICA, ReplicationMode.EXTENDED_REPLICA})
_INCOMPATIBLE = frozenset({OperationalStatus.NON_RECOVERABLE_ERROR, OperationalStatus.PROTOCOL_MISMATCH})
_WORKING = frozenset({OperationalStatus.OK, OperationalStatus.DEGRADED})


class _Direct(NamedTuple):
    """What a VM's own data says, before any help from its partner (one per VM: a tuple is cheap)."""

    evidence: Evidence
    reason: Reason


def in_scope(vm: VM) -> bool:
    return (
        vm.type is not VMType.PLANNED
        and vm.replication.mode in IN_SCOPE_MODES
        and vm.replication.state is not ReplicationState.DISABLED
    )


def direct_evidence(vm: VM, snapshot: HostSnapshot, grace_seconds: float) -> _Direct:
    kvp = vm.integration_service(KVP_GUID)
    kvp_data_failed = bool(snapshot.errors_for("kvp", vm.id))
    version = vm.kvp.integration_services_version if vm.kvp else None
    if vm.state is not VMState.RUNNING:
        return _Direct(Evidence.UNKNOWN, reason("vm-not-running", ("state", display(vm.state))))
    if version:
        return _Direct(Evidence.INSTALLED, reason("kvp-reports-version", ("version", version)))
    if kvp is None:
        if snapshot.errors_for("integration_services", vm.id):
            return _Direct(Evidence.UNKNOWN, Reason.of("collection-error", section="integration_services"))
        return _Direct(Evidence.UNKNOWN, Reason.of("kvp-service-missing"))
    status = kvp.primary_status
    if status in _INCOMPATIBLE:
        return _Direct(Evidence.ABSENT, Reason.of("kvp-incompatible", status=_status_name(status)))
    if status in _WORKING:
        if kvp_data_failed:
            # Guest data could not be read, but the service itself answers.
            return _Direct(Evidence.INSTALLED, Reason.of("kvp-service-ok", status=_status_name(status)))
        if status == OperationalStatus.DEGRADED:
            return _Direct(Evidence.INSTALLED, Reason.of("kvp-service-ok", status=_status_name(status)))
        # The status is OK but the guest publishes nothing. A Linux guest whose hv_kvp_daemon is not
        # running answers the host from the kernel driver (hv_kvp.c) and fails every request, address
        # injection included; past the grace period that is a finding, not a doubt.
        early = _still_booting(vm, grace_seconds)
        if early is not None:
            return early
        return _Direct(Evidence.ABSENT, Reason.of("kvp-ok-no-guest-data", uptime=int(vm.uptime_seconds or 0)))
    early = _still_booting(vm, grace_seconds)
    if early is not None:
        return early
    if status == OperationalStatus.NO_CONTACT and not kvp_data_failed:
        return _Direct(Evidence.ABSENT, Reason.of("kvp-no-contact", uptime=int(vm.uptime_seconds or 0)))
    if status == OperationalStatus.LOST_COMMUNICATION:
        return _Direct(Evidence.UNKNOWN, Reason.of("kvp-lost-communication"))
    if kvp_data_failed:
        return _Direct(Evidence.UNKNOWN, Reason.of("collection-error", section="kvp"))
    return _Direct(Evidence.UNKNOWN, Reason.of("kvp-status-unclear", status=_status_name(status)))


def _still_booting(vm: VM, grace_seconds: float) -> _Direct | None:
    """UNKNOWN while the guest may still be starting its components, or when its uptime is unknown
    (a fresh boot and a guest that never had components then look alike); None past the grace period."""
    if vm.uptime_seconds is None:
        return _Direct(Evidence.UNKNOWN, Reason.of("uptime-missing"))
    if vm.uptime_seconds < grace_seconds:
        return _Direct(
            Evidence.UNKNOWN,
            Reason.of("within-grace-period", uptime=int(vm.uptime_seconds), grace=int(grace_seconds)),
        )
    return None


def _status_name(status: int | None) -> str:
    if status is None:
        return "none"
    try:
        return display(OperationalStatus(status))
    except ValueError:
        return str(status)


def has_failover_address(vm: VM) -> bool:
    """At least one IPv4 or IPv6 address in the VM's failover settings (the BPA's scope for rules 230 and 236)."""
    return any(adapter.failover is not None and adapter.failover.addresses for adapter in vm.network_adapters)


def failover_addresses(vm: VM) -> tuple[str, ...]:
    """The addresses a failover would have given the VM: named in a finding, since they will not apply."""
    return tuple(
        f"{address} ({adapter.name})"
        for adapter in vm.network_adapters
        if adapter.failover
        for address in adapter.failover.addresses
    )


_DEFINITE = (Evidence.INSTALLED, Evidence.ABSENT)


class _Run:
    """Direct evidence for every in-scope VM of the run, and the VMId join between hosts."""

    def __init__(self, ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> None:
        self.snapshots = snapshots
        grace = ctx.options.grace_period_seconds
        # Per host, in the order of its VMs: the direct evidence (None: out of scope).
        self.direct: list[list[_Direct | None]] = []
        # The VMIds of the VMs that will ask their partner: off (or otherwise not running) with nothing definite.
        asking: set[str] = set()
        for snapshot in snapshots:
            row: list[_Direct | None] = []
            for vm in snapshot.vms:
                found = direct_evidence(vm, snapshot, grace) if in_scope(vm) else None
                row.append(found)
                if found is not None and found.evidence is Evidence.UNKNOWN and vm.state is not VMState.RUNNING:
                    asking.add(vm.id)
            self.direct.append(row)
        # The same VMId on another host is the replication partner (primary, replica or extended
        # replica): its disks hold the same guest. Only partners that can answer are kept, and only
        # for the VMs that ask: a large fleet's run would otherwise hold an entry per VM.
        self.partners: dict[str, list[tuple[int, VM, _Direct]]] = {}
        if asking:
            for index, snapshot in enumerate(snapshots):
                for vm, found in zip(snapshot.vms, self.direct[index], strict=True):
                    if found is not None and found.evidence in _DEFINITE and vm.id in asking:
                        self.partners.setdefault(vm.id, []).append((index, vm, found))

    def partner(self, index: int, vm: VM) -> tuple[str, _Direct] | None:
        candidates = [
            (other_index, other, found)
            for other_index, other, found in self.partners.get(vm.id, ())
            if other_index != index and other.replication.mode != vm.replication.mode
        ]
        if not candidates:
            return None
        # The primary, then a running copy, gives the most direct view of the guest.
        other_index, other, found = min(
            candidates,
            key=lambda c: (c[1].replication.mode is not ReplicationMode.PRIMARY, c[1].state is not VMState.RUNNING),
        )
        return f"{self.snapshots[other_index].host.name}/{other.name}", found

    def verdict(self, index: int, vm: VM, own: _Direct) -> Finding:
        kvp = vm.integration_service(KVP_GUID)
        if kvp is not None and not kvp.enabled:
            # Whatever the guest has, the host will not talk KVP to it.
            return finding(Status.NONCOMPLIANT, own.evidence, Reason.of("kvp-disabled"), None, failover_addresses(vm))
        evidence, reason, inferred = own.evidence, own.reason, None
        if evidence is Evidence.UNKNOWN and vm.state is not VMState.RUNNING:
            found = self.partner(index, vm)
            if found is not None:
                inferred, partner = found
                evidence, reason = partner.evidence, partner.reason
        if evidence is Evidence.ABSENT:
            return finding(Status.NONCOMPLIANT, evidence, reason, inferred, failover_addresses(vm))
        if evidence is Evidence.INSTALLED:
            return finding(Status.COMPLIANT, evidence, reason, inferred)
        return finding(Status.UNDETERMINED, evidence, reason)


@register("failover_address_reaches_guest")
def check(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    run = _Run(ctx, snapshots)
    checks = []
    for index, snapshot in enumerate(snapshots):
        # The VM identity the Replica rules' verdicts share (in scope here = replicated there).
        shared = {id(facts.vm): facts.who for facts in replicated_vms(ctx, snapshot)}
        whos: list[VMIdentity] = []
        findings: list[Finding] = []
        for vm, own in zip(snapshot.vms, run.direct[index], strict=True):
            # Only a VM with a failover address has one to lose; its partner still informs it.
            if own is not None and has_failover_address(vm):
                whos.append(shared.get(id(vm)) or identity(snapshot, vm))
                findings.append(run.verdict(index, vm, own))
        checks.append(HostCheck(Verdicts(whos, tuple(findings))))
    return checks
