"""The command line: parse options, build objects, run, return an exit code.

Only this module imports click. Everything heavy is imported inside the command
that needs it, so ``hvbpa --help`` starts fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from hvbpa import __version__
from hvbpa.exit_codes import ExitCode

if TYPE_CHECKING:
    from hvbpa.baseline import Baseline
    from hvbpa.collect.settings import ConnectionSettings
    from hvbpa.exclusions import Exclusion
    from hvbpa.outputs import OutputSpec
    from hvbpa.pipeline import RunOptions
    from hvbpa.results import HostOutcome
    from hvbpa.ruleset import Rule
    from hvbpa.targets import Target

F = TypeVar("F", bound=Callable[..., Any])

# Kept in sync with hvbpa.report.FORMATS by a test; importing it here would load the registry at start-up.
FORMAT_NAMES = ("table", "json", "sarif", "junit", "csv")
FAIL_ON = ("error", "warning", "information", "never")

EXIT_CODES_HELP = (
    "Exit codes: 0 nothing at or above --fail-on; 1 findings; 2 usage, configuration or input error; "
    "3 the run is incomplete (a host could not be scanned or judged); 130 interrupted."
)


def _die(message: str, code: ExitCode = ExitCode.USAGE) -> NoReturn:
    click.echo(f"hvbpa: error: {message}", err=True)
    sys.exit(int(code))


def _run_guarded(body: Callable[[], int]) -> NoReturn:
    """Turn hvbpa's own errors into a one-line message and their exit code."""
    from hvbpa.errors import HvbpaError

    try:
        code = body()
    except HvbpaError as exc:
        _die(str(exc), exc.exit_code)
    except click.BadParameter as exc:
        # Raised by option checks inside a command: one line, like every other input error.
        _die(exc.format_message())
    except KeyboardInterrupt:
        _die("interrupted", ExitCode.INTERRUPTED)
    sys.exit(code)


def _parse_duration(value: str, option: str, default_unit: str = "m") -> float:
    """``10m``, ``600s``, ``1h``, or a bare number in ``default_unit``."""
    units = {"s": 1.0, "m": 60.0, "h": 3600.0}
    text = value.strip().lower()
    scale = units.get(text[-1:])
    number = text[:-1] if scale else text
    try:
        amount = float(number)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a duration like 10m, 600s or 1h", param_hint=option) from None
    if amount < 0:
        raise click.BadParameter("must not be negative", param_hint=option)
    return amount * (scale or units[default_unit])


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
            default="10m",
            show_default=True,
            help="Uptime before a VM without integration services counts as lacking them (10m, 600s, 1h).",
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


