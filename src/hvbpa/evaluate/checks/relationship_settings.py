"""Rules on a VM's replication settings (Get-VMReplication), judged per VM.

The BPA's rules judge Primary VMs whose replication is not disabled, on their primary-to-Replica
relationship: HVR007 (script rule 228) compression on; HVR009 (233) certificate (HTTPS) rather
than Kerberos (HTTP); HVR010 (237) automatic resynchronization on, with a window of at most 12 hours.

hvbpa's own rules judge every copy on the side that sends: HVX004, the resynchronization window
stays out of business hours; HVX001, the last replication is not far older than the frequency
promises. A copy that only receives gets "not applicable": the sender's copy carries the same
settings and is judged on its own host.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from hvbpa.evaluate.checks import CheckContext, HostCheck, register
from hvbpa.evaluate.checks.replication_common import (
    DAY,
    PRIMARY_SIDE,
    Replicated,
    clock,
    parse_time,
    per_side,
    per_vm,
    reason,
    section_missing,
    target,
    verdict,
    windows_overlap,
)
from hvbpa.evaluate.results import Finding, Status
from hvbpa.i18n import Reason
from hvbpa.snapshot import AuthenticationType, HostSnapshot, Relationship, ReplicationState

# Judges one sending relationship: (status, reason).
Judge = Callable[[Relationship], tuple[Status, Reason]]

_INITIAL = frozenset(
    {
        ReplicationState.READY_FOR_INITIAL_REPLICATION,
        ReplicationState.INITIAL_REPLICATION_IN_PROGRESS,
        ReplicationState.WAITING_FOR_INITIAL_REPLICATION,
    }
)


def _not_reported(setting: str) -> tuple[Status, Reason]:
    return Status.UNDETERMINED, reason("setting-not-reported", ("setting", setting))


def _judge_vm(snapshot: HostSnapshot, facts: Replicated, judge: Judge) -> Finding:
    relationships = facts.sending
    if not relationships:
        if not facts.vm.replication.relationships:
            # Get-VMReplication said nothing about a replicated VM: its section failed or was not read.
            return verdict(Status.UNDETERMINED, section_missing(snapshot, "replication", facts.vm.id))
        # The same immutable verdict for every sending-side rule.
        if facts.not_sending is None:
            facts.not_sending = verdict(Status.NOT_APPLICABLE, reason("not-sending"))
        return facts.not_sending
    if len(relationships) == 1:
        return verdict(*judge(relationships[0]))
    # The worst relationship decides (a VM has one sending relationship unless it is extended).
    return verdict(*max((judge(r) for r in relationships), key=lambda j: j[0].rank))


def _compression(relationship: Relationship) -> tuple[Status, Reason]:
    if relationship.compression_enabled is None:
        return _not_reported("CompressionEnabled")
    if relationship.compression_enabled:
        return Status.COMPLIANT, reason("compression-on", ("server", target(relationship)))
    return Status.NONCOMPLIANT, reason("compression-off", ("server", target(relationship)))


@register("replication_compressed")
def compression(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return per_side(ctx, snapshots, PRIMARY_SIDE, lambda s, vm: _judge_vm(s, vm, _compression))


def _authentication(relationship: Relationship) -> tuple[Status, Reason]:
    kind = relationship.authentication_type
    if kind is None:
        return _not_reported("AuthenticationType")
    if kind is AuthenticationType.KERBEROS:
        return Status.NONCOMPLIANT, reason("kerberos-auth", ("server", target(relationship)))
    return Status.COMPLIANT, reason("certificate-auth", ("server", target(relationship)))


@register("replication_uses_certificates")
def authentication(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return per_side(ctx, snapshots, PRIMARY_SIDE, lambda s, vm: _judge_vm(s, vm, _authentication))


_LONGEST_WINDOW = 12 * 3600  # the BPA's limit; exactly 12 hours passes


def window_seconds(start: int, end: int) -> int:
    """The resynchronization window's length as the BPA computes it: end - start, plus a day when end < start."""
    return end - start + (DAY if end < start else 0)


@dataclass(frozen=True, slots=True)
class _Window:
    start: int  # seconds after midnight, host local time
    end: int


def _window(relationship: Relationship, when_off: tuple[Status, Reason]) -> _Window | tuple[Status, Reason]:
    """The resynchronization window, or the verdict when there is none to judge."""
    if relationship.auto_resync_enabled is None:
        return _not_reported("AutoResynchronizeEnabled")
    if not relationship.auto_resync_enabled:
        return when_off
    start, end = relationship.auto_resync_start_seconds, relationship.auto_resync_end_seconds
    if start is None or end is None:
        return _not_reported("AutoResynchronizeIntervalStart/End")
    return _Window(start, end)


