"""Run the collection script on one host over WinRM. The only module that imports pywinrm.

pywinrm's Protocol API is used directly rather than ``Session.run_ps``: one shell,
one command, as few requests as the script allows (Create, Command, Receive,
Delete), an overall deadline (pywinrm's own Receive loop retries operation
timeouts forever), and the shell deleted on every path. Every failure comes back
as a value with a one-line reason; nothing here raises for a host's sake.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from dataclasses import replace
from typing import Any

import requests
import requests.adapters
import urllib3
import urllib3.connection
from urllib3.exceptions import LocationParseError
from winrm import transport as winrm_transport
from winrm.exceptions import (
    InvalidCredentialsError,
    WinRMError,
    WinRMOperationTimeoutError,
    WinRMTransportError,
    WSManFaultError,
)
from winrm.protocol import Protocol
from winrm.vendor.requests_kerberos.exceptions import KerberosExchangeError

from hvbpa.collect import exchange_log
from hvbpa.collect.connect_errors import classify as classify_connect_error
from hvbpa.collect.delivery import Delivery
from hvbpa.collect.faults import ACCESS_DENIED_CODES, clixml_errors, one_line, parse_fault
from hvbpa.collect.kerberos import TICKETS, KerberosFailure, codes_in, failure_reason, principal_for
from hvbpa.collect.raw import RawResult
from hvbpa.collect.settings import ConnectionSettings
from hvbpa.i18n import Reason, reason_text
from hvbpa.snapshot import HostStatus

# 65001 is UTF-8: the answer is ASCII anyway, but stderr may carry localized text.
CODEPAGE = 65001


class _Failed(Exception):
    def __init__(self, status: HostStatus, why: Reason) -> None:
        super().__init__(why.code)
        self.status = status
        self.why = why


_NOT_WINRM = frozenset({404, 405, 501})


def transport_supported(transport: str) -> bool:
    """Whether pywinrm can speak this transport here: Kerberos and CredSSP need libraries that
    its extras install, and pywinrm says whether it found them."""
    found = {"kerberos": winrm_transport.HAVE_KERBEROS, "credssp": winrm_transport.HAVE_CREDSSP}
    return bool(found.get(transport, True))


def endpoint(address: str, settings: ConnectionSettings) -> str:
    host = f"[{address}]" if ":" in address and not address.startswith("[") else address
    return f"{settings.effective_scheme()}://{host}:{settings.effective_port()}/wsman"


# What a response may hold, asked in every request: Windows Server 2012 and later allow 500 KB
# (MaxEnvelopeSizekb 500), and a host with a smaller setting answers within its own instead
# (MS-WSMV 3.1.4.1.7), so asking for more costs nothing. pywinrm always asks for 150 KB, which
# splits a 1,024-VM host's answer over two Receives.
MAX_ENVELOPE_SIZE = 500 * 1024


class _Watch:
    """The host's deadline over every socket its requests open.

    A read timeout bounds one read, not a request: a host that drips a byte every few
    seconds beats any of them. At the deadline the watch shuts its sockets down, which ends
    the request in flight at once, over HTTP and HTTPS alike. Sockets are registered by the
    connections of :class:`_WatchedAdapter`, for the watch of the thread that opens them.
    """

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self.fire)
        self._timer.daemon = True
        self._timer.name = "hvbpa-host-deadline"
        self._timer.start()

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets = [s for s in self._sockets if s.fileno() != -1]
            self._sockets.append(sock)
            fired = self.fired
        if fired:
            _shut(sock)

    def fire(self) -> None:
        with self._lock:
            self.fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def stop(self) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


_CURRENT = threading.local()  # .watch: the _Watch of the host this thread is collecting


class _WatchedHTTPConnection(urllib3.connection.HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        watch: _Watch | None = getattr(_CURRENT, "watch", None)
        if watch is not None:
            watch.add(sock)
        return sock


class _WatchedHTTPSConnection(urllib3.connection.HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        watch: _Watch | None = getattr(_CURRENT, "watch", None)
        if watch is not None:
            watch.add(sock)
        return sock


class _WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(requests.adapters.HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _Transport(winrm_transport.Transport):
    """pywinrm's transport with its sessions' connections watched (see :class:`_Watch`), and
    its exchanges logged for ``-v`` (see :mod:`hvbpa.collect.exchange_log`)."""

    verbose = 0
    label = ""
    secrets: tuple[str, ...] = ()
    _action = ""

    def send_message(self, message: str | bytes) -> bytes:
        if not self.verbose:
            return super().send_message(message)
        self._action = exchange_log.action_of(message)
        if self.verbose > 1:
            text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
            exchange_log.write_block(self.label, f"{self._action} request envelope:", text, self.secrets)
        try:
            answer: bytes = super().send_message(message)
        except WinRMTransportError as exc:
            if self.verbose > 1 and exc.response_text:
                exchange_log.write_block(self.label, f"{self._action} answer:", exc.response_text, self.secrets)
            raise
        finally:
            self._action = ""
        if self.verbose > 1:
            exchange_log.write_block(
                self.label,
                f"{exchange_log.action_of(message)} answer:",
                answer.decode("utf-8", "replace"),
                self.secrets,
            )
        return answer

    def _send_message_request(self, session: requests.Session, prepared_request: Any) -> requests.Response:
        # Every request goes through here, the NTLM encryption set-up's first of all, so the
        # adapter is in place before the session opens its first connection.
        if not isinstance(session.get_adapter(prepared_request.url), _WatchedAdapter):
            adapter = _WatchedAdapter()
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        if not self.verbose:
            response: requests.Response = super()._send_message_request(session, prepared_request)
            return response
        # NTLM, Kerberos and CredSSP open their encryption context with an empty POST first.
        action = self._action if prepared_request.body and self._action else "(encryption set-up)"
        sent = len(prepared_request.body or b"")
        started = time.monotonic()

        def took() -> str:
            return f"{(time.monotonic() - started) * 1000:.0f} ms"

        try:
            response = super()._send_message_request(session, prepared_request)
        except WinRMTransportError as exc:
            fault = exchange_log.fault_summary(exc.response_text or "")
            exchange_log.write(
                self.label, f"{action} -> HTTP {exc.code} ({took()}, {sent:,} bytes sent){fault}", self.secrets
            )
            raise
        except Exception as exc:
            exchange_log.write(
                self.label, f"{action} -> {exc.__class__.__name__} ({took()}, {sent:,} bytes sent)", self.secrets
            )
            raise
        exchange_log.write(
            self.label,
            f"{action} -> HTTP {response.status_code} ({took()}, {sent:,} bytes sent, "
            f"{len(response.content):,} received)",
            self.secrets,
        )
        if self.verbose > 1:
            exchange_log.write_block(
                self.label,
                f"{action} headers:",
                "".join(
                    f"handshake: HTTP {hop.status_code}; "
                    + exchange_log.redact_headers(hop.request.headers, self.secrets)
                    + "; answer: "
                    + exchange_log.redact_headers(hop.headers, self.secrets)
                    + "\n"
                    for hop in response.history
                )
                + "request: "
                + exchange_log.redact_headers((response.request or prepared_request).headers, self.secrets)
                + "\nanswer: "
                + exchange_log.redact_headers(response.headers, self.secrets),
                self.secrets,
            )
        return response


class _Protocol(Protocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.transport.__class__ = _Transport

    def build_wsman_header(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        header: dict[str, Any] = super().build_wsman_header(*args, **kwargs)
        header["env:Header"]["w:MaxEnvelopeSize"]["#text"] = str(MAX_ENVELOPE_SIZE)
        return header


def _protocol(address: str, settings: ConnectionSettings) -> Protocol:
    kerberos = settings.transport == "kerberos"
    # Kerberos takes its ticket from the cache (hvbpa.collect.kerberos fills it from a password).
    password = settings.password.reveal() if settings.password and not kerberos else None
    protocol = _new_protocol(address, settings, password)
    if settings.verbose:
        transport = protocol.transport
        assert isinstance(transport, _Transport)
        transport.verbose = settings.verbose
        transport.label = endpoint(address, settings)
        secret = settings.password.reveal() if settings.password else None
        transport.secrets = tuple(s for s in (secret,) if s)
    return protocol


def _new_protocol(address: str, settings: ConnectionSettings, password: str | None) -> Protocol:
    kerberos = settings.transport == "kerberos"
    return _Protocol(
        endpoint(address, settings),
        transport=settings.transport,
        username=principal_for(settings.username) if kerberos else settings.username,
        password=password,
        service=settings.kerberos_service,
        kerberos_hostname_override=settings.kerberos_hostname,
        server_cert_validation=settings.server_cert_validation,
        ca_trust_path=settings.ca_trust_path,
        cert_pem=settings.cert_pem,
        cert_key_pem=settings.cert_key_pem,
        read_timeout_sec=settings.operation_timeout + 10,
        operation_timeout_sec=settings.operation_timeout,
        # Encrypt NTLM/Kerberos/CredSSP over HTTP; refuse nothing that HTTPS already protects.
        message_encryption="never" if settings.transport == "basic" else "auto",
        # No proxy from the environment: WinRM to a Hyper-V host goes direct.
        proxy=None,
    )


class _Budget:
    """The host's deadline, applied to every request's socket timeouts, and by a watch to
    the whole of every request (see :class:`_Watch`)."""

    def __init__(self, settings: ConnectionSettings, cancel: threading.Event | None) -> None:
        self.settings = settings
        self.cancel = cancel
        self.started = time.monotonic()
        self.ends = self.started + settings.deadline
        self.watch = _Watch(settings.deadline)

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    def expired_reason(self) -> Reason:
        return Reason.of("host-deadline", seconds=f"{self.settings.deadline:g}")

    def arm(self, protocol: Protocol) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise _Failed(HostStatus.INTERRUPTED, Reason.of("host-interrupted"))
        left = self.remaining()
        if left <= 0.5 or self.watch.fired:
            raise _Failed(HostStatus.TIMED_OUT, self.expired_reason())
        operation = max(1, min(self.settings.operation_timeout, int(left) - 2))
        protocol.operation_timeout_sec = operation
        # requests takes (connect, read); the read budget must outlast the operation timeout.
        protocol.transport.read_timeout_sec = (  # type: ignore[assignment]
            min(self.settings.connect_timeout, left),
            min(operation + 10.0, left),
        )


class _Where:
    """What a failure sentence may name: the address, port and user of the attempt."""

    def __init__(self, address: str, settings: ConnectionSettings) -> None:
        self.address = address
        self.port = settings.effective_port()
        self.user = settings.username or "(no user)"
        self.operation_timeout = settings.operation_timeout
        self.kerberos = settings.transport == "kerberos"
        self.principal = principal_for(settings.username)
        self.spn = f"{settings.kerberos_service}/{settings.kerberos_hostname or address.strip('[]')}"

    def kerberos_reason(self, exc: BaseException) -> Reason | None:
        text = _chain_text(exc)
        return failure_reason(codes_in(text), text, principal=self.principal, address=self.address, spn=self.spn)


def _connect_failure(exc: BaseException, where: _Where) -> tuple[HostStatus, Reason, bool] | None:
    """(status, reason, worth retrying) for errors that happen before a command can have started."""
    if isinstance(exc, requests.exceptions.SSLError):
        return HostStatus.TLS_ERROR, _tls_reason(exc, where), False
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return HostStatus.UNREACHABLE, Reason.of("host-connect-timeout", port=where.port), True
    if isinstance(exc, requests.exceptions.InvalidURL):
        return HostStatus.UNREACHABLE, Reason.of("host-bad-address", address=where.address), False
    if isinstance(exc, requests.exceptions.ConnectionError):
        # By the system's error number (connect_errors), never its words: they are in its display language.
        found = classify_connect_error(exc)
        if found.kind == "unresolved":
            return HostStatus.UNREACHABLE, Reason.of("host-unresolved", address=where.address), True
        if found.kind == "refused":
            return HostStatus.UNREACHABLE, Reason.of("host-refused", port=where.port), True
        if found.kind == "reset":
            return HostStatus.UNREACHABLE, Reason.of("host-reset", port=where.port), True
        if found.kind == "timed_out":
            return HostStatus.UNREACHABLE, Reason.of("host-connect-timeout", port=where.port), True
        return HostStatus.UNREACHABLE, Reason.of("host-connect-failed", port=where.port, detail=found.detail()), True
    return None


def _chain_text(exc: BaseException) -> str:
    """The text of an exception and of those it wraps (urllib3 nests the cause several deep)."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts.append(f"{current.__class__.__name__}: {current}")
        current = current.__cause__ or current.__context__
    return " | ".join(parts)