class ReportSettings:
    """The report options, checked, before any host is contacted."""

    def __init__(self, kwargs: dict[str, Any]) -> None:
        from hvbpa.i18n import default_lang
        from hvbpa.outputs import check_outputs, parse_output

        self.outputs: list[OutputSpec] = [parse_output(v) for v in kwargs["outputs"] or ("table",)]
        check_outputs(self.outputs)
        self.rules_dirs: Sequence[Path] = kwargs["rules_dirs"]
        self.only_rules: Sequence[str] = kwargs["only_rules"]
        self.skip_rules: Sequence[str] = kwargs["skip_rules"]
        self.grace_seconds = _parse_duration(kwargs["grace_period"], "--grace-period")
        self.fail_on: str = kwargs["fail_on"]
        self.exit_zero: bool = kwargs["exit_zero"]
        self.lang: str = kwargs["lang"] or default_lang(os.environ)
        self.show_excluded: bool = kwargs["show_excluded"]
        self.now = _parse_now(kwargs["now_text"])
        self.exclusions_path: Path | None = kwargs["exclusions"]
        self.baseline_path: Path | None = kwargs["baseline"]
        self.exclusions, self.baseline = self._load_policy_files()

    def _load_policy_files(self) -> tuple[tuple[Exclusion, ...], Baseline | None]:
        """Loaded before any host is contacted, so a bad file costs nothing but exit 2."""
        from hvbpa.baseline import load_baseline
        from hvbpa.exclusions import load_exclusions
        from hvbpa.ruleset import load_rules

        exclusions: tuple[Exclusion, ...] = ()
        if self.exclusions_path is not None:
            # All loaded rules, not the --rule subset: an exclusion for a skipped rule is fine.
            known = {r.id for r in load_rules(self.rules_dirs)}
            exclusions = load_exclusions(self.exclusions_path, rule_ids=known)
        baseline = load_baseline(self.baseline_path) if self.baseline_path is not None else None
        return exclusions, baseline

    def rules(self) -> tuple[Rule, ...]:
        from hvbpa.ruleset import load_rules, select_rules

        return select_rules(load_rules(self.rules_dirs), self.only_rules, self.skip_rules)

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
            grace_seconds=self.grace_seconds,
            now=self.now,
        )

    def finish(self, outcomes: Sequence[HostOutcome], rules: Sequence[Rule], started: datetime) -> int:
        """Evaluate, write every report, and return the exit code."""
        from hvbpa.pipeline import finish

        return int(finish(outcomes, rules, self.run_options(), started=started, stdout=sys.stdout).exit_code)


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time", param_hint="--now") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}, epilog=EXIT_CODES_HELP)
@click.version_option(__version__, "-V", "--version", prog_name="hvbpa")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Best Practices Analyzer for Windows Server Hyper-V fleets, over WinRM.

    Defaults come from hvbpa.toml (or [tool.hvbpa] in pyproject.toml) in the current
    folder and from HVBPA_* variables; options on the command line win.
    """
    if ctx.resilient_parsing:
        return
    from hvbpa.config import load_config
    from hvbpa.errors import ConfigError

    try:
        config = load_config(Path.cwd(), os.environ)
    except ConfigError as exc:
        _die(str(exc))
    if config:
        commands: dict[str, Any] = dict.fromkeys(("scan", "evaluate", "demo"), config)
        commands["report"] = {"merge": config}
        ctx.default_map = commands


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("snapshots", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@report_options
def evaluate(snapshots: tuple[Path, ...], **kwargs: Any) -> None:
    """Evaluate saved host snapshots (JSON, or raw captures from `hvbpa collect --raw`) offline."""

    def body() -> int:
        from hvbpa.analysis import load_snapshot_file

        settings = ReportSettings(kwargs)
        started = settings.now or datetime.now(UTC)
        rules = settings.rules()
        outcomes = [load_snapshot_file(path) for path in snapshots]
        return settings.finish(outcomes, rules, started)

    _run_guarded(body)


@main.group()
def rules() -> None:
    """List and describe the rules."""


@rules.command("list")
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(("en", "ko")), default=None)
def rules_list(rules_dirs: tuple[Path, ...], lang: str | None) -> None:
    """One line per rule: id, severity, category, title."""

    def body() -> int:
        from hvbpa.i18n import default_lang
        from hvbpa.ruleset import load_rules

        language = lang or default_lang(os.environ)
        for rule in load_rules(rules_dirs):
            click.echo(f"{rule.id}\t{rule.severity.value}\t{rule.category}\t{rule.text(language).title}")
        return 0

    _run_guarded(body)


@rules.command("show")
@click.argument("rule_id")
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(("en", "ko")), default=None)
def rules_show(rule_id: str, rules_dirs: tuple[Path, ...], lang: str | None) -> None:
    """Everything about one rule, in BPA's layout."""

    def body() -> int:
        from hvbpa.i18n import default_lang
        from hvbpa.ruleset import load_rules, select_rules

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

    _run_guarded(body)


