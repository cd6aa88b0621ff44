"""Commands that need no host: evaluate, rules, schema, report merge, baseline."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hvbpa.cli.common import run_guarded
from hvbpa.cli.index import EXIT_CODES_HELP
from hvbpa.cli.report_options import ReportSettings, report_options

if TYPE_CHECKING:
    pass


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("snapshots", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@report_options
def evaluate(snapshots: tuple[Path, ...], **kwargs: Any) -> None:
    """Evaluate saved host snapshots (JSON, or raw captures from `hvbpa collect --raw`) offline."""

    def body() -> int:
        from hvbpa.collect import load_snapshot_file

        settings = ReportSettings(kwargs, inputs=snapshots)
        started = settings.now or datetime.now(UTC)
        rules = settings.rules()
        outcomes = [load_snapshot_file(path) for path in snapshots]
        return settings.finish(outcomes, rules, started)

    run_guarded(body)


@click.group()
def rules() -> None:
    """List and describe the rules."""


@rules.command("list")
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(("en", "ko")), default=None)
def rules_list(rules_dirs: tuple[Path, ...], lang: str | None) -> None:
    """One line per rule: id, severity, category, title."""

    def body() -> int:
        from hvbpa.evaluate import load_rules
        from hvbpa.i18n import default_lang

        language = lang or default_lang(os.environ)
        for rule in load_rules(rules_dirs):
            click.echo(f"{rule.id}\t{rule.severity.value}\t{rule.category}\t{rule.text(language).title}")
        return 0

    run_guarded(body)


@rules.command("show")
@click.argument("rule_id")
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(("en", "ko")), default=None)
def rules_show(rule_id: str, rules_dirs: tuple[Path, ...], lang: str | None) -> None:
    """Everything about one rule, in BPA's layout."""

    def body() -> int:
        from hvbpa.evaluate import load_rules, select_rules
        from hvbpa.i18n import default_lang

        language = lang or default_lang(os.environ)
        (rule,) = select_rules(load_rules(rules_dirs), only=(rule_id,))
        text = rule.text(language)
        click.echo(f"{rule.id}  {text.title}\n")
        for label, value in (
            ("Severity", rule.severity.value),
            ("Category", rule.category),
            ("Model", rule.model),
            ("Applies to", rule.applies_to),
            ("Help", rule.help_url),
            ("Check", rule.check),
        ):
            if value:
                click.echo(f"{label + ':':<12}{value}")
        for label, value in (("Issue", text.problem), ("Impact", text.impact), ("Resolution", text.resolution)):
            click.echo(f"\n{label}\n  {value}")
        return 0

    run_guarded(body)


@click.command("schema")
@click.argument("which", type=click.Choice(("json", "snapshot")))
def schema(which: str) -> None:
    """Print a shipped JSON Schema: the JSON report (json) or the host snapshot (snapshot)."""
    from importlib import resources

    name = {"json": "report-v1.schema.json", "snapshot": "snapshot-v1.schema.json"}[which]
    click.echo(resources.files("hvbpa.schemas").joinpath(name).read_text("utf-8"), nl=False)


@click.group()
def report() -> None:
    """Work with saved JSON reports."""


@report.command("merge", epilog=EXIT_CODES_HELP)
@click.argument("reports", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@report_options
def report_merge(reports: tuple[Path, ...], **kwargs: Any) -> None:
    """Combine JSON reports of separate scans into one, judging replication partners across them."""

    def body() -> int:
        from hvbpa.report import load_reports

        settings = ReportSettings(kwargs, inputs=reports)
        outcomes, started = load_reports(reports)
        when = datetime.fromisoformat(started) if started else (settings.now or datetime.now(UTC))
        return settings.finish(outcomes, settings.rules(), when)

    run_guarded(body)


@click.group()
def baseline() -> None:
    """Accept today's findings so that only new ones fail later runs."""


@baseline.command("create")
@click.argument("report_file", metavar="REPORT.json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Baseline file to write."
)
def baseline_create(report_file: Path, output: Path) -> None:
    """Write a baseline of the findings in a JSON report (use it with --baseline)."""

    def body() -> int:
        from hvbpa.atomic import write_text_atomic
        from hvbpa.policy import create_baseline, write_baseline
        from hvbpa.report import OutputSpec, check_outputs, read_report

        check_outputs([OutputSpec("baseline", output)], [report_file])
        created = create_baseline(read_report(report_file))
        write_text_atomic(output, write_baseline(created))
        from hvbpa.cli.common import cli_lang
        from hvbpa.i18n import text

        count = len(created["fingerprints"])
        click.echo(text("cli_baseline_written", cli_lang(), count=count, path=output), err=True)
        return 0

    run_guarded(body)
