"""The terminal report: findings first, then what could not be determined, then failed hosts.

The only module besides progress output that imports rich.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from hvbpa.i18n import reason_text, text
from hvbpa.policy import summarize
from hvbpa.report import ReportContext
from hvbpa.results import HostStatus, RuleResult, Severity, Status, VMVerdict

_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFORMATION: "cyan"}


def _vm_line(vm: VMVerdict, lang: str) -> Text:
    line = Text()
    line.append(vm.vm_name, style="bold")
    line.append(f" [{vm.replication_mode}, {vm.state}] ", style="dim")
    line.append(reason_text(vm.reason, lang))
    if vm.inferred_from:
        line.append(f"; {text('inferred', lang, partner=vm.inferred_from)}", style="italic")
    if vm.failover_addresses:
        line.append(
            f"; {text('failover_not_applied', lang, addresses=', '.join(vm.failover_addresses))}", style="magenta"
        )
    return line


def _findings(ctx: ReportContext, results: list[RuleResult]) -> Table:
    lang = ctx.lang
    table = Table(title=text("findings", lang), show_lines=True, expand=False, title_justify="left")
    table.add_column(text("rule", lang), overflow="fold", ratio=3)
    table.add_column(text("severity", lang), no_wrap=True)
    table.add_column(text("host", lang), overflow="fold")
    table.add_column(text("affected", lang), overflow="fold", ratio=5)
    for result in results:
        rule = ctx.rule(result.rule_id)
        title = Text(f"{rule.id} ", style="bold")
        title.append(rule.text(lang).title)
        vms = Text("\n").join(_vm_line(vm, lang) for vm in result.affected)
        severity = Text(text(result.severity.value, lang), style=_SEVERITY_STYLE[result.severity])
        if result.excluded_by:
            severity.append(f"\n({text('excluded', lang)})", style="dim")
        table.add_row(title, severity, result.host, vms)
    return table


def _undetermined(ctx: ReportContext, results: Sequence[RuleResult]) -> Table | None:
    lang = ctx.lang
    rows = [(r, vm) for r in results for vm in r.undetermined]
    host_rows = [r for r in results if r.reason is not None and r.target in _ok_targets(ctx)]
    if not rows and not host_rows:
        return None
    table = Table(title=text("undetermined_title", lang), title_justify="left", title_style="bold yellow")
    table.add_column(text("rule", lang), no_wrap=True)
    table.add_column(text("host", lang), overflow="fold")
    table.add_column(text("vm", lang), overflow="fold")
    table.add_column(text("why", lang), overflow="fold", ratio=4)
    for result in host_rows:
        assert result.reason is not None
        table.add_row(result.rule_id, result.host, "*", reason_text(result.reason, lang))
    for result, vm in rows:
        table.add_row(result.rule_id, result.host, vm.vm_name, reason_text(vm.reason, lang))
    return table


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
    if findings:
        console.print(_findings(ctx, findings))
    else:
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
    return buffer.getvalue()
