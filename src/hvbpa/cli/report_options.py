"""Options of every command that writes a report, checked before any host is contacted."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hvbpa.cli.common import FAIL_ON, FORMAT_NAMES, Duration, F
from hvbpa.durations import parse_moment

if TYPE_CHECKING:
    from hvbpa.evaluate import Rule
    from hvbpa.pipeline import RunOptions
    from hvbpa.policy import Baseline, Exclusion
    from hvbpa.report import HostOrigin, OutputSpec
    from hvbpa.snapshot import HostOutcome


def report_options(fn: F) -> F:
    """Options shared by every command that produces a report."""
    decorators = [
        click.option(
            "-o",
            "--output",
            "outputs",
            multiple=True,
            metavar="FORMAT[:PATH]",
            help=f"Report format and file, repeatable; formats: {', '.join(FORMAT_NAMES)}. Default: table on stdout.",
        ),
        click.option(
            "--rules-dir",
            "rules_dirs",
            multiple=True,
            type=click.Path(file_okay=False, path_type=Path),
            help="Also load rule files from DIR.",
        ),
        click.option("--rule", "only_rules", multiple=True, metavar="ID", help="Run only this rule (repeatable)."),
        click.option("--skip-rule", "skip_rules", multiple=True, metavar="ID", help="Do not run this rule."),
        click.option(
            "--grace-period",
            type=Duration("m"),
            default="10m",
            show_default=True,
            help="Uptime before a VM without integration services counts as lacking them (10m, 600s, 1h).",
        ),
        click.option(
            "--business-hours",
            default="08:00-18:00",
            show_default=True,
            metavar="HH:MM-HH:MM",
            help="Host local hours an automatic resynchronization window must stay out of (HVR010).",
        ),
        click.option(
            "--lag-floor",
            type=Duration("m"),
            default="1h",
            show_default=True,
            help="HVX001: replication is behind when older than the larger of this and --lag-factor intervals.",
        ),
        click.option(
            "--lag-factor",
            type=click.IntRange(1, 1000),
            default=12,
            show_default=True,
            help="HVX001: how many replication intervals may pass before replication counts as behind.",
        ),
        click.option(
            "--certificate-warning-days",
            type=click.IntRange(0, 3650),
            default=30,
            show_default=True,
            help="HVX002: warn when the Replica server's certificate expires within this many days.",
        ),
        click.option(
            "--fail-on",
            type=click.Choice(FAIL_ON),
            default="warning",
            show_default=True,
            help="Lowest severity whose findings give exit code 1.",
        ),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even with findings (failed hosts still give 3)."),
        click.option("--lang", type=click.Choice(("en", "ko")), default=None, help="Report language [default: LANG]."),
        click.option("--show-excluded", is_flag=True, help="Show excluded findings in the table."),
        click.option(
            "--json-snapshots/--no-json-snapshots",
            default=True,
            show_default=True,
            help="Carry each host's snapshot in the JSON report (needed by `report merge`; about 1 KB per VM).",
        ),
        click.option(
            "--exclusions",
            type=click.Path(dir_okay=False, path_type=Path),
            help="TOML file of accepted findings (rule, host, VM, justification, optional expiry).",
        ),
        click.option(
            "--baseline",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Fail only on findings that are not in this baseline (see `hvbpa baseline create`).",
        ),
        click.option("--now", "now_text", hidden=True, help="Evaluate as of this ISO 8601 time (testing)."),
    ]
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return fn


def quiet_option(fn: F) -> F:
    """For commands without progress output: -q silences the stderr line of a run whose reports went to files."""
    option = click.option(
        "-q", "--quiet", is_flag=True, help="No stderr line when every report goes to a file and the run fails."
    )
    return option(fn)


class ReportSettings:
    """The report options, checked, before any host is contacted."""

    def __init__(self, kwargs: dict[str, Any], inputs: Sequence[Path] = ()) -> None:
        """``inputs``: the files the command reads (snapshots, reports), which no -o may replace."""
        from hvbpa.i18n import default_lang
        from hvbpa.report import check_outputs, parse_output

        self.outputs: list[OutputSpec] = [parse_output(v) for v in kwargs["outputs"] or ("table",)]
        policy_files = [p for p in (kwargs["exclusions"], kwargs["baseline"]) if p is not None]
        check_outputs(self.outputs, [*inputs, *policy_files])
        self.rules_dirs: Sequence[Path] = kwargs["rules_dirs"]
        self.only_rules: Sequence[str] = kwargs["only_rules"]
        self.skip_rules: Sequence[str] = kwargs["skip_rules"]
        from hvbpa.evaluate import EvaluationOptions

        self.evaluation = EvaluationOptions(
            grace_period_seconds=kwargs["grace_period"],
            business_hours=parse_hours(kwargs["business_hours"], "--business-hours"),
            lag_floor_seconds=kwargs["lag_floor"],
            lag_factor=kwargs["lag_factor"],
            certificate_warning_days=kwargs["certificate_warning_days"],
        )
        self.fail_on: str = kwargs["fail_on"]
        self.exit_zero: bool = kwargs["exit_zero"]
        self.lang: str = kwargs["lang"] or default_lang(os.environ)
        self.show_excluded: bool = kwargs["show_excluded"]
        self.json_snapshots: bool = kwargs["json_snapshots"]
        self.now = _parse_now(kwargs["now_text"])
        self.quiet: bool = bool(kwargs.get("quiet"))
        from hvbpa.evaluate import load_rules

        # Every rule file, checked before any host is contacted; --rule/--skip-rule select later.
        self.all_rules = load_rules(self.rules_dirs)
        self.exclusions_path: Path | None = kwargs["exclusions"]
        self.baseline_path: Path | None = kwargs["baseline"]
        self.exclusions, self.baseline = self._load_policy_files()
        self.tls_unverified: tuple[str, ...] = ()  # set by scan, for the report's run section
        self.origins: dict[str, HostOrigin] = {}  # target -> the file line that named it (SARIF locations)
        self.writing = False  # finish() has begun: the reports' own all-or-none rule applies from here

    def _load_policy_files(self) -> tuple[tuple[Exclusion, ...], Baseline | None]:
        """Loaded before any host is contacted, so a bad file costs nothing but exit 2."""
        from hvbpa.policy import load_baseline, load_exclusions

        exclusions: tuple[Exclusion, ...] = ()
        if self.exclusions_path is not None:
            # All loaded rules, not the --rule subset: an exclusion for a skipped rule is fine.
            known = {r.id for r in self.all_rules}
            per_host = {r.id for r in self.all_rules if r.scope.value == "host"}
            exclusions = load_exclusions(self.exclusions_path, rule_ids=known, host_rules=per_host)
        baseline = load_baseline(self.baseline_path) if self.baseline_path is not None else None
        return exclusions, baseline

    def rules(self) -> tuple[Rule, ...]:
        from hvbpa.evaluate import select_rules

        return select_rules(self.all_rules, self.only_rules, self.skip_rules)

    def run_options(self) -> RunOptions:
        from hvbpa.pipeline import RunOptions

        return RunOptions(
            exclusions=self.exclusions,
            baseline=self.baseline,
            outputs=tuple(self.outputs),
            fail_on=self.fail_on,
            exit_zero=self.exit_zero,
            lang=self.lang,
            show_excluded=self.show_excluded,
            json_snapshots=self.json_snapshots,
            evaluation=self.evaluation,
            now=self.now,
            tls_unverified=self.tls_unverified,
            origins=dict(self.origins),
        )

    def finish(
        self, outcomes: Sequence[HostOutcome], rules: Sequence[Rule], started: datetime, stopped: int | None = None
    ) -> int:
        """Evaluate, write every report, and return the exit code (``stopped``: the signal's, 130 or 143)."""
        from dataclasses import replace

        from hvbpa.exit_codes import ExitCode
        from hvbpa.pipeline import finish

        self.writing = True
        options = self.run_options()
        if stopped is not None:
            options = replace(options, stopped=ExitCode(stopped))
        stderr = None if self.quiet else sys.stderr
        done = finish(outcomes, rules, options, started=started, stdout=sys.stdout, stderr=stderr)
        if done.run.failures:  # a bug in a rule's check: said even with --quiet, like any internal error
            from hvbpa.cli.common import rule_failures

            rule_failures(done.run.failures)
        return int(done.exit_code)


def parse_hours(value: str, hint: str) -> tuple[int, int]:
    """``08:00-18:00`` as seconds since midnight; the end may be earlier (hours past midnight)."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", value)
    if match:
        hours_a, minutes_a, hours_b, minutes_b = (int(g) for g in match.groups())
        if hours_a < 24 and hours_b < 24 and minutes_a < 60 and minutes_b < 60:
            return hours_a * 3600 + minutes_a * 60, hours_b * 3600 + minutes_b * 60
    raise click.BadParameter(f"{value!r} is not HH:MM-HH:MM (for example 08:00-18:00)", param_hint=hint)


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time", param_hint="--now") from None
    try:
        return parse_moment(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--now") from None