def connection_options(fn: F) -> F:
    """How to reach hosts. There is deliberately no password option: see --help."""
    decorators = [
        click.option(
            "-u", "--username", envvar="HVBPA_USERNAME", help="User (DOMAIN\\user or user@domain). Env: HVBPA_USERNAME."
        ),
        click.option(
            "--transport",
            type=click.Choice(("ntlm", "kerberos", "credssp", "certificate", "basic")),
            default="ntlm",
            show_default=True,
            envvar="HVBPA_TRANSPORT",
            help="WinRM authentication. basic needs https unless --allow-unencrypted.",
        ),
        click.option(
            "--scheme", type=click.Choice(("http", "https")), help="Default: https for basic/certificate, else http."
        ),
        click.option("--port", type=click.IntRange(1, 65535), help="Default: 5985 (http) or 5986 (https)."),
        click.option("--ca-trust-path", type=click.Path(exists=True, dir_okay=True), help="CA bundle for https."),
        click.option(
            "--insecure-skip-tls-verify",
            is_flag=True,
            help="Do not validate the host's certificate (dangerous: anyone on the path can read the password).",
        ),
        click.option("--allow-unencrypted", is_flag=True, help="Allow basic authentication over plain http."),
        click.option(
            "--cert-pem",
            type=click.Path(exists=True, dir_okay=False),
            help="Client certificate (certificate transport).",
        ),
        click.option("--cert-key-pem", type=click.Path(exists=True, dir_okay=False), help="Its private key."),
        click.option("--timeout", default="5m", show_default=True, help="Deadline per host (e.g. 90s, 5m)."),
        click.option("--connect-timeout", default="10s", show_default=True, help="TCP/TLS connect timeout."),
        click.option(
            "--operation-timeout",
            type=click.IntRange(1, 3600),
            default=10,
            show_default=True,
            help="Seconds each WinRM Receive waits for output (also how long Ctrl-C may take).",
        ),
        click.option(
            "--retries",
            type=click.IntRange(0, 10),
            default=2,
            show_default=True,
            help="Retries for connection failures only; a started command is never run twice.",
        ),
    ]
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return fn


def _keyring_password(username: str) -> str | None:
    try:
        import keyring
    except ImportError:
        return None
    try:
        stored = keyring.get_password("hvbpa", username)
    except Exception:
        # A broken keyring backend must not stop a scan: fall through to the prompt.
        return None
    return str(stored) if stored else None


def _password(username: str | None, transport: str) -> str | None:
    """HVBPA_PASSWORD, then the OS keyring (optional extra), then a hidden prompt on a terminal."""
    if transport in ("kerberos", "certificate"):
        return None  # the ticket cache or the client certificate authenticates
    from_env = os.environ.get("HVBPA_PASSWORD")
    if from_env:
        return from_env
    if username:
        stored = _keyring_password(username)
        if stored:
            return stored
    if sys.stdin.isatty():
        return str(click.prompt(f"Password for {username}", hide_input=True, err=True))
    from hvbpa.errors import ConfigError

    raise ConfigError("no password: set HVBPA_PASSWORD, store one with keyring, or run in a terminal to be asked")


def build_settings(kwargs: dict[str, Any]) -> ConnectionSettings:
    from hvbpa.collect.settings import ConnectionSettings

    if kwargs["insecure_skip_tls_verify"]:
        click.echo(
            "hvbpa: WARNING: TLS certificate validation is OFF (--insecure-skip-tls-verify): "
            "the hosts' identity is not checked.",
            err=True,
        )
    return ConnectionSettings(
        transport=kwargs["transport"],
        scheme=kwargs["scheme"],
        port=kwargs["port"],
        username=kwargs["username"],
        server_cert_validation="ignore" if kwargs["insecure_skip_tls_verify"] else "validate",
        ca_trust_path=kwargs["ca_trust_path"],
        cert_pem=kwargs["cert_pem"],
        cert_key_pem=kwargs["cert_key_pem"],
        allow_unencrypted=kwargs["allow_unencrypted"],
        deadline=_parse_duration(kwargs["timeout"], "--timeout", default_unit="s"),
        connect_timeout=_parse_duration(kwargs["connect_timeout"], "--connect-timeout", default_unit="s"),
        retries=kwargs["retries"],
        operation_timeout=kwargs["operation_timeout"],
    )


def _with_password(settings: ConnectionSettings) -> ConnectionSettings:
    from dataclasses import replace

    from hvbpa.collect.settings import Secret

    password = _password(settings.username, settings.transport)
    return settings if password is None else replace(settings, password=Secret(password))


def _targets(
    hosts: Sequence[str], hosts_files: Sequence[Path], inventories: Sequence[Path], limit: str | None
) -> list[Target]:
    from hvbpa.errors import InputError
    from hvbpa.targets import TargetError, dedupe, parse_target, read_hosts_file, read_inventory

    try:
        found = [parse_target(h) for h in hosts]
        for path in hosts_files:
            found += read_hosts_file(path)
        for path in inventories:
            found += read_inventory(path, limit)
    except TargetError as exc:
        raise InputError(str(exc)) from None
    if limit and not inventories:
        raise InputError("--limit applies to --inventory")
    targets = dedupe(found)
    if not targets:
        raise InputError("no hosts to scan: name hosts, --hosts-file or --inventory")
    return targets


