"""``hvbpa lab serve``: run a fleet in the foreground until Ctrl-C.

The click command in hvbpa.cli wraps :func:`serve`; this module prints plain
text and imports no CLI libraries.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from hvbpa.lab.executed import runs_powershell
from hvbpa.lab.fleet import demo_fleet_path, load_fleet
from hvbpa.lab.processes import start_fleet


def serve(
    fleet_path: Path | None = None,
    hosts_out: Path | None = None,
    *,
    inventory_out: Path | None = None,
    processes: bool = True,
    execute: str | None = None,
    out: TextIO | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Run ``fleet_path`` (the bundled demo fleet when None) until Ctrl-C or ``stop`` is set.

    Raises hvbpa.lab.fleet.FleetError for a bad fleet file and
    hvbpa.lab.processes.LabError when the hosts cannot start.
    """
    stream = out or sys.stdout
    fleet = load_fleet(fleet_path or demo_fleet_path())
    if execute is not None:
        # --powershell / --canned: one choice for every host, over the fleet file's.
        fleet = replace(fleet, hosts=tuple(replace(h, execute=execute) for h in fleet.hosts))
    with start_fleet(fleet, processes=processes) as running:
        stream.write(f"hvbpa lab: {len(running.hosts)} host(s) from {fleet.source}\n")
        for host in running.hosts:
            where = "refuses connections" if host.refuses else host.endpoint
            extra = f"  CA {host.ca_trust_path}" if host.ca_trust_path else ""
            logon = f"{host.username}/{host.password}"
            if host.client_cert_pem:
                logon = f"{host.username}  client certificate {host.client_cert_pem} key {host.client_key_pem}"
            stream.write(f"  {host.name:<20} {where:<36} {host.transport:<12} {logon}{extra}\n")
        played = [h.name for h in fleet.hosts if runs_powershell(h)]
        if played:
            stream.write(f"collect.ps1 runs in PowerShell (Hyper-V stand-ins) on: {', '.join(played)}\n")
        if hosts_out is not None:
            running.write_hosts_file(hosts_out)
            stream.write(f"hosts file: {hosts_out}\n")
        if inventory_out is not None:
            running.write_ansible_inventory(inventory_out)
            stream.write(f"Ansible inventory: {inventory_out}\n")
        stream.write("Press Ctrl-C to stop.\n")
        stream.flush()
        waiter = stop or threading.Event()
        try:
            while not waiter.wait(0.5):
                pass
        except KeyboardInterrupt:
            stream.write("stopping\n")
    return 0
