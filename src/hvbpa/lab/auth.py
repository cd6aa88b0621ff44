"""HTTP authentication of lab hosts: Basic, client certificates, and NTLM with WinRM message encryption.

NTLM uses pyspnego as the acceptor. pyspnego reads the accepted accounts from
the file named by the NTLM_USER_FILE environment variable, which is process
wide: the lab writes every NTLM host's account of this process into one file it
owns and points NTLM_USER_FILE at it. Each host then checks that the account
that authenticated is its own.
"""

from __future__ import annotations

import atexit
import base64
import binascii
import os
import re
import shutil
import struct
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import spnego
import spnego.exceptions

from hvbpa.lab.tls import certificate_principals

BOUNDARY = b"--Encrypted Boundary"
SPNEGO_ENCRYPTED = b"application/HTTP-SPNEGO-session-encrypted"
ENCRYPTED_CONTENT_TYPE = (
    'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"'
)
BASIC_CHALLENGE = 'Basic realm="WSMAN"'
NEGOTIATE_CHALLENGE = "Negotiate"
KERBEROS_CHALLENGE = "Kerberos"
# What pywinrm's certificate transport (and Windows' own client) sends: "authenticate me by my TLS client certificate".
CERTIFICATE_AUTHORIZATION = "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual"

_OCTET_STREAM = b"\tContent-Type: application/octet-stream\r\n"
_LENGTH_RE = re.compile(rb"Length=(\d+)")
_NTLM_NEGOTIATE = b"NTLMSSP\x00\x01\x00\x00\x00"


def _short_user(name: str) -> str:
    return re.split(r"[\\]", name)[-1].split("@")[0].lower()


def basic_user(header: str | None, username: str, password: str) -> str | None:
    """The account a Basic Authorization header proves, or None."""
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, given = decoded.partition(":")
    if not sep or _short_user(user) != _short_user(username) or given != password:
        return None
    return user


def certificate_user(header: str | None, cert_der: bytes | None, username: str) -> str | None:
    """The account a TLS client certificate proves, or None.

    The request must ask for certificate authentication (``Authorization:`` the
    WS-Management https/mutual security profile URI). The lab's certmapping rule:
    a UPN otherName (1.3.6.1.4.1.311.20.2.3) or email subjectAltName ``user@domain``
    maps to the host's ``username`` when ``user`` equals its user part (``DOMAIN\\``
    and ``@domain`` ignored), case-insensitively. Windows matches the UPN against a
    certmapping entry's subject and the issuer against its CA thumbprint; the issuer
    is checked here by the handshake, which accepts only the lab CA's certificates.
    """
    if not header or header.strip().lower() != CERTIFICATE_AUTHORIZATION or not cert_der:
        return None
    wanted = _short_user(username)
    for principal in certificate_principals(cert_der):
        if "@" in principal and _short_user(principal) == wanted:
            return principal
    return None


class NtlmUsers:
    """The process-wide NTLM_USER_FILE the lab owns."""

    _lock = threading.Lock()
    _path: Path | None = None
    _lines: set[str] = set()  # noqa: RUF012 - deliberately shared by the whole process

    @classmethod
    def register(cls, username: str, password: str) -> None:
        domain, _, user = username.rpartition("\\")
        line = f"{domain}:{user}:{password}"
        with cls._lock:
            if cls._path is None:
                folder = Path(tempfile.mkdtemp(prefix="hvbpa-lab-ntlm-"))
                atexit.register(shutil.rmtree, folder, True)
                cls._path = folder / "ntlm-users"
            if line not in cls._lines:
                cls._lines.add(line)
                cls._path.write_text("\n".join(sorted(cls._lines)) + "\n", encoding="utf-8")
                cls._path.chmod(0o600)
            os.environ["NTLM_USER_FILE"] = str(cls._path)


