"""Commands that need no host: evaluate, rules, schema, report merge, baseline."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hvbpa.cli.common import plain_path_option, run_guarded
from hvbpa.cli.index import EXIT_CODES_HELP
from hvbpa.cli.report_options import ReportSettings, quiet_option, report_options

if TYPE_CHECKING:
    from hvbpa.snapshot import HostOutcome


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("snapshots", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@report_options
@quiet_option
def evaluate(snapshots: tuple[Path, ...], **kwargs: Any) -> None:
    """Evaluate saved host snapshots (JSON, or raw captures from `hvbpa collect --raw`) offline.

    \b
    Examples:
      hvbpa evaluate hv01.json hv02.json
      hvbpa evaluate snapshots/*.json -o sarif:hvbpa.sarif --fail-on error
    """

    def body() -> int:
        from hvbpa.collect import load_snapshot_file
        from hvbpa.report import HostOrigin

        settings = ReportSettings(kwargs, inputs=snapshots)
        started = settings.now or datetime.now(UTC)
        rules = settings.rules()
        outcomes = _distinct_targets([(path, load_snapshot_file(path)) for path in snapshots])
        # A host's results are placed at the snapshot file they came from.
        settings.origins = {o.target: HostOrigin(str(p)) for p, o in zip(snapshots, outcomes, strict=True)}
        return settings.finish(outcomes, rules, started)

    run_guarded(body)


def _distinct_targets(loaded: list[tuple[Path, HostOutcome]]) -> list[HostOutcome]:
    """Each snapshot's host under its own label: its Windows name, or where an earlier snapshot's
    host has that name (HV01 of two domains), its FQDN, else the file. Reports know hosts by label."""
    from dataclasses import replace

    taken: set[str] = set()
    outcomes = []
    for number, (path, outcome) in enumerate(loaded, 1):
        fqdn = outcome.snapshot.host.fqdn if outcome.snapshot else None
        candidates = [c for c in (outcome.target, fqdn, str(path)) if c and c.casefold() not in taken]
        label = candidates[0] if candidates else f"{path} (#{number})"  # the same file given again
        taken.add(label.casefold())
        outcomes.append(outcome if label == outcome.target else replace(outcome, target=label))
    return outcomes


@click.group()
def rules() -> None:
    """List and describe the rules."""


_RULES_DIR_HELP = "Also load rule files (*.toml) from DIR, as scan --rules-dir does."
_LANG_HELP = "Language of the rule text: en or ko [default: from LC_ALL / LC_MESSAGES / LANG]."


@rules.command(
    "list",
    epilog="\b\nExamples:\n  hvbpa rules list\n  hvbpa rules list --lang ko --rules-dir ./my-rules",
)
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help=_RULES_DIR_HELP)  # fmt: skip
@click.option("--lang", type=click.Choice(("en", "ko")), default=None, help=_LANG_HELP)
def rules_list(rules_dirs: tuple[Path, ...], lang: str | None) -> None:
    """One line per rule: id, severity, category, title (tab-separated); errors first, then warnings."""

    def body() -> int:
        from hvbpa.evaluate import load_rules
        from hvbpa.i18n import default_lang, text

        language = lang or default_lang(os.environ)
        for rule in sorted(load_rules(rules_dirs), key=lambda r: (-r.severity.rank, r.id)):
            # English keeps the values scripts match on (error, configuration); Korean reads as Korean.
            severity = rule.severity.value if language == "en" else text(rule.severity.value, language)
            category = rule.category if language == "en" else _category(rule.category, language)
            click.echo(f"{rule.id}\t{severity}\t{category}\t{rule.text(language).title}")
        return 0

    run_guarded(body)


def _category(category: str, lang: str) -> str:
    from hvbpa.i18n import text

    key = f"category_{category.lower()}"
    shown = text(key, lang)
    return category if shown == key else shown


@rules.command("show", epilog="\b\nExamples:\n  hvbpa rules show HVR001\n  hvbpa rules show HVR001 --lang ko")
@click.argument("rule_id")
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help=_RULES_DIR_HELP)  # fmt: skip
@click.option("--lang", type=click.Choice(("en", "ko")), default=None, help=_LANG_HELP)
def rules_show(rule_id: str, rules_dirs: tuple[Path, ...], lang: str | None) -> None:
    """Everything about one rule, in BPA's layout, wrapped to the terminal's width."""

    def body() -> int:
        import shutil

        from hvbpa.evaluate import load_rules, select_rules
        from hvbpa.i18n import applies_to_text, default_lang, text

        language = lang or default_lang(os.environ)
        (rule,) = select_rules(load_rules(rules_dirs), only=(rule_id,))
        body = rule.text(language)
        width = max(shutil.get_terminal_size().columns, 40)
        fields = (
            ("show_severity", text(rule.severity.value, language)),
            ("show_category", _category(rule.category, language)),
            ("show_model", rule.model),
            (
                "show_source",
                text("source_bpa", language, rule=rule.bpa_rule) if rule.from_bpa else text("source_hvbpa", language),
            ),
            ("show_applies_to", applies_to_text(rule.applies_to, language)),
            ("show_help", rule.help_url),
            ("show_check", rule.check),
            ("show_judged_per", text(f"judged_per_{rule.scope.value}", language)),
        )
        labels = [(text(key, language), value) for key, value in fields if value]
        pad = max(_cells(label) for label, _ in labels) + 2
        lines = [*_wrap(f"{rule.id}  {body.title}", width, ""), ""]
        for label, value in labels:
            # A URL is never broken: a terminal could no longer open it.
            head = label + ":" + " " * (pad - _cells(label) - 1)
            lines += [head + value] if value.startswith("http") else _wrap(value, width, " " * pad, first=head)
        for key, value in (
            ("show_issue", body.problem),
            ("show_impact", body.impact),
            ("show_resolution", body.resolution),
        ):
            lines += ["", text(key, language), *_wrap(value, width, "  ", first="  ")]
        click.echo("\n".join(line.rstrip() for line in lines))
        return 0

    run_guarded(body)


def _cells(text: str) -> int:
    """Terminal columns: Hangul and other wide characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wrap(text: str, width: int, indent: str, first: str = "") -> list[str]:
    """Words to lines of at most ``width`` columns (Korean wraps between words too)."""
    lines: list[str] = []
    line = first
    for word in text.split():
        candidate = f"{line}{word}" if not line.strip() or line.endswith(" ") else f"{line} {word}"
        if _cells(candidate) > width and line.strip():
            lines.append(line)
            line = indent + word
        else:
            line = candidate
    if line.strip():
        lines.append(line)
    return lines


@click.command("schema")
@click.argument("which", type=click.Choice(("json", "snapshot")))
def schema(which: str) -> None:
    """Print a shipped JSON Schema: the JSON report (json) or the host snapshot (snapshot).

    \b
    Examples:
      hvbpa schema json > report-v2.schema.json
      hvbpa schema snapshot
    """
    from importlib import resources

    name = {"json": "report-v2.schema.json", "snapshot": "snapshot-v1.schema.json"}[which]
    click.echo(resources.files("hvbpa.schemas").joinpath(name).read_text("utf-8"), nl=False)


@click.group()
def report() -> None:
    """Work with saved JSON reports."""


@report.command("merge", epilog=EXIT_CODES_HELP)
@click.argument("reports", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@report_options
@quiet_option
def report_merge(reports: tuple[Path, ...], **kwargs: Any) -> None:
    """Combine JSON reports of separate scans into one, judging replication partners across them.

    \b
    Examples:
      hvbpa report merge site-a.json site-b.json -o table -o json:all.json
      hvbpa report merge all.json --baseline base.json -q -o junit:junit.xml
    """

    def body() -> int:
        from hvbpa.report import load_reports

        settings = ReportSettings(kwargs, inputs=reports)
        unverified: list[str] = []
        outcomes, started = load_reports(reports, unverified, settings.origins)
        settings.tls_unverified = tuple(unverified)
        when = datetime.fromisoformat(started) if started else (settings.now or datetime.now(UTC))
        return settings.finish(outcomes, settings.rules(), when)

    run_guarded(body)


@click.group()
def baseline() -> None:
    """Accept today's findings so that only new ones fail later runs."""


@baseline.command("create")
@click.argument("report_file", metavar="REPORT.json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    callback=plain_path_option("baseline create", "a baseline is always JSON"),
    help="Baseline file to write, always JSON. A plain path: no FORMAT: prefix as in scan.",
)
def baseline_create(report_file: Path, output: Path) -> None:
    """Write a baseline of the findings in a JSON report (use it with --baseline).

    \b
    Examples:
      hvbpa baseline create report.json -o base.json
      hvbpa scan -i inventory.yml --baseline base.json     # fails only on new findings
    """

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
