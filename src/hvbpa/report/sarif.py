"""SARIF 2.1.0, for code-scanning dashboards and any tool that reads static-analysis logs.

Every result has two locations in one: a logical one, the host as a namespace (VM names
are unique only within it) and the VM as a resource; and a physical one, which GitHub
code scanning requires (a file URI and a start line): the hosts file or inventory line
that named the host, or the snapshot file given to ``evaluate``, as a URI relative to
the working directory (``%SRCROOT%``: a CI job runs in its checkout). GitHub rejects a
whole upload with an absolute ``file:`` URI outside the checkout, so a host named on the
command line, or in a file outside the working directory, gets a stable file of its own
instead: ``hosts/<target>`` at line 1 (the file and line, if any, stay in the result's
``properties.origin``).

A VM that could not be judged is a result of kind "open" (SARIF's word for "the tool
could not decide"); a host that could not be scanned or judged at all is a
tool-execution notification, and it makes the invocation unsuccessful, as exit code 3 does.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from hvbpa.evaluate import RuleResult, Severity, Status, VMVerdict
from hvbpa.i18n import reason_text
from hvbpa.policy import FINGERPRINT_KEY, finding_fingerprint, run_is_incomplete, summarize
from hvbpa.report.formats import HostOrigin, ReportContext, json_text, vm_message
from hvbpa.snapshot import HostOutcome, HostStatus

SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# The project has no homepage in its metadata yet; SARIF requires a URI here.
INFORMATION_URI = "https://pypi.org/project/hvbpa/"

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFORMATION: "note"}
_LANGUAGE = {"en": "en-US", "ko": "ko-KR"}
# The base of relative artifact URIs: the working directory (a CI job's checkout).
SRCROOT = "%SRCROOT%"
# Where a host named on the command line is placed: hosts/<target>, line 1.
COMMAND_LINE_FOLDER = "hosts/"


def _directory_uri(path: Path) -> str:
    uri = path.as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _within(path: str, cwd: Path) -> Path | None:
    """``path`` relative to the working directory, or None when it lies outside."""
    absolute = Path(os.path.normpath(cwd / path))
    if absolute.is_relative_to(cwd):
        return absolute.relative_to(cwd)
    try:  # the same place through a symbolic link
        real, base = absolute.resolve(), cwd.resolve()
    except (OSError, RuntimeError):
        return None
    return real.relative_to(base) if real.is_relative_to(base) else None


def artifact_location(origin: HostOrigin | None, target: str, cwd: Path) -> tuple[dict[str, str], int]:
    """The artifactLocation and start line of a host's results: always a relative URI."""
    relative = _within(origin.path, cwd) if origin is not None else None
    if origin is None or relative is None or relative == Path():
        return {"uri": COMMAND_LINE_FOLDER + quote(target, safe="")}, 1
    return {"uri": quote(relative.as_posix()), "uriBaseId": SRCROOT}, origin.line


