"""The terminal report: findings first, then what could not be determined, then failed hosts.

The only module besides progress output that imports rich. Everything drawn is a rich
``Text`` made from :func:`visible` strings: a host's names and messages reach the terminal
with their control characters shown as escapes, and never as rich markup.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TextIO

from rich.cells import cell_len
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from hvbpa.evaluate import RuleResult, Severity, Status, VMVerdict
from hvbpa.i18n import Reason, host_status_text, hyperv_text, reason_text, text
from hvbpa.policy import Summary, summarize
from hvbpa.report.formats import ReportContext, vm_message_parts
from hvbpa.snapshot import HostStatus
from hvbpa.visible import visible

_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFORMATION: "cyan"}


def _why(vm: VMVerdict, lang: str) -> Text:
    why, *more = vm_message_parts(vm, lang)
    line = Text(visible(why))
    for part in more:
        line.append(f"; {visible(part)}", style="magenta")
    return line


def _shown(cell: Text | str) -> Text | str:
    """A cell as it may be drawn: a string made visible; a Text whose characters are not is rebuilt."""
    if isinstance(cell, str):
        return visible(cell)
    plain = visible(cell.plain)
    return cell if plain == cell.plain else Text(plain, style=cell.style)


# Below this width a table leaves the reason a word per line and breaks names: list instead.
NARROW = 100
# Nor is a table drawn when long names would leave the reason fewer columns than this.
MIN_REASON = 40


class _Section:
    """A titled group of rows, drawn as a table on a wide terminal and as a list on a narrow one.

    Each row is cells and a reason: the cells (host, VM, then a short label such as mode and
    state) are never broken mid-word; the narrow form joins them as ``host/VM  label`` on one
    line and gives the reason the whole width below it.
    """

    def __init__(self, title: Text, headings: tuple[str, ...], caption: str | None = None) -> None:
        self.title = title
        self.headings = headings
        self.caption = caption
        self.rows: list[tuple[list[Text | str], Text | str]] = []

    def add(self, cells: list[Text | str], why: Text | str) -> None:
        self.rows.append(([_shown(cell) for cell in cells], _shown(why)))

    def _reason_room(self, width: int) -> int:
        """Columns left for the reason once the unbroken cells and the borders have theirs."""
        fixed = 0
        for index, heading in enumerate(self.headings[:-1]):
            fixed += max([cell_len(heading)] + [cell_len(str(cells[index])) for cells, _ in self.rows])
        return width - fixed - 3 * (len(self.headings) + 1)

    def draw(self, console: Console, narrow: bool) -> None:
        narrow = narrow or self._reason_room(console.width) < MIN_REASON
        if not narrow:
            caption = Text(self.caption) if self.caption else None
            table = Table(title=self.title, caption=caption, title_justify="left", caption_justify="left")
            for heading in self.headings[:-1]:
                # Names and labels keep their words whole; the reason column takes what is left.
                table.add_column(heading, no_wrap=True)
            table.add_column(self.headings[-1], overflow="fold", ratio=1)
            for cells, why in self.rows:
                # Text, never str: rich would read a host's "[link=...]" in a string as markup.
                table.add_row(*(Text(c) if isinstance(c, str) else c for c in (*cells, why)))
            console.print(table)
            return
        console.print(self.title)
        for cells, why in self.rows:
            head = Text()
            for index, cell in enumerate(cells):
                if index:
                    head.append("  " if index == len(cells) - 1 else "/")
                head.append(cell if isinstance(cell, Text) else Text(cell, style="dim" if index else "bold"))
            console.print(head)
            console.print(Padding(why if isinstance(why, Text) else Text(why), (0, 0, 0, 4)))
        if self.caption:
            console.print(Text(self.caption))


def _findings(ctx: ReportContext, rule_id: str, results: Sequence[RuleResult]) -> _Section:
    """One group per rule, as BPA groups results: the rule and its fix, one row per affected VM,
    or per affected host for a rule judged per host."""
    lang = ctx.lang
    rule = ctx.rule(rule_id)
    body = rule.text(lang)
    severity = results[0].severity
    title = Text()
    title.append(f"{rule.id} ", style="bold")
    title.append(f"[{text(severity.value, lang)}] ", style=_SEVERITY_STYLE[severity])
    title.append(body.title, style="bold")
    headings = (text("host", lang), text("vm", lang), text("mode", lang), text("why", lang))
    section = _Section(title, headings, caption=body.resolution)
    for result in results:
        if result.host_finding and result.verdict is not None:
            label = Text(text("host_itself", lang), style="bold")
            if result.excluded_by:
                label.append(f" ({text('excluded', lang)})", style="dim")
            section.add([ctx.label(result.target, result.host), label, ""], reason_text(result.verdict.reason, lang))
        for vm in result.affected:
            accepted = result.accepted_by(vm)
            if accepted and not ctx.show_excluded:
                continue
            name = Text(visible(vm.vm_name), style="bold")
            if accepted:
                name.append(f" ({text('excluded', lang)})", style="dim")
            mode = f"{hyperv_text(vm.replication_mode, lang)}, {hyperv_text(vm.state, lang)}"
            section.add([ctx.label(result.target, result.host), name, mode], _why(vm, lang))
    return section


def _undetermined(ctx: ReportContext, results: Sequence[RuleResult]) -> _Section | None:
    lang = ctx.lang
    rows = [(r, vm) for r in results for vm in r.undetermined]
    host_rows = [r for r in results if r.reason is not None and r.target in _ok_targets(ctx)]
    verdict_rows = [r for r in results if r.host_undetermined]
    if not rows and not host_rows and not verdict_rows:
        return None
    title = Text(text("undetermined_title", lang), style="bold yellow")
    section = _Section(title, (text("host", lang), text("vm", lang), text("rule", lang), text("why", lang)))
    for result in host_rows:
        assert result.reason is not None
        section.add([ctx.label(result.target, result.host), "*", result.rule_id], reason_text(result.reason, lang))
    for result in verdict_rows:
        assert result.verdict is not None
        itself = text("host_itself", lang)
        host = ctx.label(result.target, result.host)
        section.add([host, itself, result.rule_id], reason_text(result.verdict.reason, lang))
    # Many VMs that could not be judged for the same reason (a host whose collector predates a
    # rule's data, say) are one row: the table stays readable with many rules and VMs.
    groups: dict[tuple[str, str, Reason], list[str]] = {}
    for result, vm in rows:
        groups.setdefault((result.rule_id, ctx.label(result.target, result.host), vm.reason), []).append(vm.vm_name)
    for (rule_id, host, reason), names in groups.items():
        if len(names) > _GROUPED:
            label = text("vm_group", lang, count=len(names), names=", ".join(names[:_NAMED]))
            section.add([host, label, rule_id], reason_text(reason, lang))
        else:
            for name in names:
                section.add([host, name, rule_id], reason_text(reason, lang))
    return section


_GROUPED = 5  # more VMs than this with one reason become one row
_NAMED = 3  # VM names shown in such a row


def _ok_targets(ctx: ReportContext) -> set[str]:
    return {h.target for h in ctx.run.hosts if h.status is HostStatus.OK}


def _failed_hosts(ctx: ReportContext) -> _Section | None:
    lang = ctx.lang
    failed = [h for h in ctx.run.hosts if h.status is not HostStatus.OK]
    if not failed:
        return None
    title = Text(text("failed_hosts", lang), style="bold red")
    section = _Section(title, (text("host", lang), text("status", lang), text("reason", lang)))
    for host in failed:
        status = Text(host_status_text(host.status.value, lang), style="red")
        section.add([host.target, status], host.reason_in(lang))
    return section


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
    narrow = console.width < NARROW
    # Errors first, then warnings: with many rules the worst problems lead.
    ordered = sorted(dict.fromkeys(r.rule_id for r in findings), key=lambda rid: (-ctx.rule(rid).severity.rank, rid))
    for rule_id in ordered:
        _findings(ctx, rule_id, [r for r in findings if r.rule_id == rule_id]).draw(console, narrow)
    summary = summarize(ctx.run)
    if summary.hosts and not summary.hosts_ok:
        # Nothing was looked at: that, not "no findings", is the news.
        console.print(Text(text("nothing_scanned", ctx.lang, hosts=summary.hosts), style="bold red"))
    elif not findings and summary.hosts_failed:
        partial = text("no_findings_partial", ctx.lang, ok=summary.hosts_ok, hosts=summary.hosts)
        console.print(Text(partial, style="yellow"))
    elif not findings:
        console.print(Text(text("no_findings", ctx.lang), style="bold green"))
    for section in (_undetermined(ctx, ctx.run.results), _failed_hosts(ctx)):
        if section is not None:
            console.print()
            section.draw(console, narrow)
    for note in ctx.notes:
        console.print(Text(visible(note), style="yellow"))
    console.print()
    for line in summary_lines(summary, ctx.lang):
        console.print(Text(line))
    # rich pads every line to the console width; a pipe or a file must not get trailing spaces.
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))


def summary_lines(summary: Summary, lang: str) -> list[str]:
    """The counts at the end of the table, each from :class:`hvbpa.policy.Summary` and nowhere else."""
    hosts = text("summary_hosts", lang, ok=summary.hosts_ok, hosts=summary.hosts, failed=summary.hosts_failed)
    if summary.hosts_undetermined:
        hosts += text("summary_hosts_unjudged", lang, unjudged=summary.hosts_undetermined)
    if not summary.hosts_ok:
        # Nothing was judged: lines of zeros below would only read like a clean result.
        return [hosts]
    vms = text(
        "summary_vms",
        lang,
        judged=summary.vms_judged,
        distinct=summary.vms_distinct,
        vm_noncompliant=summary.vms_noncompliant,
        vm_undetermined=summary.vms_undetermined,
        vm_compliant=summary.vms_compliant,
        vm_not_applicable=summary.vms_not_applicable,
    )
    accepted = [
        text(key, lang, count=count)
        for key, count in (
            ("summary_vms_excluded", summary.vms_excluded),
            ("summary_vms_baselined", summary.vms_baselined),
        )
        if count
    ]
    if accepted:
        # Inside the parentheses of the judged verdicts, which they are part of.
        close = vms.index(")")
        vms = vms[:close] + "".join(f", {part}" for part in accepted) + vms[close:]
    host_verdicts = (
        summary.host_verdicts_noncompliant
        + summary.host_verdicts_undetermined
        + summary.host_verdicts_compliant
        + summary.host_verdicts_not_applicable
        + summary.host_verdicts_accepted
    )
    split = ""
    if host_verdicts and summary.noncompliant:
        # A (rule, host) result of a per-host rule is the host's verdict itself; the others hold
        # the VMs' findings: the bridge from this line to the two below it.
        by_host = summary.host_verdicts_noncompliant
        split = text("summary_split", lang, by_vm=summary.noncompliant - by_host, by_host=by_host)
    results = text(
        "summary",
        lang,
        total=summary.noncompliant + summary.undetermined + summary.compliant + summary.not_applicable
        + summary.excluded,
        noncompliant=summary.noncompliant,
        split=split,
        undetermined=summary.undetermined,
        compliant=summary.compliant,
        not_applicable=summary.not_applicable,
        excluded=summary.excluded,
    )  # fmt: skip
    lines = [hosts, results, vms]
    if host_verdicts:
        accepted_hosts = summary.host_verdicts_accepted
        lines.append(
            text(
                "summary_host_verdicts",
                lang,
                total=host_verdicts,
                noncompliant=summary.host_verdicts_noncompliant,
                undetermined=summary.host_verdicts_undetermined,
                compliant=summary.host_verdicts_compliant,
                not_applicable=summary.host_verdicts_not_applicable,
                accepted=text("summary_host_verdicts_accepted", lang, count=accepted_hosts) if accepted_hosts else "",
            )
        )
    return lines


def show_on_windows_console(rendered: str, stream: TextIO) -> None:
    """The table on a Windows console, through rich's Windows console support: ANSI styles
    where the console takes them, the console API where it does not (a console without
    virtual terminal processing would show the escape codes as text)."""
    console = Console(file=stream, highlight=False, emoji=False, markup=False, soft_wrap=True)
    console.print(Text.from_ansi(rendered), end="", crop=False, overflow="ignore")
