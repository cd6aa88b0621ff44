"""CSV for spreadsheets and ad-hoc scripts: one row per judged VM (``scope`` "vm"), one per
host verdict of a rule judged per host, and one per host-level problem (both ``scope`` "host").
A file starts with a UTF-8 BOM, for Excel (hvbpa.report.outputs); standard output does not.

Cells a spreadsheet would read as a formula get a leading apostrophe: VM names and
error messages come from the hosts, and a name like ``=HYPERLINK(...)`` must stay text.
For the same reason a control character from a host is written as its escape (``\\x1b``):
a CSV printed to a terminal must not drive it.
"""

from __future__ import annotations

import csv
import io

from hvbpa.evaluate import RuleResult, VMVerdict
from hvbpa.i18n import Reason, reason_text
from hvbpa.report.formats import ReportContext, vm_message_parts
from hvbpa.snapshot import HostStatus
from hvbpa.visible import visible

COLUMNS = (
    "rule_id",
    "severity",
    "host",
    "vm_name",
    "vm_id",
    "replication_mode",
    "state",
    "status",
    "evidence",
    "reason_code",
    "reason",
    "inferred_from",
    "failover_addresses",
    "excluded_by",
    "scope",  # vm: a VM's verdict; host: a per-host rule's verdict, or the host could not be scanned or judged
    "target",  # the host as named (hosts file, inventory, command line): two hosts may share a Windows name
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _vm_row(ctx: ReportContext, result: RuleResult, vm: VMVerdict) -> list[str]:
    return [
        result.rule_id,
        result.severity.value,
        result.host,
        vm.vm_name,
        vm.vm_id,
        vm.replication_mode,
        vm.state,
        vm.status.value,
        vm.evidence.value,
        vm.reason.code,
        vm_message_parts(vm, ctx.lang)[0],
        vm.inferred_from or "",
        "; ".join(vm.failover_addresses),
        result.accepted_by(vm) or "",
        "vm",
        result.target,
    ]


def _verdict_row(ctx: ReportContext, result: RuleResult) -> list[str]:
    assert result.verdict is not None
    reason = result.verdict.reason
    row = [result.rule_id, result.severity.value, result.host, "", "", "", "", result.verdict.status.value, ""]
    return [*row, reason.code, reason_text(reason, ctx.lang), "", "", result.excluded_by or "", "host", result.target]


def _host_row(
    ctx: ReportContext, result: RuleResult | None, host: str, target: str, status: str, reason: Reason
) -> list[str]:
    rule_id, severity = (result.rule_id, result.severity.value) if result else ("", "")
    row = [rule_id, severity, host, "", "", "", "", status, "", reason.code, reason_text(reason, ctx.lang)]
    # A row about the host (not collected, or a rule it could not judge) is a host row.
    return [*row, "", "", "", "host", target]


def render(ctx: ReportContext) -> str:
    buffer = io.StringIO()
    # "\n", not CRLF: on Windows, standard output would turn CRLF into CR CR LF.
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    failed = {h.target for h in ctx.run.hosts if h.status is not HostStatus.OK}
    rows: list[list[str]] = []
    for result in ctx.run.results:
        if result.reason is not None:
            # A host that failed outright gets one row below, not one per rule.
            if result.target not in failed:
                rows.append(_host_row(ctx, result, result.host, result.target, result.status.value, result.reason))
            continue
        if result.verdict is not None:
            rows.append(_verdict_row(ctx, result))
        rows.extend(_vm_row(ctx, result, vm) for vm in result.vms)
    for host in ctx.run.hosts:
        if host.target in failed:
            rows.append(_host_row(ctx, None, host.host_name, host.target, host.status.value, host.not_collected()))
            failed.discard(host.target)
    writer.writerows([safe_cell(visible(cell)) for cell in row] for row in rows)
    return buffer.getvalue()
