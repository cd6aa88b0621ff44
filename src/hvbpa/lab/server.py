"""One lab host: a WS-Management listener on loopback that pywinrm talks to unchanged.

HTTP/1.1 with keep-alive (NTLM authenticates a connection, not a request),
Nagle disabled (otherwise every request stalls ~40 ms on delayed ACKs), and
Content-Length on every response. ``GET /lab/stats`` answers request counts
as JSON without authentication; it is loopback only because the host is.
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import sys
import threading
import traceback
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hvbpa.lab import envelopes
from hvbpa.lab.answers import collection_answer
from hvbpa.lab.auth import (
    BASIC_CHALLENGE,
    KERBEROS_CHALLENGE,
    NEGOTIATE_CHALLENGE,
    NtlmConnection,
    NtlmUsers,
    basic_user,
    certificate_user,
)
from hvbpa.lab.envelopes import Fault, FaultError, Request
from hvbpa.lab.executed import runs_powershell
from hvbpa.lab.fleet import ENCRYPTED_TRANSPORTS, HTTPS_TRANSPORTS, FleetError, HostConfig
from hvbpa.lab.kerberos_auth import KerberosConnection, kerberos_available
from hvbpa.lab.powershell import ScriptMatcher
from hvbpa.lab.replay import Replay, load_replay
from hvbpa.lab.shells import Behaviour, ShellTable
from hvbpa.lab.tls import TlsMaterial

LOOPBACK = "127.0.0.1"
SOAP_CONTENT_TYPE = "application/soap+xml;charset=UTF-8"
STATS_PATH = "/lab/stats"
WSMAN_PATH = "/wsman"


class _Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.by_action: Counter[str] = Counter()
        self.challenges = 0
        self.faults = 0
        self.connections = 0
        self.tls_failures = 0
        self.pipe_stdin_commands = 0

    def add(self, counter: str) -> None:
        with self._lock:
            setattr(self, counter, getattr(self, counter) + 1)

    def by_action_add(self, verb: str) -> None:
        with self._lock:
            self.by_action[verb] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self.requests,
                "by_action": dict(self.by_action),
                "auth_challenges": self.challenges,
                "faults": self.faults,
                "connections": self.connections,
                "tls_failures": self.tls_failures,
                "pipe_stdin_commands": self.pipe_stdin_commands,
            }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Many clients at once (a 200-host scan fans out); the default backlog is 5.
    request_queue_size = 128
    lab: LabHost

    def __init__(self, address: tuple[str, int], lab: LabHost, tls: ssl.SSLContext | None) -> None:
        self.lab = lab
        self.tls = tls
        self._live: set[socket.socket] = set()
        self._live_lock = threading.Lock()
        super().__init__(address, _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        sock: socket.socket = request
        if self.tls is not None:
            try:
                sock.settimeout(10)
                sock = self.tls.wrap_socket(sock, server_side=True)
            except (ssl.SSLError, OSError):
                # A client that does not trust the lab CA hangs up mid-handshake; a
                # certificate-https host refuses clients without a lab CA certificate.
                self.lab.stats.add("tls_failures")
                return
        with self._live_lock:
            self._live.add(sock)
        self.lab.stats.add("connections")
        try:
            _Handler(sock, client_address, self)
        finally:
            with self._live_lock:
                self._live.discard(sock)
            if sock is not request:
                sock.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client hanging up mid-response is normal for a lab (timeouts, hang knob).
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, ssl.SSLError, OSError)):
            super().handle_error(request, client_address)

    def drop_connections(self) -> None:
        with self._live_lock:
            live = list(self._live)
        for sock in live:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-HTTPAPI/2.0"
    sys_version = ""
    disable_nagle_algorithm = True
    # Windows keeps idle WinRM connections about two minutes.
    timeout = 120
    server: _Server

    def setup(self) -> None:
        super().setup()
        config = self.server.lab.config
        # The security context of this connection: NTLM and Kerberos bind it to the connection.
        self.secure: NtlmConnection | KerberosConnection = (
            KerberosConnection(config.keytab)
            if config.transport == "kerberos" and config.keytab is not None
            else NtlmConnection()
        )
        # Kerberos' AP-REP, sent back on the answer to the request that authenticated.
        self.mutual: str | None = None
        # The client certificate of this connection (certificate-https), checked in the handshake.
        self.peer_cert: bytes | None = None
        if isinstance(self.connection, ssl.SSLSocket):
            self.peer_cert = self.connection.getpeercert(binary_form=True)

    def log_message(self, format: str, *args: Any) -> None:
        return

    @property
    def lab(self) -> LabHost:
        return self.server.lab

    def _send(
        self, status: int, body: bytes, content_type: str | None, headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] == STATS_PATH:
            body = json.dumps(self.lab.stats_snapshot()).encode("utf-8")
            self._send(200, body, "application/json")
        else:
            self._send(404, b"", None)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        lab = self.lab
        lab.stats.add("requests")
        config = lab.config
        if config.hang:
            lab.stop_event.wait()
            self.close_connection = True
            return
        if config.latency and lab.stop_event.wait(config.latency):
            self.close_connection = True
            return
        if self.path.split("?", 1)[0].rstrip("/").lower() != WSMAN_PATH:
            self._send(404, b"", None)
            return
        user = self._authenticate()
        if user is None:
            return
        encrypted = config.transport in ENCRYPTED_TRANSPORTS
        mutual = self._take_mutual()
        if encrypted and not body:
            # pywinrm opens the NTLM or Kerberos context with an empty POST before encrypting.
            self._send(200, b"", None, mutual)
            return
        if encrypted:
            if not self.headers.get("Content-Type", "").lower().startswith("multipart/encrypted"):
                # A default Windows listener refuses unencrypted traffic over HTTP.
                self._challenge()
                return
            try:
                body = self.secure.unwrap(body)
            except Exception:
                self._challenge()
                return
        status, response = lab.dispatch(body, user, self.client_address[0])
        if encrypted:
            self._send(status, self.secure.wrap(response), self.secure.content_type, mutual)
        else:
            self._send(status, response, SOAP_CONTENT_TYPE)

    def _take_mutual(self) -> tuple[tuple[str, str], ...]:
        token, self.mutual = self.mutual, None
        return (("WWW-Authenticate", token),) if token else ()

    def _challenge(self, token: str | None = None) -> None:
        self.lab.stats.add("challenges")
        headers: tuple[tuple[str, str], ...]
        if self.lab.config.transport == "ntlm":
            headers = (("WWW-Authenticate", token or NEGOTIATE_CHALLENGE),)
        elif self.lab.config.transport == "kerberos":
            headers = (("WWW-Authenticate", NEGOTIATE_CHALLENGE), ("WWW-Authenticate", KERBEROS_CHALLENGE))
        else:
            headers = (("WWW-Authenticate", NEGOTIATE_CHALLENGE), ("WWW-Authenticate", BASIC_CHALLENGE))
        self._send(401, b"", None, headers)

    def _authenticate(self) -> str | None:
        config = self.lab.config
        header = self.headers.get("Authorization")
        if config.transport in ENCRYPTED_TRANSPORTS:
            if header:
                step = self.secure.step(header, config.username, config.reject_credentials)
                if not step.authenticated:
                    self._challenge(step.challenge)
                    return None
                if config.transport == "kerberos":
                    self.mutual = step.challenge
            if not self.secure.authenticated:
                self._challenge()
                return None
            return self.secure.user
        if config.transport == "certificate-https":
            user = None if config.reject_credentials else certificate_user(header, self.peer_cert, config.username)
            if user is None:
                self._challenge()
            return user
        user = None if config.reject_credentials else basic_user(header, config.username, config.password)
        if user is None:
            self._challenge()
        return user


def stop_all(labs: list[LabHost]) -> None:
    """Stop hosts together: each stop waits up to a poll interval, so one by one is slow."""
    threads = [threading.Thread(target=lab.stop, daemon=True) for lab in labs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)


class LabHost:
    """One lab host in this process. ``start()`` serves on a thread; ``stop()`` ends it."""

    def __init__(
        self,
        config: HostConfig,
        *,
        tls: TlsMaterial | None = None,
        reference_script: str | None = None,
        bind: str = LOOPBACK,
    ) -> None:
        if config.transport in HTTPS_TRANSPORTS and tls is None:
            raise ValueError(
                f"{config.name}: {config.transport} needs TLS material (see hvbpa.lab.tls.make_tls_material)"
            )
        self.config = config
        self.tls = tls if config.transport in HTTPS_TRANSPORTS else None
        self.address = bind
        self.stats = _Stats()
        self.stop_event = threading.Event()
        fault = None
        if config.fault is not None:
            fault = Fault(config.fault.code, config.fault.message)
        self.shells = ShellTable(
            Behaviour(
                answer=lambda codepage, arguments, stdin: collection_answer(config, codepage, arguments, stdin),
                matcher=ScriptMatcher(reference_script),
                command_fault=fault,
                slow_command=config.slow_command,
                runs_process=runs_powershell(config),
            ),
            self.stop_event,
        )
        self.replay = Replay(load_replay(config.replay)) if config.replay is not None else None
        self._server: _Server | None = None
        self._reserved: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.port = config.port

    # -- lifecycle -------------------------------------------------------

    def start(self) -> LabHost:
        if self.config.refuse:
            # Bound but not listening: the port stays ours and connects are refused.
            self._reserved = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._reserved.bind((self.address, self.config.port))
            self.port = self._reserved.getsockname()[1]
            return self
        if self.config.transport == "kerberos":
            if self.config.keytab is None:
                raise FleetError(f"{self.config.name}: a kerberos host needs its realm's keytab (lab serve --kerberos)")
            missing = kerberos_available()
            if missing:
                raise FleetError(f"{self.config.name}: kerberos is not available: {missing}")
        if self.config.transport == "ntlm":
            NtlmUsers.register(self.config.username, self.config.password)
        context = None
        if self.tls is not None:
            context = self.tls.server_context(require_client_cert=self.config.transport == "certificate-https")
        self._server = _Server((self.address, self.config.port), self, context)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.25},
            name=f"lab-{self.config.name}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.shells.wake_all()
        if self._reserved is not None:
            self._reserved.close()
            self._reserved = None
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.drop_connections()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LabHost:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- facts -----------------------------------------------------------

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def scheme(self) -> str:
        return self.config.scheme

    @property
    def endpoint(self) -> str:
        return f"{self.scheme}://{self.address}:{self.port}{WSMAN_PATH}"

    @property
    def request_count(self) -> int:
        return self.stats.requests

    def stats_snapshot(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "port": self.port,
            **self.stats.snapshot(),
            "open_shells": self.shells.open_shells,
            **(
                {"replay_left": self.replay.left, "replay_mismatches": self.replay.mismatches}
                if self.replay is not None
                else {}
            ),
        }

    # -- WS-Management -----------------------------------------------------

    def dispatch(self, body: bytes, user: str, client_ip: str) -> tuple[int, bytes]:
        """Answer one SOAP request: (HTTP status, envelope)."""
        request: Request | None = None
        try:
            request = envelopes.parse_request(body)
            self.stats.by_action_add(request.verb)
            if request.verb == "Command" and request.options.get("WINRS_CONSOLEMODE_STDIN", "").upper() == "FALSE":
                # A client that feeds stdin should say it is a pipe, not a console.
                self.stats.add("pipe_stdin_commands")
            if self.replay is not None:
                replayed = self.replay.answer(request)
                if isinstance(replayed, Fault):
                    raise FaultError(replayed)
                if replayed[0] != 200:
                    self.stats.add("faults")
                return replayed
            return 200, self._dispatch(request, user, client_ip)
        except FaultError as exc:
            fault = exc.fault
        except envelopes.EnvelopeError as exc:
            fault = envelopes.invalid_xml_fault(str(exc))
        except Exception:
            traceback.print_exc()
            fault = Fault(2150858883, "The lab host failed to process the request (internal error). ")
        self.stats.add("faults")
        return fault.http_status, envelopes.fault_response(
            fault, request.message_id if request else None, self.config.name
        )

    def _dispatch(self, request: Request, user: str, client_ip: str) -> bytes:
        verb = request.verb
        resource = request.resource_uri.rstrip("/").lower()
        if verb == "Get" and resource in (envelopes.CONFIG_URI, "winrm/config"):
            return envelopes.config_response(
                request,
                basic=self.config.transport.startswith("basic"),
                certificate=self.config.transport == "certificate-https",
                max_shells=self.shells.max_shells,
            )
        if verb in ("Create", "Get") and resource != envelopes.CMD_RESOURCE.lower():
            # Only the cmd shell is served here: a PowerShell Remoting (PSRP) shell or any other
            # resource is refused before a shell exists, as by a host without that plugin.
            raise FaultError(envelopes.invalid_resource_uri_fault(request.resource_uri))
        if verb == "Create":
            shell = self.shells.create(request, user)
            return envelopes.create_response(request, self.endpoint, shell.shell_id, user, client_ip)
        if verb == "Command":
            return envelopes.command_response(request, self.shells.command(request))
        if verb == "Send":
            self.shells.send(request)
            return envelopes.send_response(request)
        if verb == "Receive":
            return self.shells.receive(request)
        if verb == "Signal":
            self.shells.signal(request)
            return envelopes.signal_response(request)
        if verb == "Delete":
            self.shells.delete(request)
            return envelopes.delete_response(request)
        raise FaultError(envelopes.action_not_supported_fault(request.action))
