"""Fleets in worker processes, host files, and the foreground serve()."""

from __future__ import annotations

import io
import json
import os
import threading
import time
from pathlib import Path

import pytest
import requests
from winrm.exceptions import InvalidCredentialsError

from hvbpa.collect import delivery
from hvbpa.lab import HostConfig, HostEndpoint, LabError, build_fleet, fleet_from_snapshots, serve, start_fleet
from hvbpa.lab.fleet import packaged_script

from .conftest import TEST_SCRIPT, protocol, run_collection, snapshot_text

pytestmark = pytest.mark.timeout(90)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone in every way that matters, but the parent reaps it in wait().
    return True


def test_fleet_in_processes_answers_and_shuts_down(tmp_path: Path) -> None:
    transports = ("basic-http", "basic-https", "ntlm")
    fleet = fleet_from_snapshots(
        {f"HV-{i:03d}": snapshot_text(f"HV-{i:03d}") for i in range(60)}, script_text=TEST_SCRIPT
    )
    hosts = [
        HostConfig(name=h.name, snapshot_text=h.snapshot_text, transport=transports[i % 3])
        for i, h in enumerate(fleet.hosts)
    ]
    hosts.append(HostConfig(name="HV-DOWN", refuse=True))
    started = time.monotonic()
    with start_fleet(build_fleet(hosts, script_text=TEST_SCRIPT), workers=3) as running:
        assert time.monotonic() - started < 20
        pids = running.pids
        assert len(pids) == 3 and all(alive(pid) for pid in pids)
        assert len({h.port for h in running.hosts}) == 61
        for name in ("HV-000", "HV-001", "HV-002"):
            output = run_collection(protocol(running.host(name)))
            assert json.loads(delivery.decode_answer(output.stdout))["host"]["name"] == name
        with pytest.raises(requests.exceptions.ConnectionError):
            protocol(running.host("HV-DOWN")).open_shell()
        counts = running.request_counts()
        assert counts["HV-000"] == 5 and counts["HV-002"] == 8 and counts["HV-003"] == 0 and counts["HV-DOWN"] == 0

        hosts_file = running.write_hosts_file(tmp_path / "hosts.txt")
        lines = hosts_file.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("#")
        entries = [line for line in lines if line and not line.startswith("#")]
        assert [entry.split()[0] for entry in entries] == [h.endpoint for h in running.hosts]
        assert entries[1].endswith(f"ca_trust_path={running.host('HV-001').ca_trust_path} name=HV-001")

        inventory = running.write_ansible_inventory(tmp_path / "inventory.ini").read_text(encoding="utf-8")
        https = running.host("HV-001")
        assert (
            f"HV-001 ansible_host=127.0.0.1 ansible_port={https.port} ansible_user=labadmin" in inventory
            and f"ansible_winrm_ca_trust_path={https.ca_trust_path}" in inventory
            and "ansible_winrm_transport=ntlm ansible_winrm_scheme=http" in inventory
            and "ansible_winrm_server_cert_validation=validate" in inventory
        )
    assert not any(alive(pid) for pid in pids)


def test_two_hundred_hosts_start_quickly() -> None:
    fleet = fleet_from_snapshots({f"HV-{i:03d}": snapshot_text(f"HV-{i:03d}") for i in range(200)})
    started = time.monotonic()
    with start_fleet(fleet) as running:
        assert time.monotonic() - started < 30
        assert protocol(running.hosts[-1]).open_shell()
        pids = running.pids
    assert not any(alive(pid) for pid in pids)


def test_worker_failure_is_reported() -> None:
    # Two hosts on one fixed port: the second cannot bind.
    with socket_port() as port:
        fleet = build_fleet([HostConfig(name="A", port=port)])
        with pytest.raises(LabError, match="failed to start"):
            start_fleet(fleet)


class socket_port:
    """A port some other socket is listening on, for the duration of a with block."""

    def __enter__(self) -> int:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        port: int = self.sock.getsockname()[1]
        return port

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


def test_serve_runs_the_demo_fleet_until_stopped(tmp_path: Path) -> None:
    out = io.StringIO()
    stop = threading.Event()
    hosts_out = tmp_path / "hosts.txt"
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(serve(None, hosts_out, out=out, stop=stop)))
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while "Ctrl-C" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
        text = out.getvalue()
        assert "HV-PRI-01" in text and "HV-DR-03" in text and "refuses connections" in text
        entries = [line for line in hosts_out.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
        assert len(entries) == 4
        # The demo hosts answer the packaged collection script with their snapshot.
        port = int(entries[0].split()[0].rsplit(":", 1)[1].removesuffix("/wsman"))
        endpoint = HostEndpoint("HV-PRI-01", "127.0.0.1", port, "http", "ntlm", "labadmin", "Lab-Passw0rd!", None)
        script = packaged_script()
        assert script is not None
        output = run_collection(protocol(endpoint), script)
        assert json.loads(delivery.decode_answer(output.stdout))["host"]["name"] == "HV-PRI-01"
        with pytest.raises(InvalidCredentialsError):
            protocol(endpoint, password="wrong").open_shell()
    finally:
        stop.set()
        thread.join(timeout=30)
    assert result == [0]
