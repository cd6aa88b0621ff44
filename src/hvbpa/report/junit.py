"""JUnit XML, the test-report format Jenkins, GitLab and Azure Pipelines all read.

Each host is a suite and each (rule, VM) a test case named after the VM, with the rule
id as its class, so CI history tracks a VM's compliance over time; a rule judged per
host is one case named after the host. A host that could
not be scanned is one case with <error>, not one per rule: it is a single failure.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from hvbpa.evaluate import RuleResult, Status, VMVerdict
from hvbpa.i18n import reason_text, text
from hvbpa.report.formats import ReportContext, vm_message
from hvbpa.snapshot import HostOutcome, HostStatus
from hvbpa.visible import visible

# XML 1.0 cannot carry these at all, even escaped; they can arrive in host error messages.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(value: str, *, lines: bool = False) -> str:
    """Control characters from a host shown as escapes (CI logs print these reports); what XML
    cannot carry replaced. ``lines``: a detail text whose line breaks the report made."""
    return _NOT_XML.sub("\ufffd", visible(value, lines=lines))


@dataclass
class _Suite:
    element: ET.Element
    counts: Counter[str] = field(default_factory=Counter)

    def case(self, classname: str, name: str) -> ET.Element:
        self.counts["tests"] += 1
        return ET.SubElement(self.element, "testcase", classname=_clean(classname), name=_clean(name), time="0")

    def outcome(self, case: ET.Element, kind: str, message: str, detail: str = "", **attrs: str) -> None:
        counter = {"failure": "failures", "error": "errors", "skipped": "skipped"}[kind]
        self.counts[counter] += 1
        child = ET.SubElement(case, kind, {"message": _clean(message)} | {k: _clean(v) for k, v in attrs.items()})
        if detail:
            child.text = _clean(detail, lines=True)


def _timestamp(stamp: str) -> str:
    """The JUnit XSD's timestamp has no zone, so it is written in UTC."""
    try:
        parsed = datetime.fromisoformat(stamp)
    except ValueError:
        return ""
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
    return parsed.strftime("%Y-%m-%dT%H:%M:%S")


def _seconds(ctx: ReportContext) -> float:
    try:
        return (datetime.fromisoformat(ctx.run.finished) - datetime.fromisoformat(ctx.run.started)).total_seconds()
    except (ValueError, TypeError):
        return sum(h.duration_seconds for h in ctx.run.hosts)


def _vm_message(vm: VMVerdict, lang: str) -> str:
    return vm_message(vm, lang)


def _vm_detail(ctx: ReportContext, result: RuleResult, vm: VMVerdict) -> str:
    rule = ctx.rule(result.rule_id)
    body = rule.text(ctx.lang)
    lines = [
        f"{rule.id}: {body.title}",
        f"{text('host', ctx.lang)}: {ctx.label(result.target, result.host)}",
        f"{text('vm', ctx.lang)}: {vm.vm_name} ({vm.vm_id})",
        f"{text('mode', ctx.lang)}: {vm.replication_mode}, {vm.state}",
        f"{text('why', ctx.lang)}: {_vm_message(vm, ctx.lang)}",
        "",
        body.resolution,
        rule.help_url,
    ]
    return "\n".join(lines)


def _add_result(ctx: ReportContext, suite: _Suite, result: RuleResult) -> None:
    lang = ctx.lang
    if result.reason is not None:
        case = suite.case(result.rule_id, ctx.label(result.target, result.host))
        suite.outcome(case, "error", reason_text(result.reason, lang), type="undetermined")
        return
    if result.verdict is not None:
        _add_host_verdict(ctx, suite, result)
    # Hyper-V allows two VMs with one name; the id keeps their cases apart in CI history.
    names = Counter(vm.vm_name for vm in result.vms)
    for vm in result.vms:
        name = vm.vm_name if names[vm.vm_name] == 1 else f"{vm.vm_name} ({vm.vm_id})"
        case = suite.case(result.rule_id, name)
        accepted = result.accepted_by(vm) if vm.status is Status.NONCOMPLIANT else None
        if accepted:
            suite.outcome(case, "skipped", f"{text('excluded', lang)}: {accepted}")
        elif vm.status is Status.NONCOMPLIANT:
            message = _vm_message(vm, lang)
            suite.outcome(case, "failure", message, _vm_detail(ctx, result, vm), type=result.severity.value)
        elif vm.status is Status.UNDETERMINED:
            suite.outcome(case, "skipped", f"{text('undetermined', lang)}: {_vm_message(vm, lang)}")
        elif vm.status is Status.NOT_APPLICABLE:
            suite.outcome(case, "skipped", text("not_applicable", lang))


