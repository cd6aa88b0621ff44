"""Values that leave evaluation: per-host outcomes, per-rule results, per-VM verdicts.

Shaped like Microsoft BPA: one result per (rule, host), the affected VMs beneath it.
"Could not determine" is a status of its own and is never counted as compliant.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from enum import StrEnum

from hvbpa.snapshot import HostSnapshot


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
        return {"noncompliant": 3, "undetermined": 2, "compliant": 1, "not_applicable": 0}[self.value]


class Evidence(StrEnum):
    INSTALLED = "installed"
    ABSENT = "absent"
    UNKNOWN = "unknown"
    NONE = "none"  # out of scope: nothing was looked at


class HostStatus(StrEnum):
    """How collection from a host ended. Everything but OK makes the run incomplete."""

    OK = "ok"
    UNREACHABLE = "unreachable"
    AUTH_FAILED = "auth_failed"
    TLS_ERROR = "tls_error"
    WINRM_FAULT = "winrm_fault"
    SCRIPT_FAILED = "script_failed"
    BAD_OUTPUT = "bad_output"
    TIMED_OUT = "timed_out"
    INTERRUPTED = "interrupted"
    INTERNAL_ERROR = "internal_error"  # a fault in hvbpa itself, reported for this host alone


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a verdict was reached: a stable code (for i18n and machines) and its parameters."""

    code: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, code: str, **params: object) -> Reason:
        if not params:
            return _bare_reason(code)
        return cls(code, tuple((k, str(v)) for k, v in sorted(params.items())))

    def param(self, key: str) -> str:
        return dict(self.params).get(key, "")


@functools.cache
def _bare_reason(code: str) -> Reason:
    # Parameterless reasons recur on thousands of VMs; they are immutable, so one each.
    return Reason(code)


@dataclass(frozen=True, slots=True)
class HostOutcome:
    """One host's collection: a snapshot, or a failure with a one-line reason."""

    target: str  # what the user named (host, host:port)
    status: HostStatus
    snapshot: HostSnapshot | None = None
    reason: str = ""
    duration_seconds: float = 0.0
    requests: int | None = None

    @property
    def host_name(self) -> str:
        return self.snapshot.host.name if self.snapshot else self.target


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
class RuleResult:
    rule_id: str
    host: str
    target: str
    status: Status
    severity: Severity
    vms: tuple[VMVerdict, ...] = ()
    reason: Reason | None = None  # host-level: why the rule could not be determined
    excluded_by: str | None = None

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
