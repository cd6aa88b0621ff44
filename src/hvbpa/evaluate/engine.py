"""Evaluate rules against collected hosts. Pure: (rules, outcomes, now) -> results.

A host that was not collected, or whose data cannot support a verdict (no Hyper-V
module, no rights, a failed core section), gets an UNDETERMINED result for every
rule with the reason; it is never "0 VMs, all compliant".
"""

from __future__ import annotations

import gc
import traceback
from collections.abc import Sequence
from datetime import datetime

from msgspec.structs import replace

from hvbpa.errors import exception_summary
from hvbpa.evaluate.checks import CHECKS, CheckContext, HostCheck
from hvbpa.evaluate.options import EvaluationOptions
from hvbpa.evaluate.results import RuleFailure, RuleResult, Run, Status, Verdicts, VMVerdict
from hvbpa.evaluate.ruleset import Rule
from hvbpa.i18n import Reason
from hvbpa.snapshot import HostOutcome, HostSnapshot, HostStatus

# Without these sections nothing about the host's VMs can be trusted.
_CORE_SECTIONS = ("host", "vms", "replication")


def host_blocker(snapshot: HostSnapshot) -> Reason | None:
    """Why no rule can be judged on this host, or None."""
    facts = snapshot.host
    if not facts.hyperv_module:
        return Reason.of("no-hyperv-module")
    if not (facts.is_admin or facts.is_hyperv_admin):
        return Reason.of("not-hyperv-admin")
    for section in _CORE_SECTIONS:
        for error in snapshot.errors:
            if error.section == section and error.vm_id is None:
                return Reason.of("collection-error", section=section, message=error.message)
    return None


def without_duplicates(snapshots: Sequence[HostSnapshot]) -> list[HostSnapshot]:
    """Drop a VM already seen on an earlier host in the same role.

    Cluster nodes can each report a clustered VM; a primary and its replica share a
    VMId but differ in replication mode, so both stay.
    """
    seen: set[tuple[str, int]] = set()
    result = []
    for snapshot in snapshots:
        kept = []
        for vm in snapshot.vms:
            key = (vm.id, int(vm.replication.mode))
            if key not in seen:
                seen.add(key)
                kept.append(vm)
        result.append(snapshot if len(kept) == len(snapshot.vms) else replace(snapshot, vms=tuple(kept)))
    return result


DEFAULT_OPTIONS = EvaluationOptions()

_WORST_FIRST = (Status.NONCOMPLIANT, Status.UNDETERMINED, Status.COMPLIANT)


def _rollup(vms: Sequence[VMVerdict]) -> Status:
    """The worst status among the VMs (not applicable when there are none)."""
    seen = vms.statuses() if isinstance(vms, Verdicts) else {v.status for v in vms}
    for status in _WORST_FIRST:
        if status in seen:
            return status
    return Status.NOT_APPLICABLE


def _run_check(
    rule: Rule, ctx: CheckContext, snapshots: Sequence[HostSnapshot], failures: list[RuleFailure]
) -> Sequence[HostCheck]:
    """The check's result per snapshot; a check that raises (a bug) costs its own rule only:
    undetermined on every host, the failure kept as a value for the CLI to report."""
    try:
        checked = CHECKS[rule.check](ctx, snapshots)
        if len(checked) != len(snapshots):
            raise ValueError(f"check {rule.check} returned {len(checked)} results for {len(snapshots)} hosts")
    except Exception as exc:
        summary = exception_summary(exc)
        detail = f"rule {rule.id} (check {rule.check}):\n" + "".join(traceback.format_exception(exc))
        failures.append(RuleFailure(rule.id, rule.check, summary, detail))
        failed = HostCheck(reason=Reason.of("rule-internal-error", check=rule.check, error=summary))
        return [failed] * len(snapshots)
    return checked


def evaluate(
    rules: Sequence[Rule],
    outcomes: Sequence[HostOutcome],
    now: datetime,
    options: EvaluationOptions = DEFAULT_OPTIONS,
    failures: list[RuleFailure] | None = None,
) -> tuple[RuleResult, ...]:
    """``failures``: gets a :class:`RuleFailure` for each rule whose check raised (its
    results are then undetermined on every host it was to judge)."""
    # A verdict per VM and no reference cycles: with a large fleet's snapshots in
    # memory, the collector's full passes would cost more than the evaluation.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _evaluate(rules, outcomes, now, options, [] if failures is None else failures)
    finally:
        if collecting:
            gc.enable()


def _evaluate(
    rules: Sequence[Rule],
    outcomes: Sequence[HostOutcome],
    now: datetime,
    options: EvaluationOptions,
    failures: list[RuleFailure],
) -> tuple[RuleResult, ...]:
    ctx = CheckContext(now=now, options=options)
    judged: list[tuple[HostOutcome, HostSnapshot]] = []
    blocked: list[tuple[HostOutcome, Reason]] = []
    for outcome in outcomes:
        if outcome.status is not HostStatus.OK or outcome.snapshot is None:
            blocked.append((outcome, outcome.not_collected()))
            continue
        blocker = host_blocker(outcome.snapshot)
        if blocker is not None:
            blocked.append((outcome, blocker))
        else:
            judged.append((outcome, outcome.snapshot))
    snapshots = without_duplicates([s for _, s in judged])

    results: list[RuleResult] = []
    for rule in rules:
        checked = _run_check(rule, ctx, snapshots, failures)
        for (outcome, _), snapshot, host_check in zip(judged, snapshots, checked, strict=True):
            if host_check.reason:
                status = Status.UNDETERMINED
            elif host_check.verdict is not None:
                status = host_check.verdict.status
            else:
                status = _rollup(host_check.vms)
            results.append(
                RuleResult(
                    rule.id,
                    snapshot.host.name,
                    outcome.target,
                    status,
                    rule.severity,
                    host_check.vms,
                    host_check.reason,
                    scope=rule.scope,
                    verdict=host_check.verdict,
                )
            )
        for outcome, reason in blocked:
            results.append(
                RuleResult(
                    rule.id,
                    outcome.host_name,
                    outcome.target,
                    Status.UNDETERMINED,
                    rule.severity,
                    (),
                    reason,
                    scope=rule.scope,
                )
            )
    order = {o.target: i for i, o in enumerate(outcomes)}
    return tuple(sorted(results, key=lambda r: (r.rule_id, order.get(r.target, 0))))


def analyze(
    outcomes: Sequence[HostOutcome],
    rules: Sequence[Rule],
    *,
    started: datetime,
    finished: datetime,
    now: datetime,
    options: EvaluationOptions,
) -> Run:
    failures: list[RuleFailure] = []
    results = evaluate(rules, outcomes, now, options, failures)
    return Run(
        started=started.isoformat(timespec="seconds"),
        finished=finished.isoformat(timespec="seconds"),
        hosts=tuple(outcomes),
        results=results,
        rule_ids=tuple(r.id for r in rules),
        failures=tuple(failures),
    )