def _resync_window(relationship: Relationship) -> tuple[Status, Reason]:
    found = _window(relationship, (Status.NONCOMPLIANT, reason("auto-resync-off")))
    if not isinstance(found, _Window):
        return found
    start, end = found.start, found.end
    window = (("start", clock(start)), ("end", clock(end)), ("length", window_seconds(start, end)))
    if window_seconds(start, end) > _LONGEST_WINDOW:
        return Status.NONCOMPLIANT, reason("resync-window-too-long", *window)
    return Status.COMPLIANT, reason("resync-window-short", *window)


def _by_window(judge: Judge) -> Judge:
    """A judge that reads only the window's settings, answered once per distinct window: a fleet's
    thousands of VMs share a handful of windows (one evaluation's memo, not a global cache)."""
    seen: dict[tuple[bool | None, int | None, int | None], tuple[Status, Reason]] = {}

    def cached(r: Relationship) -> tuple[Status, Reason]:
        key = (r.auto_resync_enabled, r.auto_resync_start_seconds, r.auto_resync_end_seconds)
        found = seen.get(key)
        if found is None:
            found = seen[key] = judge(r)
        return found

    return cached


@register("resync_off_peak")
def resync(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    judge = _by_window(_resync_window)
    return per_side(ctx, snapshots, PRIMARY_SIDE, lambda s, vm: _judge_vm(s, vm, judge))


def _business_hours(ctx: CheckContext) -> Judge:
    business = ctx.options.business_hours
    hours = f"{clock(business[0])}-{clock(business[1])}"

    def judge(relationship: Relationship) -> tuple[Status, Reason]:
        found = _window(relationship, (Status.NOT_APPLICABLE, reason("auto-resync-off-no-window")))
        if not isinstance(found, _Window):
            return found
        start, end = found.start, found.end
        window = (("start", clock(start)), ("end", clock(end)), ("business", hours))
        if windows_overlap((start, end), business):
            return Status.NONCOMPLIANT, reason("resync-window-overlaps", *window)
        return Status.COMPLIANT, reason("resync-window-off-peak", *window)

    return judge


@register("resync_outside_business_hours")
def business_hours(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    judge = _by_window(_business_hours(ctx))
    return per_vm(ctx, snapshots, lambda s, vm: _judge_vm(s, vm, judge))


def _lag(ctx: CheckContext, reference: datetime) -> Judge:
    def judge(relationship: Relationship) -> tuple[Status, Reason]:
        if relationship.state in _INITIAL:
            return Status.NOT_APPLICABLE, Reason.of("initial-replication")
        if relationship.frequency_seconds is None:
            return _not_reported("ReplicationFrequencySec")
        last = parse_time(relationship.last_replication_time)
        if last is None:
            return Status.UNDETERMINED, Reason.of("no-last-replication")
        limit = max(ctx.options.lag_floor_seconds, ctx.options.lag_factor * relationship.frequency_seconds)
        age = max(0, int((reference - last).total_seconds()))
        facts = (
            ("age", age),
            ("frequency", relationship.frequency_seconds),
            ("limit", int(limit)),
            ("server", target(relationship)),
            ("when", relationship.last_replication_time),
        )
        if age > limit:
            return Status.NONCOMPLIANT, reason("replication-behind", *facts)
        return Status.COMPLIANT, reason("replication-current", *facts)

    return judge


def _lag_verdict(snapshot: HostSnapshot, facts: Replicated, *, judge: Judge) -> Finding:
    if facts.vm.replication.state in _INITIAL:
        return verdict(Status.NOT_APPLICABLE, _initial())
    return _judge_vm(snapshot, facts, judge)


def _initial() -> Reason:
    return Reason.of("initial-replication")


@register("replication_not_behind")
def lag(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    checks: list[HostCheck] = []
    for snapshot in snapshots:
        # The host's own clock at collection: a saved snapshot judged later gives the same answer,
        # and the scanner's clock skew does not matter. One judge per host.
        judge = _lag(ctx, parse_time(snapshot.collected_at) or ctx.now)
        checks.extend(per_vm(ctx, (snapshot,), functools.partial(_lag_verdict, judge=judge)))
    return checks