def _tls_reason(exc: BaseException, where: _Where) -> Reason:
    text = _chain_text(exc)
    name = re.search(r"certificate is not valid for '([^']+)'", text)
    if name:
        return Reason.of("host-tls-name", name=name.group(1))
    if "certificate has expired" in text:
        return Reason.of("host-tls-expired")
    match = re.search(r"certificate verify failed: ([^()\]'\"]+)", text)
    if match:
        return Reason.of("host-tls-untrusted", detail=match.group(1).strip().rstrip("."))
    if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text:
        return Reason.of("host-tls-plain", port=where.port)
    if "EOF occurred in violation of protocol" in text or "certificate required" in text or "unknown ca" in text:
        return Reason.of("host-tls-handshake")
    reason = re.search(r"\[SSL: ([A-Z_]+)\]", text)
    return Reason.of("host-tls-failed", detail=reason.group(1).lower().replace("_", " ") if reason else "no detail")


def _short(text: str, limit: int = 160) -> str:
    line = one_line(text)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _fault_reason(exc: WSManFaultError, where: _Where) -> tuple[HostStatus, Reason]:
    """A fault in the host's words: the code and message of its detail (f:WSManFault or
    MSFT_WmiError) rather than pywinrm's reading, which knows only the first and prefers the
    generic s:Reason."""
    fault = parse_fault(exc.response)
    code: int | None = None
    message = ""
    if fault is not None:
        code, message = fault.code, fault.message
    if code is None:
        code = exc.wsman_fault_code if exc.wsman_fault_code is not None else exc.wmierror_code
    if not message:
        message = one_line(exc.reason or "")
    if code in ACCESS_DENIED_CODES:
        return HostStatus.AUTH_FAILED, Reason.of("host-access-denied", user=where.user, fault=code)
    return HostStatus.WINRM_FAULT, Reason.of(
        "host-winrm-fault",
        fault=code if code is not None else f"(HTTP {exc.code})",
        message=_short(message, 300).rstrip(". ") or "no message",
    )


