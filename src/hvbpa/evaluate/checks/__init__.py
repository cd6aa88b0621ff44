"""The registry of check functions that rule files name.

A check sees the whole run at once (so it can join a VM with its replication
partner on another host) and returns one :class:`HostCheck` per snapshot, in order.
Checks are pure: no I/O, no clock; "now" arrives in the context.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from hvbpa.evaluate.options import EvaluationOptions
from hvbpa.evaluate.results import NO_VERDICTS, HostVerdict, VMVerdict
from hvbpa.i18n import Reason
from hvbpa.snapshot import HostSnapshot


@dataclass(frozen=True)
class CheckContext:
    now: datetime
    options: EvaluationOptions = field(default_factory=EvaluationOptions)
    # Per-evaluation memo of facts derived once per host and shared by every check
    # (keyed by id() of a snapshot, which lives as long as the evaluation).
    memo: dict[int, object] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class HostCheck:
    vms: Sequence[VMVerdict] = NO_VERDICTS
    reason: Reason | None = None  # set when the whole host could not be judged
    verdict: HostVerdict | None = None  # host-scoped rules: the verdict on the host itself


Check = Callable[[CheckContext, Sequence[HostSnapshot]], Sequence[HostCheck]]

CHECKS: dict[str, Check] = {}


def register(name: str) -> Callable[[Check], Check]:
    def add(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn

    return add


# Importing the modules fills the registry.
from hvbpa.evaluate.checks import (  # noqa: E402, F401
    failover_drills,
    failover_settings,
    guest_failover_ip,
    relationship_settings,
    replica_broker,
    replica_server,
    replicated_disks,
    replication_state,
    throttling,
)
