"""Building report contexts from the snapshot cases, without going through the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from hvbpa.collect.saved import load_snapshot_file
from hvbpa.evaluate import EvaluationOptions, analyze
from hvbpa.evaluate.results import Run
from hvbpa.evaluate.ruleset import Rule, load_rules, select_rules
from hvbpa.policy.threshold import exit_code
from hvbpa.report.formats import ReportContext
from hvbpa.snapshot.outcome import HostOutcome, HostStatus
from tests.conftest import CASES, FIXED_NOW

NOW = datetime.fromisoformat(FIXED_NOW)
ABSENT = CASES / "absent-with-failover-ip" / "hv01.json"
KOREAN = CASES / "korean-names-bom-crlf" / "hv-kr.json"
NO_MODULE = CASES / "no-hyperv-module" / "hv01.json"
DOWN = HostOutcome(target="hv-down.contoso.test", status=HostStatus.UNREACHABLE, reason="connection refused")


# The report tests are about HVX003's case snapshots, which predate the replication
# sections; the replication rules' report shapes have tests of their own.
RULES: tuple[Rule, ...] = select_rules(load_rules(), only=["HVX003"])


def outcomes(*paths: Path) -> list[HostOutcome]:
    return [load_snapshot_file(p) for p in paths]


def make_run(items: Sequence[HostOutcome]) -> Run:
    return analyze(
        items, RULES, started=NOW, finished=NOW, now=NOW, options=EvaluationOptions(grace_period_seconds=600)
    )


def make_ctx(*items: Path | HostOutcome, lang: str = "en", run: Run | None = None) -> ReportContext:
    loaded = [i if isinstance(i, HostOutcome) else load_snapshot_file(i) for i in items]
    run = run or make_run(loaded)
    return ReportContext(
        run=run, rules=RULES, tool_version="0.1.0", lang=lang, exit_code=int(exit_code(run, "warning"))
    )


def with_results(ctx: ReportContext, run: Run) -> ReportContext:
    return replace(ctx, run=run, exit_code=int(exit_code(run, ctx.fail_on)))


def value_paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place a value sits inside a JSON document (keys and list indexes), for mutation."""
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += value_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += value_paths(value, (*path, index))
    return found


def read_terminal(fd: int, into: list[bytes]) -> None:
    """Everything a program writes to the pseudo-terminal whose main side is ``fd``, until it
    closes (Linux raises EIO there rather than returning b"")."""
    import os

    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        into.append(chunk)