# What a step was doing when its answer did not come within the operation timeout.
_TIMEOUT_REASONS = {"create": "host-create-timeout", "command": "host-command-timeout", "send": "host-send-timeout"}


def _failure(
    exc: BaseException, where: _Where, step: str = "", protocol: Protocol | None = None
) -> tuple[HostStatus, Reason]:
    """Map an exception raised after the connection was made; ``step`` is the request it
    answered (create, command, send, receive), ``protocol`` the client that sent it."""
    if isinstance(exc, _Failed):
        return exc.status, exc.why
    if isinstance(exc, KerberosExchangeError):
        # The ticket could not be had or used before anything reached the host.
        why = where.kerberos_reason(exc)
        if why is not None:
            return HostStatus.AUTH_FAILED, why
    if isinstance(exc, InvalidCredentialsError):
        if where.kerberos:
            return HostStatus.AUTH_FAILED, Reason.of("host-kerberos-refused", spn=where.spn)
        return HostStatus.AUTH_FAILED, Reason.of("host-credentials", user=where.user)
    if isinstance(exc, WinRMOperationTimeoutError):
        code = _TIMEOUT_REASONS.get(step, "host-create-timeout")
        seconds = protocol.operation_timeout_sec if protocol is not None else where.operation_timeout
        return HostStatus.TIMED_OUT, Reason.of(code, seconds=f"{seconds:g}")
    if isinstance(exc, WSManFaultError):
        return _fault_reason(exc, where)
    if isinstance(exc, WinRMTransportError):
        if exc.code in _NOT_WINRM:
            # A WinRM listener answers a SOAP POST with a fault (500) or 401; these come from
            # some other web server on that port: no WinRM was reached, so no WinRM fault either.
            return HostStatus.UNREACHABLE, Reason.of("host-not-winrm", http=exc.code)
        return HostStatus.WINRM_FAULT, Reason.of("host-http-error", http=exc.code)
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return HostStatus.TIMED_OUT, Reason.of("host-read-timeout")
    connect = _connect_failure(exc, where)
    if connect:
        return connect[0], connect[1]
    if isinstance(exc, UnicodeError):
        # requests encodes Basic credentials as Latin-1.
        return HostStatus.AUTH_FAILED, Reason.of("host-latin1")
    if isinstance(exc, LocationParseError):
        return HostStatus.UNREACHABLE, Reason.of("host-bad-address", address=where.address)
    if isinstance(exc, WinRMError | requests.exceptions.RequestException):
        detail = _short(str(exc)) or exc.__class__.__name__
    else:
        detail = f"{exc.__class__.__name__}: {_short(str(exc))}"
    return HostStatus.WINRM_FAULT, Reason.of("host-request-failed", detail=detail)