def _utc(stamp: str) -> str | None:
    if not stamp:
        return None
    parsed = datetime.fromisoformat(stamp)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Locations:
    """run.logicalLocations, each host and VM once; results point into it by index.

    Each location also names the file and line of the host's entry (``physical``).
    """

    def __init__(self, origins: Mapping[str, HostOrigin], cwd: Path) -> None:
        self.items: list[dict[str, Any]] = []
        self._index: dict[tuple[str, ...], int] = {}
        self._origins = origins
        self._cwd = cwd
        self._physical: dict[str, dict[str, Any]] = {}

    def physical(self, target: str) -> dict[str, Any]:
        if target not in self._physical:
            artifact, line = artifact_location(self._origins.get(target), target, self._cwd)
            self._physical[target] = {"artifactLocation": artifact, "region": {"startLine": line}}
        return self._physical[target]

    def at(self, target: str, index: int) -> list[dict[str, Any]]:
        """A result's ``locations``: the host's file line, and the host or VM by index."""
        return [{"physicalLocation": self.physical(target), "logicalLocations": [self.ref(index)]}]

    def host(self, target: str, host: str) -> int:
        """The host by target (two may share a Windows name), named as reports name it."""
        key = (target,)
        if key not in self._index:
            self._index[key] = len(self.items)
            self.items.append({"name": host, "fullyQualifiedName": host, "kind": "namespace"})
        return self._index[key]

    def vm(self, target: str, host: str, vm: VMVerdict) -> int:
        key = (target, vm.vm_id.lower())
        if key not in self._index:
            parent = self.host(target, host)
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
    host, host_id = ctx.label(result.target, result.host), ctx.identity(result.target)
    found: dict[str, Any] = {
        "ruleId": result.rule_id,
        "ruleIndex": rule_index,
        "kind": "fail" if failing else "open",
        # SARIF allows only "none" for results that are not failures.
        "level": _LEVEL[result.severity] if failing else "none",
        "message": {"text": _vm_message(host, vm, ctx.lang)},
        "locations": locations.at(result.target, locations.vm(result.target, host, vm)),
        "partialFingerprints": {FINGERPRINT_KEY: finding_fingerprint(result.rule_id, host_id, vm.vm_id)},
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
    _add_origin(ctx, result.target, found)
    accepted = result.accepted_by(vm) if failing else None
    if accepted:
        found["suppressions"] = [{"kind": "external", "status": "accepted", "justification": accepted}]
    return found


def _add_origin(ctx: ReportContext, target: str, found: dict[str, Any]) -> None:
    """The file and line that named the host, as given (also when the location cannot show it)."""
    origin = ctx.origins.get(target)
    if origin is not None:
        found["properties"]["origin"] = f"{origin.path}:{origin.line}"


def _host_result(ctx: ReportContext, result: RuleResult, rule_index: int, locations: _Locations) -> dict[str, Any]:
    """A host-level rule's verdict on the host: located at the host, fingerprinted with no VMId."""
    assert result.verdict is not None
    failing = result.verdict.status is Status.NONCOMPLIANT
    host, host_id = ctx.label(result.target, result.host), ctx.identity(result.target)
    found: dict[str, Any] = {
        "ruleId": result.rule_id,
        "ruleIndex": rule_index,
        "kind": "fail" if failing else "open",
        "level": _LEVEL[result.severity] if failing else "none",
        "message": {"text": f"{host}: {reason_text(result.verdict.reason, ctx.lang)}"},
        "locations": locations.at(result.target, locations.host(result.target, host)),
        "partialFingerprints": {FINGERPRINT_KEY: finding_fingerprint(result.rule_id, host_id, "")},
        "properties": {
            "host": result.host,
            "target": result.target,
            "scope": "host",
            "reasonCode": result.verdict.reason.code,
            "reasonParams": dict(result.verdict.reason.params),
        },
    }
    _add_origin(ctx, result.target, found)
    if result.excluded_by:
        found["suppressions"] = [{"kind": "external", "status": "accepted", "justification": result.excluded_by}]
    return found


def _notification(
    message: str,
    host: str,
    target: str,
    locations: _Locations,
    descriptor: str,
    rule: tuple[str, int] | None = None,
) -> dict[str, Any]:
    note: dict[str, Any] = {
        "level": "error",
        "message": {"text": message},
        "descriptor": {"id": descriptor},
        "locations": locations.at(target, locations.host(target, host)),
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
    cwd = Path.cwd()
    locations = _Locations(ctx.origins, cwd)
    failed = [h for h in run.hosts if h.status is not HostStatus.OK]
    failed_targets = {h.target for h in failed}
    notifications = [
        _notification(_failed_host_message(h, ctx.lang), h.host_name, h.target, locations, f"host/{h.status.value}")
        for h in failed
    ]
    results: list[dict[str, Any]] = []
    for result in run.results:
        index = rule_index[result.rule_id]
        if result.reason is not None:
            # A failed host already has its own notification; do not repeat it for every rule.
            if result.target not in failed_targets:
                host = ctx.label(result.target, result.host)
                message = f"{host}: {reason_text(result.reason, ctx.lang)}"
                notifications.append(
                    _notification(message, host, result.target, locations, result.reason.code, (result.rule_id, index))
                )
            continue
        if result.verdict is not None and result.verdict.status in (Status.NONCOMPLIANT, Status.UNDETERMINED):
            results.append(_host_result(ctx, result, index, locations))
        for vm in result.vms:
            if vm.status in (Status.NONCOMPLIANT, Status.UNDETERMINED):
                results.append(_vm_result(ctx, result, vm, index, locations))
    invocation: dict[str, Any] = {
        "executionSuccessful": not run_is_incomplete(run),
        "exitCode": ctx.exit_code,
        "workingDirectory": {"uri": _directory_uri(cwd)},
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
        "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(cwd)}},
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
    return json_text(document(ctx))
