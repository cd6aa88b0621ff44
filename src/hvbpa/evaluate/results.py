"""Values that leave evaluation: per-rule results, per-VM verdicts, the finished run.

Shaped like Microsoft BPA: one result per (rule, host), the affected VMs beneath it.
"Could not determine" is a status of its own and is never counted as compliant.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import FrozenInstanceError, dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, overload

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

# Per (status, evidence), by the reason's id: asked for every (rule, VM), so no key is built.
_FINDINGS: dict[Status, dict[Evidence, dict[int, Finding]]] = {s: {e: {} for e in Evidence} for s in Status}
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
    shared = _FINDINGS[status][evidence]
    found = shared.get(id(reason))
    if found is None:
        if len(shared) >= _FINDINGS_MAX:
            shared.clear()
        found = shared[id(reason)] = (status, evidence, reason, None, ())
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


class Verdicts(Sequence[VMVerdict]):
    """One rule's verdicts on one host's VMs, a read-only sequence of :class:`VMVerdict`.

    Held compactly and made into VMVerdict objects only when read: a large fleet's run judges
    millions of (rule, VM) pairs, nearly all compliant, and reports read most of them once.
    The VMs' identities are a sequence shared by every rule; the findings, which most VMs
    share, are a palette of the distinct ones and a byte per VM naming its entry (a list of
    findings when they alternate too often). Equal to any sequence of the same
    verdicts, a tuple included.
    """

    __slots__ = ("_codes", "_palette", "_whos")

    def __init__(self, whos: Sequence[VMIdentity], findings: Sequence[Finding]) -> None:
        if len(whos) != len(findings):
            raise ValueError(f"{len(whos)} VMs and {len(findings)} findings")
        self._whos = whos
        self._palette: Sequence[Finding]
        self._codes: bytes | None
        compact = _runs(findings)
        if compact is None:
            self._palette, self._codes = tuple(findings), None
        else:
            self._palette, self._codes = compact

    def _findings(self) -> Iterator[Finding]:
        if self._codes is None:
            return iter(self._palette)
        return map(self._palette.__getitem__, self._codes)

    def __len__(self) -> int:
        return len(self._whos)

    @overload
    def __getitem__(self, index: int) -> VMVerdict: ...
    @overload
    def __getitem__(self, index: slice) -> Verdicts: ...
    def __getitem__(self, index: int | slice) -> VMVerdict | Verdicts:
        if isinstance(index, slice):
            return Verdicts(self._whos[index], tuple(self._findings())[index])
        found = self._palette[index] if self._codes is None else self._palette[self._codes[index]]
        return VMVerdict.of(self._whos[index], found)

    def __iter__(self) -> Iterator[VMVerdict]:
        return map(VMVerdict.of, self._whos, self._findings())

    def statuses(self) -> set[Status]:
        return {found[0] for found in self._palette}

    def with_status(self, status: Status) -> tuple[VMVerdict, ...]:
        """The verdicts of one status, made without touching the others."""
        if not any(found[0] is status for found in self._palette):
            return ()
        return tuple(
            VMVerdict.of(who, found)
            for who, found in zip(self._whos, self._findings(), strict=True)
            if found[0] is status
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Verdicts({list(self)!r})"


def _runs(findings: Sequence[Finding]) -> tuple[tuple[Finding, ...], bytes] | None:
    """(palette, a byte per VM) when the findings come in few runs of equal ones, as a host's
    VMs mostly do; None when they alternate too often for that to pay (a plain tuple then)."""
    palette: list[Finding] = []
    codes = bytearray()
    seen: dict[int, int] = {}  # by identity: hashing a finding would hash its Reason in Python
    limit = 8 + len(findings) // 16
    for found, run in itertools.groupby(findings):
        code = seen.get(id(found))
        if code is None:
            if len(palette) == 256:
                return None
            code = seen[id(found)] = len(palette)
            palette.append(found)
        codes += _BYTES[code] * len(list(run))
        limit -= 1
        if limit < 0:
            return None
    return tuple(palette), bytes(codes)


_BYTES = [bytes((code,)) for code in range(256)]
NO_VERDICTS = Verdicts((), ())


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
    vms: Sequence[VMVerdict] = ()  # a tuple, or the Verdicts an evaluation gives
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

    def with_status(self, status: Status) -> tuple[VMVerdict, ...]:
        if isinstance(self.vms, Verdicts):
            return self.vms.with_status(status)
        return tuple(v for v in self.vms if v.status is status)

    @property
    def affected(self) -> tuple[VMVerdict, ...]:
        return self.with_status(Status.NONCOMPLIANT)

    @property
    def undetermined(self) -> tuple[VMVerdict, ...]:
        return self.with_status(Status.UNDETERMINED)


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
