"""What the Hyper-V Replica rules (HVR002-HVR011, HVX001-HVX002) share.

Which VMs and relationships a rule looks at, how a verdict is built, and the small
pieces of time arithmetic the settings need. Pure: "now" arrives in the context.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from hvbpa.evaluate.checks import CheckContext, HostCheck
from hvbpa.evaluate.results import Evidence, Finding, HostVerdict, Status, Verdicts, VMIdentity, finding
from hvbpa.i18n import Reason
from hvbpa.snapshot import (
    VM,
    HostSnapshot,
    Relationship,
    RelationshipType,
    ReplicationMode,
    ReplicationServer,
    ReplicationState,
    VMState,
    VMType,
    display,
)

DAY = 86400

# The BPA's two scopes: its rules judge either Primary VMs or Replica VMs. The script predates
# Extended Replica (Windows Server 2012 R2); an Extended Replica is judged as a Replica.
PRIMARY_SIDE = frozenset({ReplicationMode.PRIMARY})
REPLICA_SIDE = frozenset({ReplicationMode.REPLICA, ReplicationMode.EXTENDED_REPLICA})


def replicated(vm: VM) -> bool:
    """A real VM in a replication relationship (TestReplica copies are temporary: out of scope)."""
    # Identity tests: asked for every VM by every rule, and an IntEnum's hash is Python code.
    mode = vm.replication.mode
    return (
        (mode is ReplicationMode.PRIMARY or mode is ReplicationMode.REPLICA or mode is ReplicationMode.EXTENDED_REPLICA)
        and vm.replication.state is not ReplicationState.DISABLED
        and vm.type is not VMType.PLANNED
    )


def sending(vm: VM) -> tuple[Relationship, ...]:
    """The relationships over which this copy sends replication traffic.

    A primary sends over its simple relationship; a Replica sends to an extended
    Replica over its extended relationship. The receiving end's settings mirror the
    sender's, so judging them there would report every finding twice.
    """
    replication = vm.replication
    if vm.type is VMType.PLANNED or replication.state is ReplicationState.DISABLED:
        return ()
    relationships = replication.relationships
    if replication.mode is ReplicationMode.PRIMARY:
        if len(relationships) == 1 and relationships[0].type is not RelationshipType.EXTENDED:
            return relationships  # the usual primary: one simple relationship
        return tuple(r for r in relationships if r.type is not RelationshipType.EXTENDED)
    if replication.mode is ReplicationMode.REPLICA:
        return tuple(r for r in relationships if r.type is RelationshipType.EXTENDED)
    return ()


def target(relationship: Relationship) -> str:
    return relationship.current_replica_server or relationship.replica_server or "?"


_EVIDENCE = {Status.NOT_APPLICABLE: Evidence.NONE, Status.UNDETERMINED: Evidence.UNKNOWN}


_LABELS: dict[tuple[int, int], tuple[str, str]] = {}


def labels(mode: ReplicationMode, state: VMState) -> tuple[str, str]:
    """Display names of a (mode, state) pair, keyed by the plain integers (cheaper to hash)."""
    key = (int(mode), int(state))
    found = _LABELS.get(key)
    if found is None:
        found = _LABELS[key] = (display(mode), display(state))
    return found


@functools.lru_cache(maxsize=8192)
def reason(code: str, *params: tuple[str, object]) -> Reason:
    """Reason.of for the verdicts of every VM: thousands share a handful of values (a Replica
    server's name, a window), so each distinct one is built once."""
    return Reason.of(code, **dict(params))


def identity(snapshot: HostSnapshot, vm: VM) -> VMIdentity:
    """The VM's part of a verdict: name, id, host, and its mode and state as displayed."""
    mode, state = labels(vm.replication.mode, vm.state)
    return (vm.name, vm.id, snapshot.host.name, mode, state)


class Replicated:
    """What every Replica check needs to know of one replicated VM, derived once per evaluation."""

    __slots__ = ("not_sending", "sending", "side", "vm", "who")

    def __init__(self, snapshot: HostSnapshot, vm: VM) -> None:
        self.vm = vm
        # The VM's part of every verdict on it, shared by all of them.
        self.who = identity(snapshot, vm)
        self.sending = sending(vm)
        # Which of the BPA's scopes the VM is in, as the scope object itself (tested by identity).
        self.side = PRIMARY_SIDE if vm.replication.mode in PRIMARY_SIDE else REPLICA_SIDE
        # Shared by every sending-side rule: an immutable finding, built once if needed.
        self.not_sending: Finding | None = None


class _Host:
    """A host's replicated VMs, and their identities per scope: a rule that judges every VM of
    a scope shares that tuple instead of holding a list of its own (a large fleet has 24 rules)."""

    __slots__ = ("snapshot", "vms", "whos")

    def __init__(self, snapshot: HostSnapshot) -> None:
        self.snapshot = snapshot  # kept alive for the evaluation: the memo is keyed by its id
        self.vms = tuple(Replicated(snapshot, vm) for vm in snapshot.vms if replicated(vm))
        self.whos: dict[frozenset[ReplicationMode] | None, tuple[VMIdentity, ...]] = {
            None: tuple(facts.who for facts in self.vms),
            PRIMARY_SIDE: tuple(facts.who for facts in self.vms if facts.side is PRIMARY_SIDE),
            REPLICA_SIDE: tuple(facts.who for facts in self.vms if facts.side is REPLICA_SIDE),
        }


def _host(ctx: CheckContext, snapshot: HostSnapshot) -> _Host:
    key = id(snapshot)
    found = ctx.memo.get(key)
    if found is None:
        found = ctx.memo[key] = _Host(snapshot)
    assert isinstance(found, _Host)
    return found


def replicated_vms(ctx: CheckContext, snapshot: HostSnapshot) -> tuple[Replicated, ...]:
    """The host's replicated VMs (see :func:`replicated`), in order; one pass per host and evaluation."""
    return _host(ctx, snapshot).vms


def verdict(status: Status, why: Reason, inferred: str | None = None) -> Finding:
    """A replicated VM's finding, the evidence following from the status (settings read: observed)."""
    return finding(status, _EVIDENCE.get(status, Evidence.OBSERVED), why, inferred)


# Judges one replicated VM: its finding, or None to leave the VM out of the rule's result.
Judge = Callable[[HostSnapshot, Replicated], Finding | None]


def per_vm(ctx: CheckContext, snapshots: Sequence[HostSnapshot], judge: Judge) -> list[HostCheck]:
    """A HostCheck per snapshot with the finding ``judge`` gives each replicated VM (None: VM left out).

    VMs that are not replicated are out of scope for every Replica rule and never reach ``judge``.
    """
    return per_side(ctx, snapshots, None, judge)


def per_side(
    ctx: CheckContext,
    snapshots: Sequence[HostSnapshot],
    side: frozenset[ReplicationMode] | None,
    judge: Judge,
) -> list[HostCheck]:
    """per_vm over the replicated VMs whose own mode is on one side (the BPA lists no other VM); None: both."""
    checks = []
    for snapshot in snapshots:
        host = _host(ctx, snapshot)
        whos: list[VMIdentity] = []
        findings: list[Finding] = []
        left_out = False
        for facts in host.vms:
            if side is None or facts.side is side:
                found = judge(snapshot, facts)
                if found is not None:
                    whos.append(facts.who)
                    findings.append(found)
                else:
                    left_out = True
        # Every VM of the scope judged: the host's identities for the scope, shared by the rules.
        checks.append(HostCheck(Verdicts(whos if left_out else host.whos[side], tuple(findings))))
    return checks


def simple_relationship(vm: VM) -> Relationship | None:
    """The VM's primary-to-Replica relationship (the one a Primary's settings and a Replica's statistics are on)."""
    for relationship in vm.replication.relationships:
        if relationship.type is not RelationshipType.EXTENDED:
            return relationship
    return None


def own_relationship(vm: VM) -> Relationship | None:
    """The relationship the VM's own copy belongs to: the extended one for an Extended Replica."""
    if vm.replication.mode is ReplicationMode.EXTENDED_REPLICA:
        found = next((r for r in vm.replication.relationships if r.type is RelationshipType.EXTENDED), None)
        return found or simple_relationship(vm)
    return simple_relationship(vm)


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


def abbreviated(items: Sequence[str], shown: int) -> str:
    """The first few items joined, and how many more there are (a finding names, it does not list)."""
    text = ", ".join(items[:shown])
    return text + (f", +{len(items) - shown}" if len(items) > shown else "")


@functools.cache
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
