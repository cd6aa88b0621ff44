"""SARIF 2.1.0, for code-scanning dashboards and any tool that reads static-analysis logs.

There are no source files here, so findings are placed with logical locations: the
host as a namespace (VM names are unique only within it) and the VM as a resource.
A VM that could not be judged is a result of kind "open" (SARIF's word for "the tool
could not decide"); a host that could not be scanned or judged at all is a
tool-execution notification, and it makes the invocation unsuccessful, as exit code 3 does.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from hvbpa.evaluate import RuleResult, Severity, Status, VMVerdict
from hvbpa.i18n import reason_text
from hvbpa.policy import FINGERPRINT_KEY, finding_fingerprint, run_is_incomplete, summarize
from hvbpa.report.formats import ReportContext, vm_message
from hvbpa.snapshot import HostOutcome, HostStatus

SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# The project has no homepage in its metadata yet; SARIF requires a URI here.
INFORMATION_URI = "https://pypi.org/project/hvbpa/"

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFORMATION: "note"}
_LANGUAGE = {"en": "en-US", "ko": "ko-KR"}


def _utc(stamp: str) -> str | None:
    if not stamp:
        return None
    parsed = datetime.fromisoformat(stamp)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Locations:
    """run.logicalLocations, each host and VM once; results point into it by index."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._index: dict[tuple[str, ...], int] = {}

    def host(self, host: str) -> int:
        key = (host.lower(),)
        if key not in self._index:
            self._index[key] = len(self.items)
            self.items.append({"name": host, "fullyQualifiedName": host, "kind": "namespace"})
        return self._index[key]

    def vm(self, host: str, vm: VMVerdict) -> int:
        key = (host.lower(), vm.vm_id.lower())
        if key not in self._index:
            parent = self.host(host)
            self._index[key] = len(self.items)
            self.items.append(
                {
                    "name": vm.vm_name,
                    "fullyQualifiedName": f"{host}/{vm.vm_name}",
                    "kind": "resource",
                    "parentIndex": parent,
                    "properties": {"vmId": vm.vm_id},
                }
            )
        return self._index[key]

    def ref(self, index: int) -> dict[str, Any]:
        item = self.items[index]
        return {"index": index, "fullyQualifiedName": item["fullyQualifiedName"]}


def _rule(ctx: ReportContext, rule_id: str) -> dict[str, Any]:
    rule = ctx.rule(rule_id)
    body = rule.text(ctx.lang)
    return {
        "id": rule.id,
        "name": rule.slug,
        "shortDescription": {"text": body.title},
        "fullDescription": {"text": body.problem},
        "help": {"text": body.resolution},
        "helpUri": rule.help_url,
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"category": rule.category, "tags": ["hyper-v", rule.category], "impact": body.impact},
    }


def _vm_message(host: str, vm: VMVerdict, lang: str) -> str:
    return f"{host}/{vm.vm_name}: {vm_message(vm, lang)}"


def _vm_result(
    ctx: ReportContext, result: RuleResult, vm: VMVerdict, rule_index: int, locations: _Locations
) -> dict[str, Any]:
    failing = vm.status is Status.NONCOMPLIANT
    found: dict[str, Any] = {
        "ruleId": result.rule_id,
        "ruleIndex": rule_index,
        "kind": "fail" if failing else "open",
        # SARIF allows only "none" for results that are not failures.
        "level": _LEVEL[result.severity] if failing else "none",
        "message": {"text": _vm_message(result.host, vm, ctx.lang)},
        "locations": [{"logicalLocations": [locations.ref(locations.vm(result.host, vm))]}],
        "partialFingerprints": {FINGERPRINT_KEY: finding_fingerprint(result.rule_id, result.host, vm.vm_id)},
        "properties": {
            "host": result.host,
            "target": result.target,
            "vmName": vm.vm_name,
            "vmId": vm.vm_id,
            "replicationMode": vm.replication_mode,
            "state": vm.state,
            "evidence": vm.evidence.value,
            "reasonCode": vm.reason.code,
            "inferredFrom": vm.inferred_from,
            "failoverAddresses": list(vm.failover_addresses),
        },
    }
    if result.excluded_by:
        found["suppressions"] = [{"kind": "external", "status": "accepted", "justification": result.excluded_by}]
    return found


def _notification(
    message: str, host: str, locations: _Locations, descriptor: str, rule: tuple[str, int] | None = None
) -> dict[str, Any]:
    note: dict[str, Any] = {
        "level": "error",
        "message": {"text": message},
        "descriptor": {"id": descriptor},
        "locations": [{"logicalLocations": [locations.ref(locations.host(host))]}],
    }
    if rule is not None:
        note["associatedRule"] = {"id": rule[0], "index": rule[1]}
    return note


def _failed_host_message(host: HostOutcome, lang: str) -> str:
    return f"{host.target}: {reason_text(host.not_collected(), lang)}"


def document(ctx: ReportContext) -> dict[str, Any]:
    run = ctx.run
    rule_ids = [r.id for r in ctx.rules]
    rule_index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    locations = _Locations()
    failed = [h for h in run.hosts if h.status is not HostStatus.OK]
    failed_targets = {h.target for h in failed}
    notifications = [
        _notification(_failed_host_message(h, ctx.lang), h.host_name, locations, f"host/{h.status.value}")
        for h in failed
    ]
    results: list[dict[str, Any]] = []
    for result in run.results:
        index = rule_index[result.rule_id]
        if result.reason is not None:
            # A failed host already has its own notification; do not repeat it for every rule.
            if result.target not in failed_targets:
                message = f"{result.host}: {reason_text(result.reason, ctx.lang)}"
                notifications.append(
                    _notification(message, result.host, locations, result.reason.code, (result.rule_id, index))
                )
            continue
        for vm in result.vms:
            if vm.status in (Status.NONCOMPLIANT, Status.UNDETERMINED):
                results.append(_vm_result(ctx, result, vm, index, locations))
    invocation: dict[str, Any] = {
        "executionSuccessful": not run_is_incomplete(run),
        "exitCode": ctx.exit_code,
        "toolExecutionNotifications": notifications,
    }
    for key, stamp in (("startTimeUtc", run.started), ("endTimeUtc", run.finished)):
        utc = _utc(stamp)
        if utc:
            invocation[key] = utc
    sarif_run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "hvbpa",
                "version": ctx.tool_version,
                "semanticVersion": ctx.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(ctx, rule_id) for rule_id in rule_ids],
            }
        },
        "language": _LANGUAGE.get(ctx.lang, ctx.lang),
        "invocations": [invocation],
        "logicalLocations": locations.items,
        "results": results,
    }
    # The same counts as the table and the JSON report, from the one definition of each.
    properties: dict[str, Any] = {"hvbpa.summary": asdict(summarize(ctx.run))}
    if ctx.notes:
        properties["notes"] = list(ctx.notes)
    sarif_run["properties"] = properties
    return {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [sarif_run]}


def render(ctx: ReportContext) -> str:
    return json.dumps(document(ctx), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