def clean_stderr(stderr: bytes) -> str:
    """PowerShell writes errors as CLIXML over WinRM; keep the human text, on one line."""
    text = stderr.decode("utf-8", errors="replace")
    errors = clixml_errors(text)
    if errors is None and "#< CLIXML" in text:
        errors = re.sub(r"<[^>]+>", " ", text.replace("#< CLIXML", ""))
    return _short(errors if errors is not None else text, 300)


# Shells open in this process, so Ctrl-C and SIGTERM can delete them at once rather than
# wait for each Receive in flight to time out: {shell id: (address, settings)}. A shell in
# _WAITING has had a Receive time out: its command runs long, and waiting gains nothing.
_OPEN_SHELLS: dict[str, tuple[str, ConnectionSettings]] = {}
_WAITING: set[str] = set()
_OPEN_LOCK = threading.Lock()


def delete_open_shells(timeout: float, *, only_waiting: bool = False) -> int:
    """Delete the shells this process has open, in parallel, within ``timeout`` seconds.

    ``only_waiting``: just those whose command is known to run long (a Receive timed out);
    the others may be about to finish. Each delete goes over a new connection (the scan's
    own is busy with its Receive). Returns how many shells were to be deleted.
    """
    with _OPEN_LOCK:
        shells = [(k, v) for k, v in _OPEN_SHELLS.items() if not only_waiting or k in _WAITING]
    if not shells:
        return 0
    quick = timeout if timeout > 0 else 1.0

    def delete(shell_id: str, address: str, settings: ConnectionSettings) -> None:
        brief = replace(settings, connect_timeout=min(settings.connect_timeout, quick), retries=0)
        try:
            protocol = _protocol(address, brief)
            protocol.transport.read_timeout_sec = (min(brief.connect_timeout, quick), quick)  # type: ignore[assignment]
            protocol.close_shell(shell_id, close_session=True)
        except Exception:  # noqa: S110 - best effort; the scan's own thread tries again
            pass
        else:
            with _OPEN_LOCK:
                _OPEN_SHELLS.pop(shell_id, None)

    threads = [
        threading.Thread(target=delete, args=(shell_id, address, settings), daemon=True, name="hvbpa-delete-shell")
        for shell_id, (address, settings) in shells
    ]
    ends = time.monotonic() + quick
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, ends - time.monotonic()))
    return len(shells)


