"""Commands that talk WinRM: scan, collect, demo, and the lab host."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hvbpa.cli.common import cli_lang, one_line, plain_path_option, run_guarded
from hvbpa.cli.connection_options import (
    SECURITY_HELP,
    build_settings,
    check_targets,
    collect_targets,
    connection_options,
    origins,
    target_options,
    tls_unverified,
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
    """Scan Hyper-V hosts over WinRM and report best-practice findings.

    \b
    Examples:
      HVBPA_USERNAME='CONTOSO\\hvadmin' hvbpa scan hv01 hv02.contoso.com
      hvbpa scan -i inventory.yml --limit hyperv -q -o json:report.json -o junit:junit.xml
    """

    started = datetime.now(UTC)
    settings: list[ReportSettings] = []

    def body() -> int:
        settings_report = ReportSettings(kwargs)
        settings.append(settings_report)
        targets = collect_targets(kwargs["hosts"], kwargs["hosts_files"], kwargs["inventories"], kwargs["limit"])
        rules = settings_report.rules()
        connection = build_settings(kwargs)
        check_targets(targets, connection)
        settings_report.tls_unverified = tls_unverified(targets, connection)
        settings_report.origins = origins(targets)
        connection = with_password(connection, targets)
        check_targets(targets, connection)  # again with the password: can each host's transport send it?
        return _scan_and_report(
            targets,
            connection,
            settings_report,
            rules,
            jobs=kwargs["jobs"],
            processes=kwargs["processes"],
            # -v writes each request to stderr: no progress bar to draw over it.
            quiet=kwargs["quiet"] or bool(kwargs.get("verbose")),
        )

    def on_error(code: int, message: str) -> None:
        # Once the reports are being written, their own all-or-none rule decides what changes.
        if not (settings and settings[0].writing):
            _leave_failed_report(kwargs, code, message, started)

    run_guarded(body, on_error=on_error)


def _leave_failed_report(kwargs: dict[str, Any], code: int, message: str, started: datetime) -> None:
    """A scan that ended in an error before its reports (exit 2, or 4 for a bug) still replaces its JSON
    files, with a report saying so (``run.exit_code``, ``run.error``): a scheduled task's monitor
    must not read yesterday's report as today's. Only where the -o destinations themselves are
    sound: a destination that was the error, or that names an input, is never written."""
    from hvbpa import __version__
    from hvbpa.report import check_outputs, failed_run_document, parse_output, write_failed_run

    specs = [parse_output(value) for value in kwargs["outputs"] or ()]
    if not any(spec.format == "json" and spec.path is not None for spec in specs):
        return
    config = click.get_current_context().find_root().params.get("config_path")  # --config or HVBPA_CONFIG
    inputs = [p for p in (kwargs["exclusions"], kwargs["baseline"], config) if p]
    inputs += [*kwargs["hosts_files"], *kwargs["inventories"]]
    check_outputs(specs, [Path(p) for p in inputs])
    document = failed_run_document(
        exit_code=code, error=message, started=started, finished=datetime.now(UTC), lang=cli_lang(),
        fail_on=kwargs["fail_on"], tool_version=__version__,
    )  # fmt: skip
    write_failed_run(specs, document)


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
        collected = scan_hosts(
            targets,
            connection,
            jobs=jobs,
            processes=processes,
            observer=observer(quiet),
            on_stop=lambda running, grace: acknowledge_stop(running, grace, report.lang),
        )
    except Interrupted as stop:
        from hvbpa.signals import terminated

        code = ExitCode.TERMINATED if terminated() else ExitCode.INTERRUPTED
        report.finish(stop.outcomes, rules, started, code)
        from hvbpa.i18n import text

        note = "cli_terminated_report" if code is ExitCode.TERMINATED else "cli_interrupted_report"
        files = [str(o.path) for o in report.outputs if o.path is not None]
        if len(files) == len(report.outputs):
            # Nothing went to the terminal: name the files that cover the finished hosts.
            note += "_files"
        click.echo(text(note, report.lang, files=", ".join(files)), err=True)
        return int(code)
    return report.finish([c.outcome for c in collected], rules, started)


def acknowledge_stop(running: int, grace: float, lang: str) -> None:
    """Said even with -q: without it the first Ctrl-C looks ignored for up to the grace."""
    from hvbpa.i18n import stopping_text

    click.echo(stopping_text(running, grace, lang), err=True)


@click.command(epilog=SECURITY_HELP)
@click.argument("host")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    callback=plain_path_option("collect", "the snapshot is always JSON"),
    help="File to write the snapshot to ('-' for stdout): JSON, or with --raw the host's answer untouched. "
    "A plain path: no FORMAT: prefix as in scan.",
)
@click.option(
    "--raw", is_flag=True, help="Write the host's stdout untouched instead of JSON (replayable by the lab host)."
)
@connection_options
def collect(host: str, output: Path, raw: bool, **kwargs: Any) -> None:
    """Collect one host's snapshot without evaluating it.

    \b
    Examples:
      hvbpa collect hv01 -o hv01.json          # then: hvbpa evaluate hv01.json
      hvbpa collect hv01 -o hv01.bin --raw     # the host's answer untouched, for a support case
    """

    def body() -> int:
        from hvbpa.atomic import write_bytes_atomic
        from hvbpa.cli.common import cli_lang
        from hvbpa.collect import collect_host, decode_answer
        from hvbpa.i18n import host_status_text, text
        from hvbpa.snapshot import HostStatus

        if str(output) != "-":
            from hvbpa.report import OutputSpec, check_outputs

            check_outputs([OutputSpec("snapshot", output)])  # before the host is contacted, not after
        (target,) = collect_targets((host,), (), (), None)
        connection = build_settings(kwargs)
        check_targets((target,), connection)
        connection = with_password(connection, (target,))
        check_targets((target,), connection)
        collected = collect_host(target, connection)
        outcome = collected.outcome
        lang = cli_lang()
        failed = one_line(
            text(
                "cli_host_failed",
                lang,
                host=target.name,
                status=host_status_text(outcome.status.value, lang),
                reason=outcome.reason_in(lang),
            )
        )
        if outcome.status is not HostStatus.OK and not (raw and collected.stdout):
            click.echo(failed, err=True)
            return int(ExitCode.INCOMPLETE)
        data = collected.stdout if raw else decode_answer(collected.stdout).encode("utf-8")
        if str(output) == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            write_bytes_atomic(output, data)
        if outcome.status is not HostStatus.OK:
            click.echo(failed, err=True)
            return int(ExitCode.INCOMPLETE)
        return int(ExitCode.OK)

    run_guarded(body)


@click.command(epilog="Exit codes: 0 the demo ran as designed; 2 usage error; otherwise the scan's own code.")
@report_options
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def demo(quiet: bool, **kwargs: Any) -> None:
    """Start the built-in lab fleet on loopback, scan it over real WinRM, print the report, stop it.

    \b
    Examples:
      hvbpa demo
      hvbpa demo --lang ko -o table -o json:demo.json
    """

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


class _ServeCommand(click.Command):
    """Shows the complete example fleet file after the options, read from the package on demand."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        example = Path(__file__).resolve().parents[1] / "lab" / "fleet_example.toml"
        formatter.write_paragraph()
        formatter.write_text("Fleet file format (a complete example; also in src/hvbpa/lab/README.md):")
        formatter.write_paragraph()
        with formatter.indentation():
            for line in example.read_text(encoding="utf-8").splitlines():
                formatter.write(f"{' ' * formatter.current_indent}{line}".rstrip() + "\n")


