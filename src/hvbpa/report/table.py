"""The terminal report: findings first, then what could not be determined, then failed hosts.

The only module besides progress output that imports rich.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from hvbpa.evaluate import RuleResult, Severity, Status, VMVerdict
from hvbpa.i18n import Reason, reason_text, text
from hvbpa.policy import summarize
from hvbpa.report.formats import ReportContext
from hvbpa.snapshot import HostStatus

_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFORMATION: "cyan"}


def _why(vm: VMVerdict, lang: str) -> Text:
    line = Text(reason_text(vm.reason, lang))
    if vm.inferred_from:
        line.append(f"; {text('inferred', lang, partner=vm.inferred_from)}", style="italic")
    if vm.failover_addresses:
        line.append(
            f"; {text('failover_not_applied', lang, addresses=', '.join(vm.failover_addresses))}", style="magenta"
        )
    return line


def _findings(ctx: ReportContext, rule_id: str, results: Sequence[RuleResult]) -> Table:
    """One table per rule, as BPA groups results: the rule and its fix on top, one row per affected
    VM, or per affected host for a rule judged per host."""
    lang = ctx.lang
    rule = ctx.rule(rule_id)
    body = rule.text(lang)
    severity = results[0].severity
    title = Text()
    title.append(f"{rule.id} ", style="bold")
    title.append(f"[{text(severity.value, lang)}] ", style=_SEVERITY_STYLE[severity])
    title.append(body.title, style="bold")
    table = Table(title=title, caption=body.resolution, title_justify="left", caption_justify="left", show_lines=False)
    table.add_column(text("host", lang), overflow="fold")
    table.add_column(text("vm", lang), overflow="fold")
    table.add_column(text("mode", lang), no_wrap=True)
    table.add_column(text("why", lang), overflow="fold", ratio=1)
    for result in results:
        if result.host_finding and result.verdict is not None:
            label = Text(text("host_itself", lang), style="bold")
            if result.excluded_by:
                label.append(f" ({text('excluded', lang)})", style="dim")
            table.add_row(result.host, label, "", Text(reason_text(result.verdict.reason, lang)))
        for vm in result.affected:
            name = Text(vm.vm_name, style="bold")
            if result.excluded_by:
                name.append(f" ({text('excluded', lang)})", style="dim")
            table.add_row(result.host, name, f"{vm.replication_mode}, {vm.state}", _why(vm, lang))
    return table


def _undetermined(ctx: ReportContext, results: Sequence[RuleResult]) -> Table | None:
    lang = ctx.lang
    rows = [(r, vm) for r in results for vm in r.undetermined]
    host_rows = [r for r in results if r.reason is not None and r.target in _ok_targets(ctx)]
    verdict_rows = [r for r in results if r.host_undetermined]
    if not rows and not host_rows and not verdict_rows:
        return None
    table = Table(title=text("undetermined_title", lang), title_justify="left", title_style="bold yellow")
    table.add_column(text("rule", lang), no_wrap=True)
    table.add_column(text("host", lang), overflow="fold")
    table.add_column(text("vm", lang), overflow="fold")
    table.add_column(text("why", lang), overflow="fold", ratio=4)
    for result in host_rows:
        assert result.reason is not None
        table.add_row(result.rule_id, result.host, "*", reason_text(result.reason, lang))
    for result in verdict_rows:
        assert result.verdict is not None
        table.add_row(result.rule_id, result.host, text("host_itself", lang), reason_text(result.verdict.reason, lang))
    # Many VMs that could not be judged for the same reason (a host whose collector predates a
    # rule's data, say) are one row: the table stays readable with many rules and VMs.
    groups: dict[tuple[str, str, Reason], list[str]] = {}
    for result, vm in rows:
        groups.setdefault((result.rule_id, result.host, vm.reason), []).append(vm.vm_name)
    for (rule_id, host, reason), names in groups.items():
        if len(names) > _GROUPED:
            shown = ", ".join(names[:_NAMED])
            label = text("vm_group", lang, count=len(names), names=shown)
            table.add_row(rule_id, host, label, reason_text(reason, lang))
        else:
            for name in names:
                table.add_row(rule_id, host, name, reason_text(reason, lang))
    return table


_GROUPED = 5  # more VMs than this with one reason become one row
_NAMED = 3  # VM names shown in such a row


def _ok_targets(ctx: ReportContext) -> set[str]:
    return {h.target for h in ctx.run.hosts if h.status is HostStatus.OK}


def _failed_hosts(ctx: ReportContext) -> Table | None:
    lang = ctx.lang
    failed = [h for h in ctx.run.hosts if h.status is not HostStatus.OK]
    if not failed:
        return None
    table = Table(title=text("failed_hosts", lang), title_justify="left", title_style="bold red")
    table.add_column(text("host", lang), overflow="fold")
    table.add_column(text("status", lang), no_wrap=True)
    table.add_column(text("reason", lang), overflow="fold", ratio=4)
    for host in failed:
        table.add_row(host.target, Text(host.status.value, style="red"), host.reason)
    return table


def render(ctx: ReportContext) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=ctx.color,
        no_color=not ctx.color,
        color_system="standard" if ctx.color else None,
        width=ctx.width or 120,
        highlight=False,
        emoji=False,
    )
    shown = [r for r in ctx.run.results if ctx.show_excluded or not r.excluded_by]
    findings = [r for r in shown if r.status is Status.NONCOMPLIANT]
    # Errors first, then warnings: with many rules the worst problems lead.
    ordered = sorted(dict.fromkeys(r.rule_id for r in findings), key=lambda rid: (-ctx.rule(rid).severity.rank, rid))
    for rule_id in ordered:
        console.print(_findings(ctx, rule_id, [r for r in findings if r.rule_id == rule_id]))
    if not findings:
        console.print(text("no_findings", ctx.lang), style="bold green")
    for table in (_undetermined(ctx, ctx.run.results), _failed_hosts(ctx)):
        if table is not None:
            console.print()
            console.print(table)
    for note in ctx.notes:
        console.print(note, style="yellow")
    summary = summarize(ctx.run)
    console.print()
    console.print(
        text(
            "summary",
            ctx.lang,
            hosts=summary.hosts,
            ok=summary.hosts_ok,
            failed=summary.hosts_failed,
            noncompliant=summary.noncompliant,
            undetermined=summary.undetermined,
            compliant=summary.compliant,
            excluded=summary.excluded,
        )
    )
    # How many VMs stand behind the verdicts: "no findings" over zero VMs is not reassurance.
    console.print(
        text(
            "summary_vms",
            ctx.lang,
            judged=summary.vms_noncompliant + summary.vms_undetermined + summary.vms_compliant,
            vm_noncompliant=summary.vms_noncompliant,
            vm_undetermined=summary.vms_undetermined,
            vm_compliant=summary.vms_compliant,
        )
    )
    return buffer.getvalue()
