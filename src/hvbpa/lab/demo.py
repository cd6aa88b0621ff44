"""``hvbpa demo``: start the bundled lab fleet, scan it through real WinRM, stop it.

The demo fleet is built to show every kind of result, so its "normal" exit code
would be 3 (one host refuses connections). The demo instead exits 0 when the run
came out as designed, and says what differed otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TextIO

from hvbpa.collect import ConnectionSettings, Interrupted, ScanObserver, Secret, scan_hosts
from hvbpa.evaluate import Rule, Status
from hvbpa.exit_codes import ExitCode
from hvbpa.i18n import stopping_text, text
from hvbpa.lab.fleet import demo_fleet_path, load_fleet
from hvbpa.lab.processes import HVBPA_TRANSPORT, HostEndpoint, start_fleet
from hvbpa.pipeline import Finished, RunOptions, finish
from hvbpa.signals import terminated
from hvbpa.snapshot import HostStatus
from hvbpa.targets import Target


def lab_target(host: HostEndpoint) -> Target:
    transport, scheme = HVBPA_TRANSPORT[host.transport]
    return Target(
        name=host.name,
        address=host.address,
        port=host.port,
        transport=transport,
        scheme=scheme,
        username=host.username,
        ca_trust_path=host.ca_trust_path,
        cert_pem=host.client_cert_pem,
        cert_key_pem=host.client_key_pem,
        source="lab",
    )


def lab_settings(hosts: Sequence[HostEndpoint]) -> ConnectionSettings:
    password = hosts[0].password if hosts else ""
    return ConnectionSettings(
        transport="ntlm",
        username=hosts[0].username if hosts else None,
        password=Secret(password),
        # Only the lab's basic-http hosts need this; real scans refuse it by default.
        allow_unencrypted=any(h.transport == "basic-http" for h in hosts),
        deadline=60.0,
        connect_timeout=5.0,
        retries=0,
    )


def design_problems(done: Finished, hosts: Sequence[HostEndpoint]) -> list[str]:
    """What differs from the demo's design: refusing hosts fail, the others are scanned with findings."""
    problems = []
    by_target = {h.target: h for h in done.run.hosts}
    for host in hosts:
        outcome = by_target[host.name]
        wanted = HostStatus.UNREACHABLE if host.refuses else HostStatus.OK
        if outcome.status is not wanted:
            problems.append(f"{host.name}: expected {wanted.value}, got {outcome.status.value} ({outcome.reason})")
    if not any(r.status is Status.NONCOMPLIANT for r in done.run.results):
        problems.append("no findings: the demo fleet has VMs without integration services")
    if not any(v.inferred_from for r in done.run.results for v in r.vms):
        problems.append("no VM was judged from its replication partner")
    return problems


def _say(stderr: TextIO, line: str) -> None:
    stderr.write(line + "\n")
    stderr.flush()


def run_demo(
    rules: Sequence[Rule], options: RunOptions, *, stdout: TextIO, stderr: TextIO, observer: ScanObserver | None = None
) -> ExitCode:
    fleet = load_fleet(demo_fleet_path())
    started = options.now or datetime.now(UTC)
    with start_fleet(fleet) as running:
        stderr.write(text("demo_start", options.lang, count=len(running.hosts)) + "\n")
        try:
            collected = scan_hosts(
                [lab_target(h) for h in running.hosts],
                lab_settings(running.hosts),
                observer=observer,
                on_stop=lambda count, grace: _say(stderr, stopping_text(count, grace, options.lang)),
            )
        except Interrupted as stop:
            code = ExitCode.TERMINATED if terminated() else ExitCode.INTERRUPTED
            finish(stop.outcomes, rules, replace(options, stopped=code), started=started, stdout=stdout)
            stderr.write(text("demo_interrupted", options.lang) + "\n")
            return code
        done = finish([c.outcome for c in collected], rules, options, started=started, stdout=stdout)
        problems = design_problems(done, running.hosts)
    if problems:
        for problem in problems:
            stderr.write(text("demo_not_as_designed", options.lang, problem=problem) + "\n")
        return done.exit_code if done.exit_code is not ExitCode.OK else ExitCode.INCOMPLETE
    stderr.write(text("demo_ok", options.lang, code=int(done.exit_code)) + "\n")
    return ExitCode.OK