@lab.command("serve", cls=_ServeCommand)
@click.argument("fleet", required=False)
@click.option(
    "--hosts-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a hosts file for `hvbpa scan --hosts-file`, once every host listens.",
)
@click.option(
    "--inventory-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write an Ansible inventory for `hvbpa scan -i`, once every host listens.",
)
@click.option(
    "--address",
    default="127.0.0.1",
    show_default=True,
    help="IPv4 address to listen on (the lab has no real security: keep it on loopback or a lab network).",
)
@click.option(
    "--port",
    "first_port",
    type=click.IntRange(1, 65535),
    help="First port: hosts without a port in the fleet file get this one, the next, ... [default: free ports].",
)
@click.option(
    "--powershell/--canned",
    "powershell",
    default=None,
    help="Run collect.ps1 in real PowerShell against Hyper-V stand-ins on every host, or answer with canned "
    "snapshots [default: what the fleet file's 'execute' says; canned when it says nothing].",
)
@click.option(
    "--kerberos",
    is_flag=True,
    help="Every host accepts Kerberos only (HTTP, message encryption), from a throwaway MIT realm on "
    "127.0.0.1 started with the lab; its krb5.conf, user and password are printed. Needs MIT Kerberos "
    "(Debian: krb5-kdc krb5-admin-server krb5-user) and, from the checkout, pip install '.[kerberos]'.",
)
def lab_serve(
    fleet: str | None,
    hosts_out: Path | None,
    inventory_out: Path | None,
    address: str,
    first_port: int | None,
    powershell: bool | None,
    kerberos: bool,
) -> None:
    """Run lab hosts in the foreground until Ctrl-C, SIGTERM or SIGHUP.

    FLEET is a fleet file, or a bundled fleet: demo (the default; findings, a Replica judged
    from its primary, a host that refuses connections) or healthy (nothing wrong: a scan
    exits 0). Once every host listens, the hosts file and inventory are written and a line
    starting "hvbpa lab: ready" is printed; on stop they are removed with the lab's keys.
    Lab credentials: user labadmin, password Lab-Passw0rd! unless the fleet file says otherwise.

    \b
    Examples:
      hvbpa lab serve --hosts-out hosts.txt &
      HVBPA_PASSWORD='Lab-Passw0rd!' hvbpa scan --hosts-file hosts.txt
      hvbpa lab serve healthy --inventory-out lab.ini --port 45985
      hvbpa lab serve healthy --kerberos --hosts-out hosts.txt   # then: export KRB5_CONFIG=... (printed)
    """

    def body() -> int:
        from hvbpa.errors import ConfigError
        from hvbpa.lab import FleetError, LabError, ServeOptions, serve

        execute = None if powershell is None else ("powershell" if powershell else "canned")
        options = ServeOptions(
            hosts_out=hosts_out,
            inventory_out=inventory_out,
            bind=address,
            first_port=first_port,
            execute=execute,
            kerberos=kerberos,
        )
        try:
            return serve(fleet, options=options)
        except (FleetError, LabError) as exc:
            raise ConfigError(str(exc)) from None
        except OSError as exc:
            # Most often a port in use or an address not on this machine.
            raise ConfigError(f"the lab cannot listen on {address}: {exc.strerror or exc}") from None

    run_guarded(body)