@dataclass
class AuthStep:
    """What to answer an Authorization: Negotiate header with: a challenge to go on (NTLM),
    or, once authenticated, the token that proves the host to the client (Kerberos' AP-REP)."""

    authenticated: bool
    challenge: str | None


def unwrap_multipart(body: bytes, unwrap: Callable[[bytes, bytes], bytes]) -> bytes:
    """The SOAP message of a ``multipart/encrypted`` WinRM body; ``unwrap(header, data)`` decrypts a part."""
    parts = [part for part in body.split(BOUNDARY + b"\r\n") if part]
    message = b""
    for header, payload in zip(parts[0::2], parts[1::2], strict=False):
        match = _LENGTH_RE.search(header)
        if payload.endswith(BOUNDARY + b"--\r\n"):
            payload = payload[: -len(BOUNDARY + b"--\r\n")]
        if payload.startswith(_OCTET_STREAM):
            payload = payload[len(_OCTET_STREAM) :]
        size = struct.unpack("<i", payload[:4])[0]
        chunk = unwrap(payload[4 : 4 + size], payload[4 + size :])
        if match and int(match.group(1)) != len(chunk):
            raise ValueError("encrypted length does not match OriginalContent")
        message += chunk
    return message


def wrap_multipart(message: bytes, header: bytes, data: bytes, protocol: bytes) -> bytes:
    """A ``multipart/encrypted`` body: the signature ``header`` and encrypted ``data`` of ``message``."""
    stream = struct.pack("<i", len(header)) + header + data
    original = b"type=application/soap+xml;charset=UTF-8;Length=" + str(len(message)).encode()
    return b"".join(
        [
            BOUNDARY + b"\r\n",
            b"\tContent-Type: " + protocol + b"\r\n",
            b"\tOriginalContent: " + original + b"\r\n",
            BOUNDARY + b"\r\n",
            _OCTET_STREAM + stream,
            BOUNDARY + b"--\r\n",
        ]
    )


class NtlmConnection:
    """NTLM state of one TCP connection, as on Windows: the context is per connection."""

    def __init__(self) -> None:
        self.context: spnego.ContextProxy | None = None
        self.user: str | None = None

    @property
    def authenticated(self) -> bool:
        return self.user is not None

    def step(self, header: str, username: str, reject: bool) -> AuthStep:
        scheme, _, token_text = header.partition(" ")
        if scheme.lower() not in ("negotiate", "ntlm"):
            return AuthStep(False, None)
        try:
            token = base64.b64decode(token_text.strip(), validate=True)
        except binascii.Error:
            return AuthStep(False, None)
        if token.startswith(_NTLM_NEGOTIATE) or self.context is None:
            # pyspnego's own NTLM, the one that reads NTLM_USER_FILE: on Windows spnego would
            # otherwise accept through SSPI, against the machine's accounts, not the lab's.
            self.context = spnego.server(protocol="ntlm", options=spnego.NegotiateOptions.use_ntlm)
            self.user = None
        try:
            answer = self.context.step(token)
        except spnego.exceptions.SpnegoError:
            self.context = None
            return AuthStep(False, None)
        if not self.context.complete:
            return AuthStep(False, f"{scheme} " + base64.b64encode(answer or b"").decode("ascii"))
        principal = self.context.client_principal or ""
        if reject or _short_user(principal) != _short_user(username):
            self.context = None
            return AuthStep(False, None)
        self.user = principal
        return AuthStep(True, None)

    def unwrap(self, body: bytes) -> bytes:
        context = self.context
        assert context is not None
        return unwrap_multipart(body, lambda header, data: context.unwrap_winrm(header, data))

    def wrap(self, message: bytes) -> bytes:
        assert self.context is not None
        result = self.context.wrap_winrm(message)
        return wrap_multipart(message, result.header, result.data, SPNEGO_ENCRYPTED)

    @property
    def content_type(self) -> str:
        return ENCRYPTED_CONTENT_TYPE
