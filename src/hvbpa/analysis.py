"""From host outcomes to a finished :class:`Run`: evaluate, then apply exclusions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from hvbpa.collect.delivery import AnswerError, decode_answer
from hvbpa.errors import InputError
from hvbpa.evaluate import EvaluationOptions, evaluate
from hvbpa.results import HostOutcome, HostStatus, Run
from hvbpa.ruleset import Rule
from hvbpa.snapshot_parse import parse_snapshot


def load_snapshot_file(path: Path) -> HostOutcome:
    """A saved snapshot (JSON) or a raw capture from ``hvbpa collect --raw``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc.__class__.__name__})") from None
    try:
        text = decode_answer(data)
    except AnswerError as exc:
        raise InputError(f"{path}: {exc}") from None
    snapshot = parse_snapshot(text, source=str(path))
    return HostOutcome(target=snapshot.host.name, status=HostStatus.OK, snapshot=snapshot)


def analyze(
    outcomes: Sequence[HostOutcome],
    rules: Sequence[Rule],
    *,
    started: datetime,
    finished: datetime,
    now: datetime,
    options: EvaluationOptions,
) -> Run:
    results = evaluate(rules, outcomes, now, options)
    return Run(
        started=started.isoformat(timespec="seconds"),
        finished=finished.isoformat(timespec="seconds"),
        hosts=tuple(outcomes),
        results=results,
        rule_ids=tuple(r.id for r in rules),
    )
