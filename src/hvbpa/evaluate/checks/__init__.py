"""The registry of check functions that rule files name.

A check sees the whole run at once (so it can join a VM with its replication
partner on another host) and returns one :class:`HostCheck` per snapshot, in order.
Checks are pure: no I/O, no clock; "now" arrives in the context.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from hvbpa.evaluate.results import VMVerdict
from hvbpa.i18n import Reason
from hvbpa.snapshot import HostSnapshot


@dataclass(frozen=True)
class CheckContext:
    now: datetime
    grace_period_seconds: float = 600.0


@dataclass(frozen=True)
class HostCheck:
    vms: tuple[VMVerdict, ...] = ()
    reason: Reason | None = None  # set when the whole host could not be judged


Check = Callable[[CheckContext, Sequence[HostSnapshot]], Sequence[HostCheck]]

CHECKS: dict[str, Check] = {}


def register(name: str) -> Callable[[Check], Check]:
    def add(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn

    return add


# Importing the modules fills the registry.
from hvbpa.evaluate.checks import failover_ip  # noqa: E402, F401
