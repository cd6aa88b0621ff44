"""Values that leave evaluation: per-rule results, per-VM verdicts, the finished run.

Shaped like Microsoft BPA: one result per (rule, host), the affected VMs beneath it.
"Could not determine" is a status of its own and is never counted as compliant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from hvbpa.i18n import Reason
from hvbpa.snapshot import HostOutcome


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFORMATION = "information"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "information": 1}[self.value]


class Status(StrEnum):
    """Verdict for a VM, and for a rule on a host (the worst of its VMs)."""

    NONCOMPLIANT = "noncompliant"
    UNDETERMINED = "undetermined"
    COMPLIANT = "compliant"
    NOT_APPLICABLE = "not_applicable"

    @property
    def rank(self) -> int:
        # A module-level table: rank is asked once per VM verdict and rule in a rollup.
        return _STATUS_RANK[self]  # a StrEnum hashes as its str value: no Enum property on the way


_STATUS_RANK = {"noncompliant": 3, "undetermined": 2, "compliant": 1, "not_applicable": 0}


class Scope(StrEnum):
    """What a rule judges: each VM (its result lists VMs) or the host itself (no VM list)."""

    VM = "vm"
    HOST = "host"


class Evidence(StrEnum):
    INSTALLED = "installed"
    ABSENT = "absent"
    UNKNOWN = "unknown"
    NONE = "none"  # out of scope: nothing was looked at
    # Replication rules: the verdict rests on settings read from the host, which the reason names.
    OBSERVED = "observed"


@dataclass(frozen=True, slots=True)
class VMVerdict:
    vm_name: str
    vm_id: str
    host: str
    replication_mode: str
    status: Status
    evidence: Evidence
    reason: Reason
    inferred_from: str | None = None  # "host/VM" whose evidence was used
    failover_addresses: tuple[str, ...] = ()
    state: str = ""


@dataclass(frozen=True, slots=True)
class HostVerdict:
    """A host-level rule's verdict on the host itself; the reason carries the evidence."""

    status: Status
    reason: Reason


@dataclass(frozen=True, slots=True)
class RuleResult:
    rule_id: str
    host: str
    target: str
    status: Status
    severity: Severity
    vms: tuple[VMVerdict, ...] = ()
    reason: Reason | None = None  # host-level: why the rule could not be determined
    excluded_by: str | None = None
    scope: Scope = Scope.VM
    verdict: HostVerdict | None = None  # host-scoped rules: the verdict on the host (vms stays empty)

    @property
    def host_finding(self) -> bool:
        """A host-scoped rule found the host itself noncompliant."""
        return self.verdict is not None and self.verdict.status is Status.NONCOMPLIANT

    @property
    def host_undetermined(self) -> bool:
        return self.verdict is not None and self.verdict.status is Status.UNDETERMINED

    @property
    def affected(self) -> tuple[VMVerdict, ...]:
        return tuple(v for v in self.vms if v.status is Status.NONCOMPLIANT)

    @property
    def undetermined(self) -> tuple[VMVerdict, ...]:
        return tuple(v for v in self.vms if v.status is Status.UNDETERMINED)


@dataclass(frozen=True, slots=True)
class Run:
    """Everything a report needs: when, which hosts, which rules, what was found."""

    started: str
    finished: str
    hosts: tuple[HostOutcome, ...]
    results: tuple[RuleResult, ...]
    rule_ids: tuple[str, ...] = field(default=())
