"""The end of every run: evaluate, apply policy, write every report, pick the exit code.

Shared by ``evaluate``, ``scan`` and ``demo``; the CLI only builds :class:`RunOptions`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TextIO

from hvbpa import __version__
from hvbpa.console import is_console
from hvbpa.evaluate import EvaluationOptions, Rule, Run, analyze
from hvbpa.exit_codes import ExitCode
from hvbpa.policy import (
    Baseline,
    Exclusion,
    apply_baseline,
    apply_exclusions,
    exit_code,
    host_identities,
    unmatched_exclusions,
)
from hvbpa.report import HostOrigin, OutputSpec, ReportContext, status_line, write_outputs
from hvbpa.snapshot import HostOutcome


@dataclass(frozen=True)
class RunOptions:
    outputs: tuple[OutputSpec, ...]
    fail_on: str = "warning"
    exit_zero: bool = False
    lang: str = "en"
    show_excluded: bool = False
    json_snapshots: bool = True
    evaluation: EvaluationOptions = field(default_factory=EvaluationOptions)
    now: datetime | None = None  # fixed clock for reproducible runs; None: the real clock
    notes: tuple[str, ...] = field(default=())
    exclusions: tuple[Exclusion, ...] = ()
    baseline: Baseline | None = None
    stopped: ExitCode | None = None  # INTERRUPTED or TERMINATED: the run's code whatever it found
    tls_unverified: tuple[str, ...] = ()  # targets scanned without certificate validation
    origins: Mapping[str, HostOrigin] = field(default_factory=dict)  # target -> the file line that named it


@dataclass(frozen=True)
class Finished:
    run: Run
    exit_code: ExitCode


def _short(name: str) -> str:
    return name.split(".", 1)[0].casefold()


def cluster_notes(outcomes: Sequence[HostOutcome]) -> tuple[str, ...]:
    """One note per cluster with nodes this run did not scan: Get-VM on a node lists only
    the VMs that node owns, so theirs are missing from the report."""
    scanned: set[str] = set()
    clusters: dict[str, dict[str, str]] = {}
    for outcome in outcomes:
        snapshot = outcome.snapshot
        if snapshot is None:
            continue
        facts = snapshot.host
        scanned.update(_short(n) for n in (facts.name, facts.fqdn, outcome.target) if n)
        if facts.cluster_name and facts.cluster_nodes:
            members = clusters.setdefault(facts.cluster_name, {})
            members.update({_short(node): node for node in facts.cluster_nodes})
    notes = []
    for cluster, members in sorted(clusters.items()):
        missing = sorted(node for key, node in members.items() if key not in scanned)
        if missing:
            notes.append(
                f"cluster {cluster}: node(s) {', '.join(missing)} not scanned; the VMs they own are not in this report"
            )
    return tuple(notes)


# Wider than any screen; a larger COLUMNS is a typo, not a reason to render a megabyte per line.
WIDEST_TABLE = 1000


def table_width(console: bool, environ: Mapping[str, str]) -> int | None:
    """The table's width: the terminal's; for a pipe or a file, COLUMNS when it is a usable number
    (`COLUMNS=200 hvbpa ... | less -S`: a pipe has no size of its own); else None, the default."""
    if console:
        return shutil.get_terminal_size().columns
    try:
        columns = int(environ.get("COLUMNS", ""))
    except ValueError:
        return None
    return min(columns, WIDEST_TABLE) if columns > 0 else None


def finish(
    outcomes: Sequence[HostOutcome],
    rules: Sequence[Rule],
    options: RunOptions,
    *,
    started: datetime,
    stdout: TextIO,
    stderr: TextIO | None = None,
) -> Finished:
    """``stderr``: where a run whose reports all went to files says in one line why it failed (None: quiet)."""
    now = options.now or datetime.now(UTC)
    run = analyze(
        outcomes,
        rules,
        started=started,
        finished=options.now or datetime.now(UTC),
        now=now,
        options=options.evaluation,
    )
    # Hosts are told apart by FQDN (or target), not by their Windows name, which two may share.
    identities = host_identities(outcomes)
    # Exclusions first: a baseline must not hide a finding whose exclusion has expired.
    results, notes = apply_exclusions(run.results, options.exclusions, now, identities)
    # A stale or mistyped entry is said in the report and, unless -q, on stderr.
    unmatched = unmatched_exclusions(run.results, options.exclusions, now, identities)
    if unmatched and stderr is not None:
        from hvbpa.i18n import text
        from hvbpa.report import visible

        for note in unmatched:
            stderr.write(visible(text("cli_warning", options.lang, message=note)) + "\n")
        stderr.flush()
    notes = tuple(options.notes) + tuple(notes) + unmatched
    if options.baseline is not None:
        results, more = apply_baseline(results, options.baseline, identities)
        notes += tuple(more)
    notes += cluster_notes(outcomes)
    run = replace(run, results=tuple(results))
    code = exit_code(run, options.fail_on)
    if options.exit_zero and code is ExitCode.FINDINGS:
        code = ExitCode.OK
    if options.stopped is not None:
        code = options.stopped
    ctx = ReportContext(
        run=run,
        rules=tuple(rules),
        tool_version=__version__,
        lang=options.lang,
        fail_on=options.fail_on,
        exit_code=int(code),
        show_excluded=options.show_excluded,
        json_snapshots=options.json_snapshots,
        notes=notes,
        tls_unverified=options.tls_unverified,
        origins=options.origins,
    )
    # A console, not merely isatty: Windows' NUL device (a scheduled task's output) is a "tty" too.
    console = is_console(stdout)
    color = console and "NO_COLOR" not in os.environ
    width = table_width(console, os.environ)
    if width is not None:
        ctx = replace(ctx, width=width)
    write_outputs(options.outputs, ctx, stdout, stdout_color=color)
    line = status_line(run, code, options.fail_on, options.outputs, options.lang)
    if line and stderr is not None:
        stderr.write(line + "\n")
        stderr.flush()
    return Finished(run, code)