def run_delivery(
    address: str,
    settings: ConnectionSettings,
    delivery: Delivery,
    *,
    cancel: threading.Event | None = None,
) -> RawResult:
    budget = _Budget(settings, cancel)
    _CURRENT.watch = budget.watch
    try:
        return _run_delivery(address, settings, delivery, budget, cancel)
    finally:
        _CURRENT.watch = None
        budget.watch.stop()


# How long deleting a shell may take in all, whatever the host does.
DELETE_BUDGET = 12.0


def _run_delivery(
    address: str,
    settings: ConnectionSettings,
    delivery: Delivery,
    budget: _Budget,
    cancel: threading.Event | None,
) -> RawResult:
    where = _Where(address, settings)
    count = 0
    attempt = 0
    protocol: Protocol | None = None
    shell_id: str | None = None

    def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal count
        assert protocol is not None
        budget.arm(protocol)
        count += 1
        return fn(*args, **kwargs)

    def done(status: HostStatus, why: Reason | None = None, **extra: Any) -> RawResult:
        reason = reason_text(why) if why else ""
        return RawResult(status, reason, requests=count, duration=time.monotonic() - budget.started, why=why, **extra)

    if settings.transport == "kerberos" and settings.password and settings.kerberos_managed and where.principal:
        try:
            TICKETS.obtain(where.principal, settings.password, address=address, spn=where.spn)
        except KerberosFailure as refused:
            return done(HostStatus.AUTH_FAILED, refused.why)

    while True:
        protocol = _protocol(address, settings)
        try:
            shell_id = call(_open_shell, protocol)
            break
        except Exception as exc:
            connect = _connect_failure(exc, where)
            # An operation timeout at Create: the host answered, and no command can have run.
            worth_retrying = bool(connect and connect[2]) or isinstance(exc, WinRMOperationTimeoutError)
            retry_in = settings.retry_backoff * (2**attempt)
            if worth_retrying and attempt < settings.retries and budget.remaining() > retry_in + 1:
                attempt += 1
                protocol.transport.close_session()
                if cancel is None:
                    time.sleep(retry_in)
                elif cancel.wait(retry_in):
                    return done(HostStatus.INTERRUPTED, Reason.of("host-interrupted"))
                continue
            status, failure = _failure(exc, where, "create", protocol)
            if budget.watch.fired:
                status, failure = HostStatus.TIMED_OUT, budget.expired_reason()
            elif worth_retrying and attempt:
                failure = Reason.of(failure.code, **dict(failure.params), attempts=attempt + 1)
            protocol.transport.close_session()
            return done(status, failure)

    stdout, stderr = bytearray(), bytearray()
    step = "command"
    why: Reason | None = None
    exit_code: int | None = None
    assert shell_id is not None
    with _OPEN_LOCK:
        _OPEN_SHELLS[shell_id] = (address, settings)
    try:
        # Fed on stdin: console_mode_stdin=False, as Ansible's winrm connection does, so the
        # host reads a pipe, not a console that echoes and waits for a line end.
        step = "command"
        command_id = call(
            protocol.run_command,
            shell_id,
            delivery.command,
            delivery.arguments,
            console_mode_stdin=delivery.stdin is None,
            skip_cmd_shell=delivery.skip_cmd_shell,
        )
        if delivery.stdin is not None:
            step = "send"
            call(protocol.send_command_input, shell_id, command_id, delivery.stdin, end=True)
        step = "receive"
        while True:
            try:
                out, err, exit_code, finished = call(protocol.get_command_output_raw, shell_id, command_id)
            except WinRMOperationTimeoutError:
                with _OPEN_LOCK:
                    _WAITING.add(shell_id)
                continue  # the command is still running; the budget decides when to stop
            stdout += out
            stderr += err
            if len(stdout) + len(stderr) > settings.max_output_bytes:
                raise _Failed(
                    HostStatus.BAD_OUTPUT, Reason.of("host-too-big", mb=settings.max_output_bytes // (1024 * 1024))
                )
            if finished:
                break
        if exit_code != 0:
            status = HostStatus.SCRIPT_FAILED
            detail = clean_stderr(bytes(stderr)) or "no error text"
            why = Reason.of("host-script-failed", exit=exit_code, detail=detail)
        else:
            status = HostStatus.OK
    except Exception as exc:
        status, why = _failure(exc, where, step, protocol)
        if budget.watch.fired or (status is HostStatus.TIMED_OUT and budget.remaining() <= 1.0):
            # The deadline ended the request (its watch, or a socket timeout it cut short): say so.
            status, why = HostStatus.TIMED_OUT, budget.expired_reason()
        if cancel is not None and cancel.is_set():
            # Ctrl-C deleted the shell under this request: the fault that follows is the interruption.
            status, why = HostStatus.INTERRUPTED, Reason.of("host-interrupted")
    finally:
        with _OPEN_LOCK:
            still_open = _OPEN_SHELLS.pop(shell_id, None) is not None
            _WAITING.discard(shell_id)
        # No Signal first: deleting the shell ends its command too, one request fewer.
        if still_open:
            # Past the host's deadline too, the shell goes; its own watch bounds how long that takes.
            budget.watch.stop()
            cleanup = _Watch(DELETE_BUDGET)
            _CURRENT.watch = cleanup
            try:
                count += _delete_shell(protocol, shell_id, settings, address)
            finally:
                cleanup.stop()
        else:
            protocol.transport.close_session()
    return done(status, why, stdout=bytes(stdout), stderr=bytes(stderr), exit_code=exit_code)


def _open_shell(protocol: Protocol) -> str:
    shell_id: str = protocol.open_shell(codepage=CODEPAGE, noprofile=True)
    # No proxy or .netrc lookups from the environment on every request: pywinrm is
    # told proxy=None, and requests would otherwise re-read the environment each time.
    if protocol.transport.session is not None:
        protocol.transport.session.trust_env = False
    return shell_id


def _delete_shell(protocol: Protocol, shell_id: str | None, settings: ConnectionSettings, address: str) -> int:
    """Always delete the shell (Windows allows a user only 30), even after a failure or Ctrl-C.

    After a timed-out request the connection is gone, and with it an NTLM or Kerberos
    security context (they are bound to the connection), so a second try logs on
    again. Returns the number of requests sent.
    """
    if shell_id is None:
        return 0
    sent = 0
    for attempt in range(2):
        if attempt:
            protocol.transport.close_session()
            protocol = _protocol(address, settings)
        protocol.transport.read_timeout_sec = (min(settings.connect_timeout, 5.0), 5.0)  # type: ignore[assignment]
        sent += 1
        try:
            protocol.close_shell(shell_id, close_session=True)
            return sent
        except Exception:  # noqa: S112 - best effort; the host reclaims idle shells itself
            continue
    protocol.transport.close_session()
    return sent
