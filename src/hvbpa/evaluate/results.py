"""Values that leave evaluation: per-rule results, per-VM verdicts, the finished run.

Shaped like Microsoft BPA: one result per (rule, host), the affected VMs beneath it.
"Could not determine" is a status of its own and is never counted as compliant.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

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
class _VMVerdictFields:
    """The declared fields of :class:`VMVerdict` (what ``dataclasses`` sees), in order."""

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


# (vm_name, vm_id, host, replication_mode, state): one per VM, shared by every rule's verdict on it.
VMIdentity = tuple[str, str, str, str, str]
# (status, evidence, reason, inferred_from, failover_addresses): most verdicts share one of a
# handful of values (see :func:`finding`).
Finding = tuple[Status, Evidence, Reason, str | None, tuple[str, ...]]

_FINDINGS: dict[tuple[Status, Evidence, int], Finding] = {}
_FINDINGS_MAX = 16384


def finding(
    status: Status,
    evidence: Evidence,
    reason: Reason,
    inferred_from: str | None = None,
    failover_addresses: tuple[str, ...] = (),
) -> Finding:
    """The verdict's finding, one shared copy per (status, evidence, reason object).

    Keyed by the reason's id: the entry holds the reason, so the id cannot be reused
    while the entry lives. Reasons built per VM just miss (and cost nothing more).
    """
    if inferred_from is not None or failover_addresses:
        return (status, evidence, reason, inferred_from, failover_addresses)
    key = (status, evidence, id(reason))
    found = _FINDINGS.get(key)
    if found is None:
        if len(_FINDINGS) >= _FINDINGS_MAX:
            _FINDINGS.clear()
        found = _FINDINGS[key] = (status, evidence, reason, None, ())
    return found


class VMVerdict:
    """One rule's verdict on one VM: a frozen dataclass to its readers (fields, ``replace``,
    ``asdict``, equality, hash, repr), stored compactly.

    A run holds a verdict per rule and VM (hundreds of thousands for a large fleet), so
    the parts that repeat are shared instead of copied into ten slots each: the VM's
    identity (the same for every rule) and the finding (status, evidence, reason, ...).
    """

    __slots__ = ("_finding", "_who")
    __dataclass_fields__: ClassVar[dict[str, Any]] = _VMVerdictFields.__dataclass_fields__
    __dataclass_params__: ClassVar[Any] = _VMVerdictFields.__dataclass_params__  # type: ignore[attr-defined]
    __match_args__ = _VMVerdictFields.__match_args__

    _who: VMIdentity
    _finding: Finding

    def __init__(
        self,
        vm_name: str,
        vm_id: str,
        host: str,
        replication_mode: str,
        status: Status,
        evidence: Evidence,
        reason: Reason,
        inferred_from: str | None = None,
        failover_addresses: tuple[str, ...] = (),
        state: str = "",
    ) -> None:
        _set_who(self, (vm_name, vm_id, host, replication_mode, state))
        _set_finding(self, finding(status, evidence, reason, inferred_from, failover_addresses))

    @classmethod
    def of(cls, who: VMIdentity, found: Finding) -> VMVerdict:
        """A verdict from shared parts (the checks' way: no per-verdict copies)."""
        verdict = object.__new__(cls)
        _set_who(verdict, who)
        _set_finding(verdict, found)
        return verdict

    @property
    def vm_name(self) -> str:
        return self._who[0]

    @property
    def vm_id(self) -> str:
        return self._who[1]

    @property
    def host(self) -> str:
        return self._who[2]

    @property
    def replication_mode(self) -> str:
        return self._who[3]

    @property
    def state(self) -> str:
        return self._who[4]

    @property
    def status(self) -> Status:
        return self._finding[0]

    @property
    def evidence(self) -> Evidence:
        return self._finding[1]

    @property
    def reason(self) -> Reason:
        return self._finding[2]

    @property
    def inferred_from(self) -> str | None:
        return self._finding[3]

    @property
    def failover_addresses(self) -> tuple[str, ...]:
        return self._finding[4]

    def _fields(self) -> tuple[object, ...]:
        who = self._who
        return (*who[:4], *self._finding, who[4])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, VMVerdict)
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        values = ", ".join(
            f"{name}={value!r}" for name, value in zip(self.__dataclass_fields__, self._fields(), strict=True)
        )
        return f"VMVerdict({values})"

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[type[VMVerdict], tuple[object, ...]]:
        return (VMVerdict, self._fields())

    def __copy__(self) -> VMVerdict:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> VMVerdict:
        return self


# The slots' own setters: __setattr__ refuses every assignment (frozen).
_set_who: Any = VMVerdict.__dict__["_who"].__set__
_set_finding: Any = VMVerdict.__dict__["_finding"].__set__


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
    excluded_by: str | None = None  # every finding of this (rule, host) is accepted (exclusions, baseline)
    scope: Scope = Scope.VM
    verdict: HostVerdict | None = None  # host-scoped rules: the verdict on the host (vms stays empty)
    # (VMId, label) of each affected VM whose finding is accepted, also when others still fail:
    # one result per (rule, host) whatever an exclusions file or a baseline accepts.
    accepted: tuple[tuple[str, str], ...] = ()

    def accepted_by(self, vm: VMVerdict) -> str | None:
        """The exclusion or baseline that accepts this VM's finding (None for a VM without one)."""
        if vm.status is not Status.NONCOMPLIANT:
            return None
        label = next((label for vm_id, label in self.accepted if vm_id == vm.vm_id), None)
        return label or self.excluded_by  # excluded_by: every finding of the result is accepted

    @property
    def failing(self) -> tuple[VMVerdict, ...]:
        """The affected VMs whose findings are not accepted."""
        return tuple(v for v in self.affected if self.accepted_by(v) is None)

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
class RuleFailure:
    """A rule whose check raised: its results are undetermined, and this says why.

    A value, not I/O: the CLI writes ``detail`` (the formatted traceback) where it writes
    the traceback of any internal error, and reports carry only ``summary``.
    """

    rule_id: str
    check: str
    summary: str  # the exception's type and message, one bounded line
    detail: str = field(default="", compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Run:
    """Everything a report needs: when, which hosts, which rules, what was found."""

    started: str
    finished: str
    hosts: tuple[HostOutcome, ...]
    results: tuple[RuleResult, ...]
    rule_ids: tuple[str, ...] = field(default=())
    failures: tuple[RuleFailure, ...] = field(default=())  # rules whose check raised (a bug in hvbpa)
