"""What makes a run fail: the exit code from results, the threshold and exclusions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hvbpa.evaluate import Run, Severity, Status
from hvbpa.exit_codes import ExitCode
from hvbpa.snapshot import HostStatus

FAIL_ON = ("error", "warning", "information", "never")


@dataclass(frozen=True)
class Summary:
    hosts: int
    hosts_ok: int
    hosts_failed: int
    hosts_undetermined: int
    noncompliant: int  # (rule, host) results with findings that count
    undetermined: int
    compliant: int
    not_applicable: int
    excluded: int
    vms_noncompliant: int
    vms_undetermined: int
    vms_compliant: int


def summarize(run: Run) -> Summary:
    counts = dict.fromkeys(Status, 0)
    excluded = 0
    # Each VM once, by its worst verdict over all rules: with many rules, counting verdicts
    # would report a 4-VM host as dozens of "virtual machines".
    worst: dict[tuple[str, str], Status] = {}
    for result in run.results:
        if result.excluded_by:
            excluded += 1
            continue
        counts[result.status] += 1
        for vm in result.vms:
            if vm.status is Status.NOT_APPLICABLE:
                continue
            key = (vm.host.lower(), vm.vm_id)
            seen = worst.get(key)
            if seen is None or vm.status.rank > seen.rank:
                worst[key] = vm.status
    vm_counts = dict.fromkeys(Status, 0)
    for status in worst.values():
        vm_counts[status] += 1
    failed = sum(1 for h in run.hosts if h.status is not HostStatus.OK)
    undetermined_hosts = {r.target for r in run.results if r.reason is not None and r.target}
    return Summary(
        hosts=len(run.hosts),
        hosts_ok=len(run.hosts) - failed,
        hosts_failed=failed,
        hosts_undetermined=len({h.target for h in run.hosts if h.status is HostStatus.OK} & undetermined_hosts),
        noncompliant=counts[Status.NONCOMPLIANT],
        undetermined=counts[Status.UNDETERMINED],
        compliant=counts[Status.COMPLIANT],
        not_applicable=counts[Status.NOT_APPLICABLE],
        excluded=excluded,
        vms_noncompliant=vm_counts[Status.NONCOMPLIANT],
        vms_undetermined=vm_counts[Status.UNDETERMINED],
        vms_compliant=vm_counts[Status.COMPLIANT],
    )


def run_is_incomplete(run: Run) -> bool:
    """A host failed, or a host as a whole could not be judged (rights, module, errors)."""
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
