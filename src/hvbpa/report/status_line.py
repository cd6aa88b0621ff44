"""The one stderr line of a run whose reports all went to files (a scheduled task).

Nobody reads the report files of a task that failed until its log says why: the
line explains the exit code, and names the file to open.
"""

from __future__ import annotations

from collections.abc import Sequence

from hvbpa.evaluate import Run, Status
from hvbpa.exit_codes import ExitCode
from hvbpa.i18n import reason_text, text
from hvbpa.policy import counts_as_failure, summarize
from hvbpa.report.outputs import OutputSpec
from hvbpa.snapshot import HostStatus
from hvbpa.visible import visible

_LISTED = 2  # hosts named on the line; the report has the rest


def status_line(run: Run, code: ExitCode, fail_on: str, outputs: Sequence[OutputSpec], lang: str) -> str | None:
    """None when a report went to stdout (it says it all) or when the run passed."""
    paths = [spec.path for spec in outputs if spec.path is not None]
    if len(paths) < len(outputs) or code is ExitCode.OK:
        return None
    # The JSON report is the one a script or a person opens first.
    see = next((p for p, s in zip(paths, outputs, strict=True) if s.format == "json"), paths[0])
    summary = summarize(run)
    if summary.hosts_failed:
        failed = [h for h in run.hosts if h.status is not HostStatus.OK]
        named = "; ".join(f"{h.target}: {h.reason_in(lang)}" for h in failed[:_LISTED])
        more = text("status_more", lang, count=len(failed) - _LISTED) if len(failed) > _LISTED else ""
        line = text("status_not_scanned", lang, failed=summary.hosts_failed, hosts=summary.hosts, named=named + more)
    elif code is ExitCode.INCOMPLETE and not summary.hosts_undetermined and run.failures:
        return None  # only a rule's check failed: the CLI's line on it says it all
    elif code is ExitCode.INCOMPLETE:
        unjudged = [r for r in run.results if r.reason is not None]
        first = unjudged[0] if unjudged else None
        named = f"{first.host}: {reason_text(first.reason, lang)}" if first and first.reason else ""
        line = text("status_not_judged", lang, count=summary.hosts_undetermined, hosts=summary.hosts, named=named)
    elif code is ExitCode.FINDINGS:
        failing = [
            r
            for r in run.results
            if r.status is Status.NONCOMPLIANT and not r.excluded_by and counts_as_failure(r.severity, fail_on)
        ]
        vms = sum(len(r.failing) for r in failing)
        hosts = len({r.target for r in failing})
        line = text("status_findings", lang, vms=vms, hosts=hosts, fail_on=fail_on)
    else:
        return None
    # Host names and failure reasons come from the hosts: nothing of theirs drives the terminal.
    return visible(text("status_see", lang, line=line, path=see))
