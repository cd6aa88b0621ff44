"""What makes a run fail: the exit code from results, the threshold and exclusions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hvbpa.evaluate import Run, Severity, Status
from hvbpa.exit_codes import ExitCode
from hvbpa.policy.baseline import BASELINE_LABEL
from hvbpa.snapshot import HostStatus

FAIL_ON = ("error", "warning", "information", "never")


@dataclass(frozen=True)
class Summary:
    """The one definition of every count a report shows (table, JSON, SARIF, JUnit; CSV rows add up to it).

    Results are (rule, host) pairs of scanned hosts: a host that could not be scanned is
    counted in hosts_failed and nowhere else. VM counts are VM verdicts (one VM under two
    rules counts twice); excluded and baselined findings keep counting, as such.
    vms_distinct counts each VM once, however many rules judged it.
    """

    hosts: int
    hosts_ok: int  # scanned
    hosts_failed: int  # not scanned (unreachable, credentials, ...)
    hosts_undetermined: int  # scanned but not judged as a whole (no Hyper-V module, no rights)
    noncompliant: int  # (rule, host) results with findings that count
    undetermined: int
    compliant: int
    not_applicable: int
    excluded: int  # (rule, host) results whose findings are excluded or in the baseline
    vms_noncompliant: int
    vms_undetermined: int
    vms_compliant: int
    vms_excluded: int  # findings accepted in an exclusions file
    vms_baselined: int  # findings known to the baseline
    vms_judged: int  # the sum of the five above
    vms_distinct: int = 0  # VMs with at least one such verdict, each counted once
    vms_not_applicable: int = 0  # verdicts of rules that do not apply to a VM they looked at
    # Rules judged per host (no VM list): their verdicts on the hosts themselves.
    host_verdicts_noncompliant: int = 0
    host_verdicts_undetermined: int = 0
    host_verdicts_compliant: int = 0
    host_verdicts_not_applicable: int = 0
    host_verdicts_accepted: int = 0  # findings excluded or in the baseline


def summarize(run: Run) -> Summary:
    counts = dict.fromkeys(Status, 0)
    vm_counts = dict.fromkeys(Status, 0)
    excluded = vms_excluded = vms_baselined = 0
    ok_targets = {h.target for h in run.hosts if h.status is HostStatus.OK}
    # With many rules, verdicts outnumber VMs many times over: the VMs themselves, once each.
    distinct: set[tuple[str, str]] = set()
    verdicts = dict.fromkeys(Status, 0)
    accepted_verdicts = 0
    for result in run.results:
        if result.target not in ok_targets:
            continue  # the failed host is counted once, in hosts_failed
        if result.verdict is not None:
            if result.excluded_by:
                accepted_verdicts += 1
            else:
                verdicts[result.verdict.status] += 1
        # One (rule, host) result counts once: excluded when all its findings are accepted.
        if result.excluded_by:
            excluded += 1
        else:
            counts[result.status] += 1
        for vm in result.vms:
            label = result.accepted_by(vm) if vm.status is Status.NONCOMPLIANT else None
            if label is None:
                vm_counts[vm.status] += 1
            elif label.startswith(BASELINE_LABEL):
                vms_baselined += 1
            else:
                vms_excluded += 1
            if vm.status is not Status.NOT_APPLICABLE:
                distinct.add((result.target, vm.vm_id))  # by target: two hosts may share a name
    # A rule whose check raised is undetermined everywhere, yet its hosts were judged by the others.
    broken = {f.rule_id for f in run.failures}
    undetermined_hosts = {
        r.target for r in run.results if r.reason is not None and r.target in ok_targets and r.rule_id not in broken
    }
    judged = (
        vm_counts[Status.NONCOMPLIANT] + vm_counts[Status.UNDETERMINED] + vm_counts[Status.COMPLIANT]
        + vms_excluded + vms_baselined
    )  # fmt: skip
    return Summary(
        hosts=len(run.hosts),
        hosts_ok=sum(h.status is HostStatus.OK for h in run.hosts),
        hosts_failed=sum(h.status is not HostStatus.OK for h in run.hosts),
        hosts_undetermined=len(undetermined_hosts),
        noncompliant=counts[Status.NONCOMPLIANT],
        undetermined=counts[Status.UNDETERMINED],
        compliant=counts[Status.COMPLIANT],
        not_applicable=counts[Status.NOT_APPLICABLE],
        excluded=excluded,
        vms_noncompliant=vm_counts[Status.NONCOMPLIANT],
        vms_undetermined=vm_counts[Status.UNDETERMINED],
        vms_compliant=vm_counts[Status.COMPLIANT],
        vms_excluded=vms_excluded,
        vms_baselined=vms_baselined,
        vms_judged=judged,
        vms_distinct=len(distinct),
        vms_not_applicable=vm_counts[Status.NOT_APPLICABLE],
        host_verdicts_noncompliant=verdicts[Status.NONCOMPLIANT],
        host_verdicts_undetermined=verdicts[Status.UNDETERMINED],
        host_verdicts_compliant=verdicts[Status.COMPLIANT],
        host_verdicts_not_applicable=verdicts[Status.NOT_APPLICABLE],
        host_verdicts_accepted=accepted_verdicts,
    )


def run_is_incomplete(run: Run) -> bool:
    """A host failed, a host as a whole could not be judged (rights, module, errors), or a rule's check raised."""
    return any(h.status is not HostStatus.OK for h in run.hosts) or any(r.reason is not None for r in run.results)


def counts_as_failure(severity: Severity, fail_on: str) -> bool:
    if fail_on == "never":
        return False
    return severity.rank >= Severity(fail_on).rank


def exit_code(run: Run, fail_on: str = "warning", extra_failures: Iterable[bool] = ()) -> ExitCode:
    if run_is_incomplete(run):
        return ExitCode.INCOMPLETE
    failing = any(
        r.status is Status.NONCOMPLIANT and not r.excluded_by and counts_as_failure(r.severity, fail_on)
        for r in run.results
    )
    return ExitCode.FINDINGS if failing or any(extra_failures) else ExitCode.OK
