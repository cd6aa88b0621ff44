"""``hvbpa lab serve``: run a fleet in the foreground until Ctrl-C, SIGTERM or SIGHUP.

The click command in hvbpa.cli wraps :func:`serve`; this module prints plain
text and imports no CLI libraries.

Readiness: the hosts file and the inventory are removed first and written only
once every host listens, then a line starting ``hvbpa lab: ready`` is printed, so
a script may wait for either.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType
from typing import TextIO

from hvbpa.lab.executed import runs_powershell
from hvbpa.lab.fleet import Fleet, FleetError, find_fleet, load_fleet
from hvbpa.lab.processes import LabError, RunningFleet, start_fleet
from hvbpa.lab.server import LOOPBACK

READY = "hvbpa lab: ready"


@dataclass(frozen=True)
class ServeOptions:
    hosts_out: Path | None = None
    inventory_out: Path | None = None
    bind: str = LOOPBACK
    first_port: int | None = None  # hosts without a port in the fleet file get this one, the next, ...
    # --powershell / --canned: one choice for every host, over the fleet file's ``execute``.
    execute: str | None = None
    # --kerberos: every host accepts Kerberos only, from a realm started with the lab.
    kerberos: bool = False


def serve(
    fleet_spec: str | Path | None = None,
    hosts_out: Path | None = None,
    *,
    inventory_out: Path | None = None,
    options: ServeOptions | None = None,
    processes: bool = True,
    out: TextIO | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Run a fleet file or bundled fleet (the demo fleet when None) until Ctrl-C, SIGTERM or ``stop``.

    Raises hvbpa.lab.fleet.FleetError for a bad fleet file and
    hvbpa.lab.processes.LabError when the hosts cannot start.
    """
    opts = options or ServeOptions(hosts_out=hosts_out, inventory_out=inventory_out)
    stream = out or sys.stdout
    fleet = with_ports(load_fleet(find_fleet(None if fleet_spec is None else str(fleet_spec))), opts.first_port)
    if opts.execute is not None:
        fleet = replace(fleet, hosts=tuple(replace(h, execute=opts.execute) for h in fleet.hosts))
    if opts.kerberos:
        fleet = replace(fleet, hosts=tuple(replace(h, transport="kerberos") for h in fleet.hosts))
    waiter = stop or threading.Event()
    outputs = [p for p in (opts.hosts_out, opts.inventory_out) if p is not None]
    for path in outputs:
        if not path.parent.resolve().is_dir():
            # Found now, not after the hosts have started.
            raise LabError(f"{path}: folder {path.parent} does not exist")
    for path in outputs:
        # A script waiting for the file must not pick up one from an earlier run.
        path.unlink(missing_ok=True)
    with _stop_on_signals(waiter), start_fleet(fleet, processes=processes, bind=opts.bind) as running:
        _describe(running, stream)
        if opts.hosts_out is not None:
            running.write_hosts_file(opts.hosts_out)
            stream.write(f"hosts file: {opts.hosts_out}  (hvbpa scan --hosts-file {opts.hosts_out})\n")
        if opts.inventory_out is not None:
            running.write_ansible_inventory(opts.inventory_out)
            stream.write(f"Ansible inventory: {opts.inventory_out}  (hvbpa scan -i {opts.inventory_out})\n")
        stream.write(f"{READY}: every host listens. Stop with Ctrl-C or SIGTERM.\n")
        stream.flush()
        while not waiter.wait(0.5):
            pass
        stream.write("hvbpa lab: stopping\n")
        stream.flush()
    for path in outputs:
        # The files name ports and a CA that no longer exist.
        path.unlink(missing_ok=True)
    return 0


def with_ports(fleet: Fleet, first_port: int | None) -> Fleet:
    if first_port is None:
        return fleet
    hosts = []
    port = first_port
    for host in fleet.hosts:
        if host.port:
            hosts.append(host)
            continue
        if port > 65535:
            raise FleetError(f"--port {first_port}: not enough ports for {len(fleet.hosts)} hosts")
        hosts.append(replace(host, port=port))
        port += 1
    return replace(fleet, hosts=tuple(hosts))


def _describe(running: RunningFleet, stream: TextIO) -> None:
    source = running.fleet.source
    stream.write(f"hvbpa lab: {len(running.hosts)} host(s)" + (f" from {source}" if source else "") + "\n")
    for host in running.hosts:
        where = "refuses connections" if host.refuses else host.endpoint
        extra = f"  CA {host.ca_trust_path}" if host.ca_trust_path else ""
        logon = f"{host.username}/{host.password}"
        if host.client_cert_pem:
            logon = f"{host.username}  client certificate {host.client_cert_pem} key {host.client_key_pem}"
        stream.write(f"  {host.name:<20} {where:<36} {host.transport:<12} {logon}{extra}\n")
    realm = running.realm
    if realm is not None:
        stream.write(
            f"Kerberos realm {realm.realm}: KDC 127.0.0.1:{realm.port}, user {realm.principal}, "
            f"password {realm.password}\n"
            f"  export KRB5_CONFIG={realm.krb5_conf}\n"
            f"  kinit {realm.principal}        # or HVBPA_USERNAME={realm.principal} HVBPA_PASSWORD=...\n"
            f"  hosts are reached by the name localhost (their service principal is HTTP/localhost)\n"
        )
    played = [h.name for h in running.fleet.hosts if runs_powershell(h)]
    if played:
        stream.write(f"collect.ps1 runs in PowerShell (Hyper-V stand-ins) on: {', '.join(played)}\n")


@contextmanager
def _stop_on_signals(waiter: threading.Event) -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP end the serve loop, so the lab's temporary folder and keys are removed.

    A shell starts background jobs of a non-interactive script with SIGINT ignored,
    and Python keeps it ignored: the handler is installed whatever was there before.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(_signum: int, _frame: FrameType | None) -> None:
        waiter.set()

    # SIGHUP: the terminal it was started from closed (a tmux or ssh session ended).
    stops = [signal.SIGINT, signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {sig: signal.signal(sig, handler) for sig in stops}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
