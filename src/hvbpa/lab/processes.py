"""Running a fleet of lab hosts, in this process or in worker processes.

Worker processes are ``python -m hvbpa.lab.worker``. Each gets its hosts as one
JSON line on stdin, answers one JSON line with the ports it bound (the
readiness handshake), and serves until its stdin closes. A parent that dies
closes the pipe too, so workers never outlive it.

In one process the GIL serialises hosts and hides a client's real concurrency;
measure with ``processes=True``.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import IO, Any

from hvbpa.atomic import write_text_atomic
from hvbpa.lab.executed import NoPowerShell, runs_powershell
from hvbpa.lab.fleet import HTTPS_TRANSPORTS, CommandFault, Fleet, HostConfig
from hvbpa.lab.kdc import HOST_NAME as KERBEROS_HOST_NAME
from hvbpa.lab.kdc import Realm, RealmError, start_realm
from hvbpa.lab.server import LOOPBACK, STATS_PATH, WSMAN_PATH, LabHost, stop_all
from hvbpa.lab.tls import LAB_NAMES, ClientCertificate, TlsMaterial, issue_client_certificate, make_tls_material
from hvbpa.targets import quote_word

READY_TIMEOUT = 60.0
PYWINRM_TRANSPORT = {
    "basic-http": "basic",
    "basic-https": "ssl",
    "ntlm": "ntlm",
    "certificate-https": "certificate",
    "kerberos": "kerberos",
}
# The lab's transport names -> (hvbpa transport, scheme)
HVBPA_TRANSPORT = {
    "basic-http": ("basic", "http"),
    "basic-https": ("basic", "https"),
    "ntlm": ("ntlm", "http"),
    "certificate-https": ("certificate", "https"),
    "kerberos": ("kerberos", "http"),
}


class LabError(RuntimeError):
    """The lab could not start or talk to its workers."""


@dataclass(frozen=True)
class HostEndpoint:
    """Where a running lab host listens and how to log on to it."""

    name: str
    address: str
    port: int
    scheme: str
    transport: str
    username: str
    password: str
    ca_trust_path: str | None
    refuses: bool = False
    # certificate-https: the client certificate (PEM) the lab issued this host's user, and its key.
    client_cert_pem: str | None = None
    client_key_pem: str | None = None

    @property
    def endpoint(self) -> str:
        return f"{self.scheme}://{self.address}:{self.port}{WSMAN_PATH}"

    @property
    def pywinrm_transport(self) -> str:
        return PYWINRM_TRANSPORT[self.transport]

    def protocol_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``winrm.protocol.Protocol`` that reach this host."""
        kwargs: dict[str, Any] = {
            "endpoint": self.endpoint,
            "transport": self.pywinrm_transport,
            "username": self.username,
            "password": self.password,
        }
        if self.transport == "basic-http":
            kwargs["message_encryption"] = "never"
        if self.transport == "certificate-https":
            # The certificate authenticates; pywinrm sends no password with it.
            kwargs["password"] = None
            kwargs["cert_pem"] = self.client_cert_pem
            kwargs["cert_key_pem"] = self.client_key_pem
        if self.ca_trust_path:
            kwargs["ca_trust_path"] = self.ca_trust_path
            kwargs["server_cert_validation"] = "validate"
        else:
            # Plain HTTP: keep pywinrm from consulting REQUESTS_CA_BUNDLE (and warning about it).
            kwargs["ca_trust_path"] = None
        return kwargs


_PATHS = ("snapshot", "raw_output", "keytab", "replay")


def host_to_json(host: HostConfig) -> dict[str, Any]:
    data = asdict(host)
    for key in _PATHS:
        if data[key] is not None:
            data[key] = str(data[key])
    return data


def host_from_json(data: dict[str, Any]) -> HostConfig:
    values = dict(data)
    for key in _PATHS:
        if values.get(key) is not None:
            values[key] = Path(values[key])
    if values.get("fault") is not None:
        values["fault"] = CommandFault(**values["fault"])
    return HostConfig(**values)


