"""The BPA's rules on test failovers of Replica VMs (Extended Replicas included).

HVR016 (script rule 240): a Replica VM past initial replication should have had a test failover
(its last test failover time is not the FILETIME zero, 1601-01-01).
HVR017 (script rule 241): a Replica VM's last test failover should be at most a calendar month old,
judged against the host's clock at collection. A VM never tested is HVR016's finding.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from datetime import datetime

from hvbpa.evaluate.checks import CheckContext, HostCheck, register
from hvbpa.evaluate.checks.replication_common import (
    REPLICA_SIDE,
    Replicated,
    own_relationship,
    parse_time,
    per_side,
    reason,
    section_missing,
    verdict,
)
from hvbpa.evaluate.results import Finding, Status
from hvbpa.snapshot import HostSnapshot, ReplicationState

# Before initial replication completes (the script's "greater than waiting for initial replication").
_BEFORE_INITIAL_DONE = frozenset(
    {
        ReplicationState.DISABLED,
        ReplicationState.READY_FOR_INITIAL_REPLICATION,
        ReplicationState.INITIAL_REPLICATION_IN_PROGRESS,
        ReplicationState.WAITING_FOR_INITIAL_REPLICATION,
    }
)
# Rule 241 skips only the VMs still waiting for initial replication to complete.
_WAITING_FOR_INITIAL = frozenset(
    {ReplicationState.INITIAL_REPLICATION_IN_PROGRESS, ReplicationState.WAITING_FOR_INITIAL_REPLICATION}
)


def never(moment: datetime) -> bool:
    """The FILETIME zero that Hyper-V reports for "no test failover yet"."""
    return moment.year <= 1601


def month_before(moment: datetime) -> datetime:
    """.NET's AddMonths(-1): the same day a month earlier, clamped to that month's last day."""
    year, month = (moment.year, moment.month - 1) if moment.month > 1 else (moment.year - 1, 12)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _last_test(snapshot: HostSnapshot, facts: Replicated) -> datetime | Finding:
    relationship = own_relationship(facts.vm)
    if relationship is None:
        return verdict(Status.UNDETERMINED, section_missing(snapshot, "replication", facts.vm.id))
    moment = parse_time(relationship.last_test_failover_time)
    if moment is None:
        return verdict(Status.UNDETERMINED, reason("setting-not-reported", ("setting", "LastTestFailoverTime")))
    return moment


def _tested(snapshot: HostSnapshot, facts: Replicated) -> Finding | None:
    if facts.vm.replication.state in _BEFORE_INITIAL_DONE:
        return None
    moment = _last_test(snapshot, facts)
    if isinstance(moment, tuple):
        return moment
    if never(moment):
        return verdict(Status.NONCOMPLIANT, reason("no-test-failover"))
    return verdict(Status.COMPLIANT, reason("test-failover-done", ("when", moment.isoformat())))


@register("test_failover_done")
def test_failover_done(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return per_side(ctx, snapshots, REPLICA_SIDE, _tested)


def _recent(ctx: CheckContext) -> Callable[[HostSnapshot, Replicated], Finding | None]:
    def judge(snapshot: HostSnapshot, facts: Replicated) -> Finding | None:
        if facts.vm.replication.state in _WAITING_FOR_INITIAL:
            return None
        moment = _last_test(snapshot, facts)
        if isinstance(moment, tuple):
            return moment
        if never(moment):
            return verdict(Status.NOT_APPLICABLE, reason("no-test-failover-yet"))
        # The host's clock at collection: a saved snapshot judged again gives the same verdict.
        limit = month_before(parse_time(snapshot.collected_at) or ctx.now)
        when = ("when", moment.isoformat())
        if moment <= limit:
            return verdict(Status.NONCOMPLIANT, reason("test-failover-old", when))
        return verdict(Status.COMPLIANT, reason("test-failover-recent", when))

    return judge


@register("test_failover_monthly")
def test_failover_monthly(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return per_side(ctx, snapshots, REPLICA_SIDE, _recent(ctx))