def target_options(fn: F) -> F:
    decorators = [
        click.argument("hosts", nargs=-1),
        click.option(
            "--hosts-file",
            "hosts_files",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="One host[:port] per line, # comments.",
        ),
        click.option(
            "-i",
            "--inventory",
            "inventories",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="Ansible inventory (INI or YAML).",
        ),
        click.option("--limit", help="Ansible host pattern to select from the inventory."),
        click.option(
            "-j", "--jobs", type=click.IntRange(1, 512), default=32, show_default=True, help="Hosts scanned at once."
        ),
        click.option("-q", "--quiet", is_flag=True, help="No progress bar."),
    ]
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return fn


SECURITY_HELP = (
    "The password is never an option: it comes from HVBPA_PASSWORD, the OS keyring "
    "(pip install 'hvbpa[keyring]'; service 'hvbpa', your user name) or a hidden prompt. "
)


@main.command(epilog=SECURITY_HELP + EXIT_CODES_HELP)
@target_options
@connection_options
@report_options
def scan(**kwargs: Any) -> None:
    """Scan Hyper-V hosts over WinRM and report best-practice findings."""

    def body() -> int:
        settings_report = ReportSettings(kwargs)
        targets = _targets(kwargs["hosts"], kwargs["hosts_files"], kwargs["inventories"], kwargs["limit"])
        rules = settings_report.rules()
        connection = build_settings(kwargs)
        _check_targets(targets, connection)
        connection = _with_password(connection)
        return _scan_and_report(targets, connection, settings_report, rules, jobs=kwargs["jobs"], quiet=kwargs["quiet"])

    _run_guarded(body)


def _check_targets(targets: Sequence[Target], base: ConnectionSettings) -> None:
    """Every host's own settings (inventory variables win) must be safe before any is contacted."""
    from hvbpa.collect.host import settings_for
    from hvbpa.errors import ConfigError

    for target in targets:
        try:
            settings_for(target, base).check()
        except ConfigError as exc:
            where = "" if target.source == "command line" else f"{target.source}: "
            raise ConfigError(f"{where}{target.name}: {exc}") from None


def _observer(quiet: bool) -> Any:
    if quiet or not sys.stderr.isatty():
        return None
    from hvbpa.progress import RichProgress

    return RichProgress()


def _scan_and_report(
    targets: Sequence[Target],
    connection: ConnectionSettings,
    report: ReportSettings,
    rules: Sequence[Rule],
    *,
    jobs: int,
    quiet: bool,
) -> int:
    from hvbpa.scan import Interrupted, scan_hosts

    started = report.now or datetime.now(UTC)
    try:
        collected = scan_hosts(targets, connection, jobs=jobs, observer=_observer(quiet))
    except Interrupted as stop:
        report.finish(stop.outcomes, rules, started)
        click.echo("hvbpa: interrupted; the report above covers the hosts that finished", err=True)
        return int(ExitCode.INTERRUPTED)
    return report.finish([c.outcome for c in collected], rules, started)


@main.command(epilog=SECURITY_HELP)
@click.argument("host")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the snapshot ('-' for stdout).",
)
@click.option("--raw", is_flag=True, help="Write the host's stdout untouched (replayable by the lab host).")
@connection_options
def collect(host: str, output: Path, raw: bool, **kwargs: Any) -> None:
    """Collect one host's snapshot without evaluating it."""

    def body() -> int:
        from hvbpa.atomic import write_bytes_atomic
        from hvbpa.collect.delivery import decode_answer
        from hvbpa.collect.host import collect_host
        from hvbpa.results import HostStatus

        (target,) = _targets((host,), (), (), None)
        connection = build_settings(kwargs)
        _check_targets((target,), connection)
        connection = _with_password(connection)
        collected = collect_host(target, connection)
        outcome = collected.outcome
        if outcome.status is not HostStatus.OK and not (raw and collected.stdout):
            click.echo(f"hvbpa: {target.name}: {outcome.status.value}: {outcome.reason}", err=True)
            return int(ExitCode.INCOMPLETE)
        data = collected.stdout if raw else decode_answer(collected.stdout).encode("utf-8")
        if str(output) == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            write_bytes_atomic(output, data)
        if outcome.status is not HostStatus.OK:
            click.echo(f"hvbpa: {target.name}: {outcome.status.value}: {outcome.reason}", err=True)
            return int(ExitCode.INCOMPLETE)
        return int(ExitCode.OK)

    _run_guarded(body)


