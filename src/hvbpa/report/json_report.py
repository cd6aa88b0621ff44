"""The versioned JSON report (schema ``hvbpa.report/2``, shipped as report-v2.schema.json).

Version 2 added rules judged per host: such a result has ``scope`` "host", an empty VM
list and a ``verdict`` on the host itself. A version 1 reader would have counted those
findings as having no affected VM, so the version changed; hvbpa still reads version 1.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from hvbpa.evaluate import RuleResult, Status, VMVerdict
from hvbpa.i18n import Reason, reason_text
from hvbpa.policy import Summary, summarize
from hvbpa.report.formats import ReportContext, json_text
from hvbpa.snapshot import HostOutcome, dump_snapshot

REPORT_SCHEMA = "hvbpa.report/2"
READABLE_SCHEMAS = ("hvbpa.report/1", REPORT_SCHEMA)


def _reason(reason: Reason | None, lang: str) -> dict[str, Any] | None:
    if reason is None:
        return None
    return {"code": reason.code, "text": reason_text(reason, lang), "params": dict(reason.params)}


def _host(ctx: ReportContext, outcome: HostOutcome) -> dict[str, Any]:
    snapshot = outcome.snapshot
    lang = ctx.lang
    origin = ctx.origins.get(outcome.target)
    return {
        "target": outcome.target,
        "name": outcome.host_name,
        # Where the host was named (hosts file, inventory, snapshot file); null on the command line.
        "origin": {"path": origin.path, "line": origin.line} if origin else None,
        "status": outcome.status.value,
        "reason": outcome.reason_in(lang) or None,
        "why": _reason(outcome.why, lang),
        "duration_seconds": round(outcome.duration_seconds, 3),
        "requests": outcome.requests,
        # With the target, who the host is (two hosts may share a Windows name): baselines use it.
        "fqdn": snapshot.host.fqdn if snapshot else None,
        "os_build": snapshot.host.os_build if snapshot else None,
        "cluster_name": snapshot.host.cluster_name if snapshot else None,
        "vm_count": len(snapshot.vms) if snapshot else None,
        "collected_at": snapshot.collected_at if snapshot else None,
        # The data the verdicts came from, so `hvbpa report merge` can judge it again.
        "snapshot": dump_snapshot(snapshot) if snapshot and ctx.json_snapshots else None,
    }


def _vm(result: RuleResult, vm: VMVerdict, lang: str) -> dict[str, Any]:
    found: dict[str, Any] = {
        "name": vm.vm_name,
        "vm_id": vm.vm_id,
        "host": vm.host,
        "replication_mode": vm.replication_mode,
        "state": vm.state,
        "status": vm.status.value,
        "evidence": vm.evidence.value,
        "reason": _reason(vm.reason, lang),
        "inferred_from": vm.inferred_from,
        "failover_addresses": list(vm.failover_addresses),
    }
    # Only on an accepted finding (a key on every verdict would grow a large report by megabytes).
    accepted = result.accepted_by(vm) if vm.status is Status.NONCOMPLIANT else None
    if accepted:
        found["excluded_by"] = accepted
    return found


def _result(ctx: ReportContext, result: RuleResult) -> dict[str, Any]:
    rule = ctx.rule(result.rule_id)
    text = rule.text(ctx.lang)
    return {
        "rule_id": rule.id,
        "host": result.host,
        "target": result.target,
        "status": result.status.value,
        "severity": result.severity.value,
        "category": rule.category,
        "title": text.title,
        "problem": text.problem,
        "impact": text.impact,
        "resolution": text.resolution,
        "help_url": rule.help_url,
        "reason": _reason(result.reason, ctx.lang),
        "excluded_by": result.excluded_by,
        "affected_vms": [vm.vm_name for vm in result.affected],
        "vms": [_vm(result, vm, ctx.lang) for vm in result.vms],
        "scope": result.scope.value,
        "verdict": (
            {"status": result.verdict.status.value, "reason": _reason(result.verdict.reason, ctx.lang)}
            if result.verdict
            else None
        ),
    }


def document(ctx: ReportContext) -> dict[str, Any]:
    run = ctx.run
    return {
        "schema": REPORT_SCHEMA,
        "tool": {"name": "hvbpa", "version": ctx.tool_version},
        "run": {
            "started": run.started,
            "finished": run.finished,
            "lang": ctx.lang,
            "fail_on": ctx.fail_on,
            "exit_code": ctx.exit_code,
            "tls_unverified_hosts": list(ctx.tls_unverified),
        },
        "summary": asdict(summarize(run)),
        "rules": [
            {
                "id": r.id,
                "slug": r.slug,
                "title": r.title,
                "severity": r.severity.value,
                "category": r.category,
                "model": r.model,
                "help_url": r.help_url,
                "judged_per": r.scope.value,
                "bpa_rule": r.bpa_rule or None,
            }
            for r in ctx.rules
        ],
        "hosts": [_host(ctx, h) for h in run.hosts],
        "results": [_result(ctx, r) for r in run.results],
        "notes": list(ctx.notes),
    }


def render(ctx: ReportContext) -> str:
    return json_text(document(ctx))


def failed_run_document(
    *, exit_code: int, error: str, started: datetime, finished: datetime, lang: str, fail_on: str, tool_version: str
) -> dict[str, Any]:
    """The report of a run that ended in an error (exit 2, 3 or 4) before it had results: no hosts,
    no results, ``run.exit_code`` and ``run.error`` saying why, so that a monitor reading the JSON
    of a scheduled run sees today's failure, not yesterday's report."""
    return {
        "schema": REPORT_SCHEMA,
        "tool": {"name": "hvbpa", "version": tool_version},
        "run": {
            "started": started.isoformat(timespec="seconds"),
            "finished": finished.isoformat(timespec="seconds"),
            "lang": lang,
            "fail_on": fail_on,
            "exit_code": exit_code,
            "error": error,
        },
        "summary": dict.fromkeys((f.name for f in fields(Summary)), 0),
        "rules": [],
        "hosts": [],
        "results": [],
        "notes": [error],
    }
