"""The hvbpa lab: WS-Management hosts on loopback that pywinrm talks to unchanged.

Each lab host answers the hvbpa collection script with a configured snapshot
(canned, or by running the delivered command in real PowerShell against Hyper-V
stand-ins built from that snapshot: ``execute`` in hvbpa.lab.fleet) and fails
everything else the way Windows does. Lab credentials default to user
``labadmin``, password ``Lab-Passw0rd!`` (it is a lab; they are in the fleet file).

Public API::

    from hvbpa.lab import load_fleet, build_fleet, HostConfig, start_fleet, LabHost, serve

    with start_fleet(load_fleet(path)) as fleet:           # worker processes
        for host in fleet.hosts:                            # HostEndpoint
            host.endpoint, host.username, host.password, host.ca_trust_path
            host.client_cert_pem, host.client_key_pem      # certificate-https hosts
        fleet.write_hosts_file(Path("hosts.txt"))
        fleet.request_counts()
"""

from typing import TYPE_CHECKING, Any

from hvbpa.lab.fleet import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    CommandFault,
    Fleet,
    FleetError,
    HostConfig,
    build_fleet,
    demo_fleet_path,
    fleet_from_snapshots,
    load_fleet,
    minimal_snapshot,
)
from hvbpa.lab.processes import HostEndpoint, LabError, RunningFleet, running_fleet, start_fleet
from hvbpa.lab.serve import ServeOptions, serve
from hvbpa.lab.server import LabHost
from hvbpa.lab.tls import ClientCertificate, TlsMaterial, issue_client_certificate, make_tls_material

if TYPE_CHECKING:
    from hvbpa.lab.demo import run_demo


def __getattr__(name: str) -> Any:
    # The demo runs the whole pipeline; lab worker processes must not import it.
    if name == "run_demo":
        from hvbpa.lab.demo import run_demo

        return run_demo
    raise AttributeError(name)


__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "ClientCertificate",
    "CommandFault",
    "Fleet",
    "FleetError",
    "HostConfig",
    "HostEndpoint",
    "LabError",
    "LabHost",
    "RunningFleet",
    "ServeOptions",
    "TlsMaterial",
    "build_fleet",
    "demo_fleet_path",
    "fleet_from_snapshots",
    "issue_client_certificate",
    "load_fleet",
    "make_tls_material",
    "minimal_snapshot",
    "run_demo",
    "running_fleet",
    "serve",
    "start_fleet",
]
