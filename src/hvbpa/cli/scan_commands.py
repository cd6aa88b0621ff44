"""Commands that talk WinRM: scan, collect, demo, and the lab host."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hvbpa.cli.common import run_guarded
from hvbpa.cli.connection_options import (
    SECURITY_HELP,
    build_settings,
    check_targets,
    collect_targets,
    connection_options,
    target_options,
    with_password,
)
from hvbpa.cli.index import EXIT_CODES_HELP
from hvbpa.cli.report_options import ReportSettings, report_options
from hvbpa.exit_codes import ExitCode

if TYPE_CHECKING:
    from hvbpa.collect import ConnectionSettings
    from hvbpa.evaluate import Rule
    from hvbpa.targets import Target


@click.command(epilog=SECURITY_HELP + EXIT_CODES_HELP)
@target_options
@connection_options
@report_options
def scan(**kwargs: Any) -> None:
    """Scan Hyper-V hosts over WinRM and report best-practice findings."""

    def body() -> int:
        settings_report = ReportSettings(kwargs)
        targets = collect_targets(kwargs["hosts"], kwargs["hosts_files"], kwargs["inventories"], kwargs["limit"])
        rules = settings_report.rules()
        connection = build_settings(kwargs)
        check_targets(targets, connection)
        connection = with_password(connection)
        return _scan_and_report(
            targets,
            connection,
            settings_report,
            rules,
            jobs=kwargs["jobs"],
            processes=kwargs["processes"],
            quiet=kwargs["quiet"],
        )

    run_guarded(body)


def observer(quiet: bool) -> Any:
    if quiet or not sys.stderr.isatty():
        return None
    from hvbpa.cli.progress import RichProgress

    return RichProgress()


def _scan_and_report(
    targets: Sequence[Target],
    connection: ConnectionSettings,
    report: ReportSettings,
    rules: Sequence[Rule],
    *,
    jobs: int,
    processes: int | None,
    quiet: bool,
) -> int:
    from hvbpa.collect import Interrupted, scan_hosts

    started = report.now or datetime.now(UTC)
    try:
        collected = scan_hosts(targets, connection, jobs=jobs, processes=processes, observer=observer(quiet))
    except Interrupted as stop:
        report.finish(stop.outcomes, rules, started)
        from hvbpa.i18n import text

        click.echo(text("cli_interrupted_report", report.lang), err=True)
        return int(ExitCode.INTERRUPTED)
    return report.finish([c.outcome for c in collected], rules, started)


@click.command(epilog=SECURITY_HELP)
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
        from hvbpa.collect import collect_host, decode_answer
        from hvbpa.snapshot import HostStatus

        (target,) = collect_targets((host,), (), (), None)
        connection = build_settings(kwargs)
        check_targets((target,), connection)
        connection = with_password(connection)
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

    run_guarded(body)


@click.command(epilog="Exit codes: 0 the demo ran as designed; 2 usage error; otherwise the scan's own code.")
@report_options
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def demo(quiet: bool, **kwargs: Any) -> None:
    """Start the built-in lab fleet on loopback, scan it over real WinRM, print the report, stop it."""

    def body() -> int:
        from hvbpa.lab import run_demo

        settings = ReportSettings(kwargs)
        return int(
            run_demo(
                settings.rules(),
                settings.run_options(),
                stdout=sys.stdout,
                stderr=sys.stderr,
                observer=observer(quiet),
            )
        )

    run_guarded(body)


@click.group()
def lab() -> None:
    """Lab WinRM hosts on loopback, for trying hvbpa without Windows."""


@lab.command("serve")
@click.argument("fleet", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--hosts-out", type=click.Path(dir_okay=False, path_type=Path), help="Write a hosts file for `scan --hosts-file`."
)
@click.option("--inventory-out", type=click.Path(dir_okay=False, path_type=Path), help="Write an Ansible inventory.")
@click.option(
    "--powershell/--canned",
    "powershell",
    default=None,
    help="Run collect.ps1 in real PowerShell against Hyper-V stand-ins on every host, or answer with canned "
    "snapshots (default: what the fleet file's 'execute' says; canned when it says nothing).",
)
def lab_serve(fleet: Path | None, hosts_out: Path | None, inventory_out: Path | None, powershell: bool | None) -> None:
    """Run lab hosts in the foreground until Ctrl-C (the demo fleet when FLEET is not given).

    Lab credentials: user labadmin, password Lab-Passw0rd! unless the fleet file says otherwise.
    """

    def body() -> int:
        from hvbpa.errors import ConfigError
        from hvbpa.lab import FleetError, LabError, serve

        try:
            execute = None if powershell is None else ("powershell" if powershell else "canned")
            return serve(fleet, hosts_out, inventory_out=inventory_out, execute=execute)
        except (FleetError, LabError) as exc:
            raise ConfigError(str(exc)) from None

    run_guarded(body)