@main.command(epilog="Exit codes: 0 the demo ran as designed; 2 usage error; otherwise the scan's own code.")
@report_options
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def demo(quiet: bool, **kwargs: Any) -> None:
    """Start the built-in lab fleet on loopback, scan it over real WinRM, print the report, stop it."""

    def body() -> int:
        from hvbpa.demo import run_demo

        settings = ReportSettings(kwargs)
        return int(
            run_demo(
                settings.rules(),
                settings.run_options(),
                stdout=sys.stdout,
                stderr=sys.stderr,
                observer=_observer(quiet),
            )
        )

    _run_guarded(body)


@main.group()
def lab() -> None:
    """Lab WinRM hosts on loopback, for trying hvbpa without Windows."""


@lab.command("serve")
@click.argument("fleet", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--hosts-out", type=click.Path(dir_okay=False, path_type=Path), help="Write a hosts file for `scan --hosts-file`."
)
@click.option("--inventory-out", type=click.Path(dir_okay=False, path_type=Path), help="Write an Ansible inventory.")
def lab_serve(fleet: Path | None, hosts_out: Path | None, inventory_out: Path | None) -> None:
    """Run lab hosts in the foreground until Ctrl-C (the demo fleet when FLEET is not given).

    Lab credentials: user labadmin, password Lab-Passw0rd! unless the fleet file says otherwise.
    """

    def body() -> int:
        from hvbpa.errors import ConfigError
        from hvbpa.lab import FleetError, LabError, serve

        try:
            return serve(fleet, hosts_out, inventory_out=inventory_out)
        except (FleetError, LabError) as exc:
            raise ConfigError(str(exc)) from None

    _run_guarded(body)


@main.command("schema")
@click.argument("which", type=click.Choice(("json", "snapshot")))
def schema(which: str) -> None:
    """Print a shipped JSON Schema: the JSON report (json) or the host snapshot (snapshot)."""
    from importlib import resources

    name = {"json": "report-v1.schema.json", "snapshot": "snapshot-v1.schema.json"}[which]
    click.echo(resources.files("hvbpa.schemas").joinpath(name).read_text("utf-8"), nl=False)


@main.group()
def report() -> None:
    """Work with saved JSON reports."""


@report.command("merge", epilog=EXIT_CODES_HELP)
@click.argument("reports", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@report_options
def report_merge(reports: tuple[Path, ...], **kwargs: Any) -> None:
    """Combine JSON reports of separate scans into one, judging replication partners across them."""

    def body() -> int:
        from hvbpa.merge import load_reports

        settings = ReportSettings(kwargs)
        outcomes, started = load_reports(reports)
        when = datetime.fromisoformat(started) if started else (settings.now or datetime.now(UTC))
        return settings.finish(outcomes, settings.rules(), when)

    _run_guarded(body)


@main.group()
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
        import json

        from hvbpa.atomic import write_text_atomic
        from hvbpa.baseline import create_baseline, write_baseline
        from hvbpa.errors import InputError

        try:
            document = json.loads(report_file.read_text("utf-8-sig"))
        except (ValueError, OSError) as exc:
            raise InputError(f"{report_file}: not a JSON report ({exc.__class__.__name__})") from None
        if not isinstance(document, dict) or document.get("schema") != "hvbpa.report/1":
            raise InputError(f"{report_file}: not an hvbpa JSON report (schema hvbpa.report/1)")
        created = create_baseline(document)
        write_text_atomic(output, write_baseline(created))
        click.echo(f"baseline: {len(created['fingerprints'])} finding(s) written to {output}", err=True)
        return 0

    _run_guarded(body)
