"""Run the collection script on one host over WinRM. The only module that imports pywinrm.

pywinrm's Protocol API is used directly rather than ``Session.run_ps``: one shell,
one command, as few requests as the script allows (Create, Command, Receive,
Delete), an overall deadline (pywinrm's own Receive loop retries operation
timeouts forever), and the shell deleted on every path. Every failure comes back
as a value with a one-line reason; nothing here raises for a host's sake.
"""

from __future__ import annotations

import re
import threading
import time
import xml.etree.ElementTree as ET
from typing import Any

import requests
from winrm.exceptions import (
    InvalidCredentialsError,
    WinRMError,
    WinRMOperationTimeoutError,
    WinRMTransportError,
    WSManFaultError,
)
from winrm.protocol import Protocol

from hvbpa.collect.delivery import Delivery
from hvbpa.collect.raw import RawResult
from hvbpa.collect.settings import ConnectionSettings
from hvbpa.snapshot import HostStatus

# 65001 is UTF-8: the answer is ASCII anyway, but stderr may carry localized text.
CODEPAGE = 65001


class _Failed(Exception):
    def __init__(self, status: HostStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def endpoint(address: str, settings: ConnectionSettings) -> str:
    host = f"[{address}]" if ":" in address and not address.startswith("[") else address
    return f"{settings.effective_scheme()}://{host}:{settings.effective_port()}/wsman"


def _protocol(address: str, settings: ConnectionSettings) -> Protocol:
    password = settings.password.reveal() if settings.password else None
    return Protocol(
        endpoint(address, settings),
        transport=settings.transport,  # type: ignore[arg-type]
        username=settings.username,
        password=password,
        server_cert_validation=settings.server_cert_validation,  # type: ignore[arg-type]
        ca_trust_path=settings.ca_trust_path,  # type: ignore[arg-type]
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
    """The host's deadline, applied to every request's socket timeouts."""

    def __init__(self, settings: ConnectionSettings, cancel: threading.Event | None) -> None:
        self.settings = settings
        self.cancel = cancel
        self.started = time.monotonic()
        self.ends = self.started + settings.deadline

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    def expired_reason(self) -> str:
        return f"no answer within the {self.settings.deadline:g} s deadline"

    def arm(self, protocol: Protocol) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise _Failed(HostStatus.INTERRUPTED, "interrupted before the scan of this host finished")
        left = self.remaining()
        if left <= 0.5:
            raise _Failed(HostStatus.TIMED_OUT, self.expired_reason())
        operation = max(1, min(self.settings.operation_timeout, int(left) - 2))
        protocol.operation_timeout_sec = operation
        # requests takes (connect, read); the read budget must outlast the operation timeout.
        protocol.transport.read_timeout_sec = (  # type: ignore[assignment]
            min(self.settings.connect_timeout, left),
            min(operation + 10.0, left),
        )


def _connect_failure(exc: BaseException) -> tuple[HostStatus, str, bool] | None:
    """(status, reason, worth retrying) for errors that happen before a command can have started."""
    if isinstance(exc, requests.exceptions.SSLError):
        return HostStatus.TLS_ERROR, f"TLS failed: {_tls_reason(exc)}", False
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return HostStatus.UNREACHABLE, "connection timed out", True
    if isinstance(exc, requests.exceptions.ConnectionError):
        text = str(exc)
        if "Name or service not known" in text or "NameResolutionError" in text or "nodename nor servname" in text:
            return HostStatus.UNREACHABLE, "host name could not be resolved", True
        if "refused" in text.lower():
            return HostStatus.UNREACHABLE, "connection refused", True
        return HostStatus.UNREACHABLE, f"connection failed: {_short(text)}", True
    return None


def _tls_reason(exc: BaseException) -> str:
    text = str(exc)
    match = re.search(r"certificate verify failed: ([^()\]'\"]+)", text)
    if match:
        return f"certificate verify failed: {match.group(1).strip()}"
    if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text:
        return "the server did not speak TLS (is this an http port?)"
    if "EOF occurred in violation of protocol" in text or "certificate required" in text or "unknown ca" in text:
        return "the host ended the TLS handshake (does it trust the client certificate's CA?)"
    return _short(text)


def _short(text: str, limit: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _failure(exc: BaseException) -> tuple[HostStatus, str]:
    """Map an exception raised after the connection was made."""
    if isinstance(exc, _Failed):
        return exc.status, exc.reason
    if isinstance(exc, InvalidCredentialsError):
        return HostStatus.AUTH_FAILED, "the credentials were rejected (HTTP 401)"
    if isinstance(exc, WSManFaultError):
        code = exc.wsman_fault_code
        return HostStatus.WINRM_FAULT, f"WinRM fault {code if code is not None else exc.code}: {_short(exc.reason)}"
    if isinstance(exc, WinRMTransportError):
        return HostStatus.WINRM_FAULT, f"HTTP {exc.code} from the WinRM service"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return HostStatus.TIMED_OUT, "the host stopped answering (read timed out)"
    connect = _connect_failure(exc)
    if connect:
        return connect[0], connect[1]
    if isinstance(exc, WinRMError):
        return HostStatus.WINRM_FAULT, _short(str(exc)) or exc.__class__.__name__
    if isinstance(exc, requests.exceptions.RequestException):
        return HostStatus.UNREACHABLE, _short(str(exc))
    return HostStatus.WINRM_FAULT, f"{exc.__class__.__name__}: {_short(str(exc))}"


def clean_stderr(stderr: bytes) -> str:
    """PowerShell writes errors as CLIXML over WinRM; keep the human text, on one line."""
    text = stderr.decode("utf-8", errors="replace")
    if "#< CLIXML" in text:
        parts: list[str] = []
        for chunk in re.findall(r"<Objs.*?</Objs>", text, flags=re.S):
            try:
                root = ET.fromstring(chunk)  # noqa: S314 - CLIXML from the host we asked
            except ET.ParseError:
                continue
            for node in root.iter():
                if node.tag.endswith("}S") and node.attrib.get("S") == "Error" and node.text:
                    parts.append(re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), node.text))
        text = "".join(parts) or re.sub(r"<[^>]+>", " ", text.replace("#< CLIXML", ""))
    return _short(text, 300)


def run_delivery(
    address: str,
    settings: ConnectionSettings,
    delivery: Delivery,
    *,
    cancel: threading.Event | None = None,
) -> RawResult:
    budget = _Budget(settings, cancel)
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

    def done(status: HostStatus, reason: str = "", **extra: Any) -> RawResult:
        return RawResult(status, reason, requests=count, duration=time.monotonic() - budget.started, **extra)

    while True:
        protocol = _protocol(address, settings)
        try:
            shell_id = call(_open_shell, protocol)
            break
        except Exception as exc:
            connect = _connect_failure(exc)
            retry_in = settings.retry_backoff * (2**attempt)
            if connect and connect[2] and attempt < settings.retries and budget.remaining() > retry_in + 1:
                attempt += 1
                protocol.transport.close_session()
                if cancel is None:
                    time.sleep(retry_in)
                elif cancel.wait(retry_in):
                    return done(HostStatus.INTERRUPTED, "interrupted while waiting to retry")
                continue
            status, reason = _failure(exc)
            if connect and attempt:
                reason = f"{reason} (after {attempt + 1} attempts)"
            protocol.transport.close_session()
            return done(status, reason)

    stdout, stderr = bytearray(), bytearray()
    exit_code: int | None = None
    try:
        # Fed on stdin: console_mode_stdin=False, as Ansible's winrm connection does, so the
        # host reads a pipe, not a console that echoes and waits for a line end.
        command_id = call(
            protocol.run_command,
            shell_id,
            delivery.command,
            delivery.arguments,
            console_mode_stdin=delivery.stdin is None,
            skip_cmd_shell=delivery.skip_cmd_shell,
        )
        if delivery.stdin is not None:
            call(protocol.send_command_input, shell_id, command_id, delivery.stdin, end=True)
        while True:
            try:
                out, err, exit_code, finished = call(protocol.get_command_output_raw, shell_id, command_id)
            except WinRMOperationTimeoutError:
                continue  # the command is still running; the budget decides when to stop
            stdout += out
            stderr += err
            if len(stdout) + len(stderr) > settings.max_output_bytes:
                raise _Failed(
                    HostStatus.BAD_OUTPUT, f"the output exceeds {settings.max_output_bytes // (1024 * 1024)} MB"
                )
            if finished:
                break
        if exit_code != 0:
            status = HostStatus.SCRIPT_FAILED
            detail = clean_stderr(bytes(stderr)) or "no error text"
            reason = f"the collection script exited with code {exit_code}: {detail}"
        else:
            status, reason = HostStatus.OK, ""
    except Exception as exc:
        status, reason = _failure(exc)
        if status is HostStatus.TIMED_OUT and budget.remaining() <= 1.0:
            # The socket timeout was cut short by the deadline: say which limit ended it.
            reason = budget.expired_reason()
    finally:
        # No Signal first: deleting the shell ends its command too, one request fewer.
        count += _delete_shell(protocol, shell_id, settings, address)
    return done(status, reason, stdout=bytes(stdout), stderr=bytes(stderr), exit_code=exit_code)


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