def tls_to_json(tls: TlsMaterial | None) -> dict[str, str] | None:
    if tls is None:
        return None
    # The CA key stays with the parent: workers only verify client certificates.
    return {"ca_pem": str(tls.ca_pem), "cert_chain_pem": str(tls.cert_chain_pem), "key_pem": str(tls.key_pem)}


def tls_from_json(data: dict[str, str] | None) -> TlsMaterial | None:
    if data is None:
        return None
    return TlsMaterial(Path(data["ca_pem"]), Path(data["cert_chain_pem"]), Path(data["key_pem"]))


class _Worker:
    def __init__(
        self, hosts: list[HostConfig], reference_script: str | None, tls: TlsMaterial | None, log: Path, bind: str
    ):
        self.hosts = hosts
        self.log = log
        self._log_handle = log.open("wb")
        env = dict(os.environ)
        # The worker must import this very hvbpa, installed or not.
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hvbpa.lab.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log_handle,
            env=env,
        )
        spec = {
            "hosts": [host_to_json(host) for host in hosts],
            "reference_script": reference_script,
            "tls": tls_to_json(tls),
            "bind": bind,
        }
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(spec).encode("utf-8") + b"\n")
        self.process.stdin.flush()
        self._lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()

    def _read(self, stream: IO[bytes] | None) -> None:
        assert stream is not None
        for line in stream:
            self._lines.put(line)
        self._lines.put(b"")

    def ready(self, deadline: float) -> dict[str, int]:
        try:
            line = self._lines.get(timeout=max(deadline - time.monotonic(), 0.1))
        except queue.Empty:
            raise LabError(f"a lab worker did not become ready within {READY_TIMEOUT:.0f}s") from None
        if not line:
            self.process.wait(timeout=5)
            detail = self.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            reason = detail[-1] if detail else f"exit {self.process.returncode}"
            raise LabError(f"a lab worker failed to start: {reason}")
        message = json.loads(line)
        ports: dict[str, int] = message["ready"]
        return ports

    def stop(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            with suppress(OSError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self._log_handle.close()


class RunningFleet:
    """A started fleet. Use as a context manager, or call ``stop()``."""

    def __init__(
        self, fleet: Fleet, workdir: Path, tls: TlsMaterial | None, bind: str = LOOPBACK, realm: Realm | None = None
    ):
        self.fleet = fleet
        self.bind = bind
        # The Kerberos realm of the fleet's kerberos hosts, stopped with the fleet.
        self.realm = realm
        self.workdir = workdir
        self.tls = tls
        self.hosts: tuple[HostEndpoint, ...] = ()
        # certificate-https: one client certificate per user principal, issued by the lab CA.
        self.client_certs: dict[str, ClientCertificate] = {}
        self._local: list[LabHost] = []
        self._workers: list[_Worker] = []
        self._stopped = False

    # -- starting --------------------------------------------------------

    def _client_cert(self, host: HostConfig) -> ClientCertificate | None:
        if host.transport != "certificate-https" or self.tls is None:
            return None
        principal = host.principal
        if principal.lower() not in self.client_certs:
            self.client_certs[principal.lower()] = issue_client_certificate(
                self.tls, principal, self.workdir / "tls" / "clients"
            )
        return self.client_certs[principal.lower()]

    def _endpoint(self, host: HostConfig, port: int) -> HostEndpoint:
        client = self._client_cert(host)
        return HostEndpoint(
            name=host.name,
            # Kerberos needs the name in the host's service principal, not an address.
            address=KERBEROS_HOST_NAME if host.transport == "kerberos" and self.bind == LOOPBACK else self.bind,
            port=port,
            scheme=host.scheme,
            transport=host.transport,
            username=host.username,
            password=host.password,
            ca_trust_path=str(self.tls.ca_pem) if self.tls and host.transport in HTTPS_TRANSPORTS else None,
            refuses=host.refuse,
            client_cert_pem=str(client.cert_pem) if client else None,
            client_key_pem=str(client.key_pem) if client else None,
        )

    def _start_local(self, reference: str | None) -> None:
        ports: dict[str, int] = {}
        for host in self.fleet.hosts:
            lab = LabHost(host, tls=self.tls, reference_script=reference, bind=self.bind)
            self._local.append(lab.start())
            ports[host.name] = lab.port
        self.hosts = tuple(self._endpoint(host, ports[host.name]) for host in self.fleet.hosts)

    def _start_workers(self, reference: str | None, workers: int) -> None:
        groups: list[list[HostConfig]] = [[] for _ in range(workers)]
        for index, host in enumerate(self.fleet.hosts):
            groups[index % workers].append(host)
        for index, group in enumerate(groups):
            log = self.workdir / f"worker-{index}.log"
            self._workers.append(_Worker(group, reference, self.tls, log, self.bind))
        deadline = time.monotonic() + READY_TIMEOUT
        ports: dict[str, int] = {}
        for worker in self._workers:
            ports.update(worker.ready(deadline))
        self.hosts = tuple(self._endpoint(host, ports[host.name]) for host in self.fleet.hosts)

    # -- using -------------------------------------------------------------

    def host(self, name: str) -> HostEndpoint:
        for host in self.hosts:
            if host.name == name:
                return host
        raise KeyError(name)

    @property
    def pids(self) -> list[int]:
        return [worker.process.pid for worker in self._workers]

    def stats(self) -> dict[str, dict[str, Any]]:
        """Per host: requests served, by action, auth challenges, faults, open shells."""
        if self._local:
            return {lab.name: lab.stats_snapshot() for lab in self._local}
        return {host.name: _fetch_stats(host) for host in self.hosts}

    def request_counts(self) -> dict[str, int]:
        return {name: int(stats.get("requests", 0)) for name, stats in self.stats().items()}

    def write_hosts_file(self, path: Path) -> Path:
        """The ``hvbpa scan --hosts-file`` format: one host a line with its own transport, user and CA."""
        lines = [
            "# hvbpa lab fleet" + (f" from {self.fleet.source}" if self.fleet.source else ""),
            "# One host a line: URL, then its own settings. The password comes from HVBPA_PASSWORD.",
        ]
        for host in self.hosts:
            lines.append(hosts_file_line(host) + ("  # refuses connections" if host.refuses else ""))
        write_text_atomic(path, "\n".join(lines) + "\n")
        return path

    def write_ansible_inventory(self, path: Path, group: str = "hyperv_lab") -> Path:
        lines = ["# hvbpa lab fleet as an Ansible INI inventory", f"[{group}]"]
        for host in self.hosts:
            fields = [
                host.name,
                f"ansible_host={host.address}",
                f"ansible_port={host.port}",
                f"ansible_user={host.username}",
            ]
            if host.transport != "certificate-https":
                fields.append(f"ansible_password={host.password}")
            fields += [
                "ansible_connection=winrm",
                f"ansible_winrm_transport={host.pywinrm_transport}",
                f"ansible_winrm_scheme={host.scheme}",
            ]
            if host.client_cert_pem:
                fields += [
                    f"ansible_winrm_cert_pem={quote_word(str(host.client_cert_pem))}",
                    f"ansible_winrm_cert_key_pem={quote_word(str(host.client_key_pem))}",
                ]
            if host.ca_trust_path:
                fields += [
                    f"ansible_winrm_ca_trust_path={quote_word(host.ca_trust_path)}",
                    "ansible_winrm_server_cert_validation=validate",
                ]
            lines.append(" ".join(fields))
        write_text_atomic(path, "\n".join(lines) + "\n")
        return path

    # -- stopping ----------------------------------------------------------

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        stop_all(self._local)
        for worker in self._workers:
            if worker.process.stdin is not None:
                with suppress(OSError):
                    worker.process.stdin.close()
        for worker in self._workers:
            worker.stop()
        if self.realm is not None:
            self.realm.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> RunningFleet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def hosts_file_line(host: HostEndpoint) -> str:
    """``URL transport=... user=... [ca_trust_path=...] [cert_pem=... cert_key_pem=...] name=...``."""
    transport, _scheme = HVBPA_TRANSPORT[host.transport]
    fields = [host.endpoint, f"transport={transport}"]
    if host.transport != "certificate-https":
        fields.append(f"user={host.username}")
    if host.ca_trust_path:
        fields.append(f"ca_trust_path={quote_word(host.ca_trust_path)}")
    if host.client_cert_pem:
        fields += [
            f"cert_pem={quote_word(str(host.client_cert_pem))}",
            f"cert_key_pem={quote_word(str(host.client_key_pem))}",
        ]
    fields.append(f"name={host.name}")
    return " ".join(fields)


def _fetch_stats(host: HostEndpoint) -> dict[str, Any]:
    if host.refuses:
        return {"name": host.name, "requests": 0}
    # The stats page shares the WinRM listener, so an HTTPS host serves it over TLS.
    url = f"{host.scheme}://{host.address}:{host.port}{STATS_PATH}"
    context = None
    if host.scheme == "https":
        context = ssl.create_default_context(cafile=host.ca_trust_path)
        if host.client_cert_pem and host.client_key_pem:
            # A certificate-https host completes no handshake without the client certificate.
            context.load_cert_chain(host.client_cert_pem, host.client_key_pem)
    try:
        with urllib.request.urlopen(url, timeout=5, context=context) as response:  # noqa: S310 - loopback lab URL
            data: dict[str, Any] = json.loads(response.read())
            return data
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise LabError(f"{host.name}: cannot read {url}: {exc}") from None


def default_workers(host_count: int) -> int:
    return max(1, min(host_count, (os.cpu_count() or 2) * 2))


def start_fleet(
    fleet: Fleet, *, processes: bool = True, workers: int | None = None, bind: str = LOOPBACK
) -> RunningFleet:
    """Start every host of ``fleet`` on address ``bind``; returns once all of them listen (or refuse)."""
    for host in fleet.hosts:
        try:
            runs_powershell(host)
        except NoPowerShell as exc:
            raise LabError(str(exc)) from None
    realm = None
    if any(host.transport == "kerberos" and host.keytab is None for host in fleet.hosts):
        fleet, realm = _with_realm(fleet)
    workdir = Path(tempfile.mkdtemp(prefix="hvbpa-lab-"))
    tls = None
    if any(host.transport in HTTPS_TRANSPORTS for host in fleet.hosts):
        # The server certificate must name the address clients connect to.
        names = LAB_NAMES if bind in LAB_NAMES else (*LAB_NAMES, bind)
        tls = make_tls_material(workdir / "tls", names)
    running = RunningFleet(fleet, workdir, tls, bind, realm)
    reference = fleet.reference_script()
    try:
        if processes:
            running._start_workers(reference, workers or default_workers(len(fleet.hosts)))
        else:
            running._start_local(reference)
    except BaseException:
        running.stop()
        raise
    return running


def _with_realm(fleet: Fleet) -> tuple[Fleet, Realm]:
    """Start a realm for the fleet's kerberos hosts: each gets its keytab, and the realm's user
    as the account it accepts."""
    try:
        realm = start_realm()
    except RealmError as exc:
        raise LabError(f"the kerberos hosts need a realm: {exc}") from None
    hosts = tuple(
        replace(host, keytab=realm.keytab, username=realm.principal, password=realm.password)
        if host.transport == "kerberos" and host.keytab is None
        else host
        for host in fleet.hosts
    )
    return replace(fleet, hosts=hosts), realm


@contextmanager
def running_fleet(fleet: Fleet, *, processes: bool = True, workers: int | None = None) -> Iterator[RunningFleet]:
    running = start_fleet(fleet, processes=processes, workers=workers)
    try:
        yield running
    finally:
        running.stop()