def _add_host_verdict(ctx: ReportContext, suite: _Suite, result: RuleResult) -> None:
    assert result.verdict is not None
    lang, status = ctx.lang, result.verdict.status
    why = reason_text(result.verdict.reason, lang)
    host = ctx.label(result.target, result.host)
    case = suite.case(result.rule_id, f"{host} {text('host_itself', lang)}")
    if status is Status.NONCOMPLIANT and result.excluded_by:
        suite.outcome(case, "skipped", f"{text('excluded', lang)}: {result.excluded_by}")
    elif status is Status.NONCOMPLIANT:
        rule = ctx.rule(result.rule_id)
        body = rule.text(lang)
        lines = [f"{rule.id}: {body.title}", f"{text('host', lang)}: {host}", f"{text('why', lang)}: {why}"]
        detail = "\n".join([*lines, "", body.resolution, rule.help_url])
        suite.outcome(case, "failure", why, detail, type=result.severity.value)
    elif status is Status.UNDETERMINED:
        suite.outcome(case, "skipped", f"{text('undetermined', lang)}: {why}")
    elif status is Status.NOT_APPLICABLE:
        suite.outcome(case, "skipped", text("not_applicable", lang))


def _failed_host(ctx: ReportContext, suite: _Suite, host: HostOutcome) -> None:
    case = suite.case("hvbpa.scan", host.target)
    suite.outcome(
        case, "error", reason_text(host.not_collected(), ctx.lang), host.reason_in(ctx.lang), type=host.status.value
    )


def _set_counts(element: ET.Element, counts: Counter[str], seconds: float) -> None:
    for key in ("tests", "failures", "errors", "skipped"):
        element.set(key, str(counts[key]))
    element.set("time", f"{max(seconds, 0.0):.3f}")


def render(ctx: ReportContext) -> str:
    run = ctx.run
    root = ET.Element("testsuites", name="hvbpa")
    totals: Counter[str] = Counter()
    stamp = _timestamp(run.started)
    seen: set[str] = set()
    for number, host in enumerate(run.hosts):
        # Results are keyed by target; a target given twice must not count its cases twice.
        if host.target in seen:
            continue
        seen.add(host.target)
        # Two hosts may share a Windows name: the suite's name tells them apart.
        element = ET.SubElement(root, "testsuite", name=_clean(ctx.label(host.target, host.host_name)), id=str(number))
        if stamp:
            element.set("timestamp", stamp)
        element.set("hostname", _clean(host.host_name))
        properties = ET.SubElement(element, "properties")
        described = (("target", host.target), ("status", host.status.value), ("hvbpa.version", ctx.tool_version))
        for name, value in described:
            ET.SubElement(properties, "property", name=name, value=_clean(value))
        suite = _Suite(element)
        if host.status is not HostStatus.OK:
            _failed_host(ctx, suite, host)
        else:
            for result in run.results:
                if result.target == host.target:
                    _add_result(ctx, suite, result)
        _set_counts(element, suite.counts, host.duration_seconds)
        totals.update(suite.counts)
    _set_counts(root, totals, _seconds(ctx))
    first = root.find("testsuite")
    if ctx.notes and first is not None:
        # <testsuites> may hold only suites, so run-wide notes ride on the first one.
        ET.SubElement(first, "system-out").text = "\n".join(_clean(note) for note in ctx.notes)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
