"""Kerberos for lab hosts, as a Windows WinRM listener does it: ``Authorization: Negotiate`` (or
``Kerberos``) with a Kerberos or SPNEGO token for ``HTTP/<host name>``, accepted with the host's
keytab; the AP-REP goes back in ``WWW-Authenticate`` on the answer (pywinrm requires mutual
authentication), and over HTTP every message is encrypted with the context
(``multipart/encrypted``). The protocol label follows the scheme the client authenticated with
(MS-WSMV 2.2.9.1): ``application/HTTP-SPNEGO-session-encrypted`` after ``Negotiate``, which is
what pywinrm sends even for Kerberos, and ``application/HTTP-Kerberos-session-encrypted`` after
``Kerberos``. Requests are accepted with either label.

The acceptor is MIT's GSSAPI through python-gssapi (imported when a Kerberos host starts, so
the lab runs without it). What Windows refuses, this refuses, because the same library checks
it: a ticket for another service principal (no key in the keytab), an expired ticket, and an
authenticator from a clock skewed past the realm's limit (``clockskew``, 5 minutes).
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any

from hvbpa.lab.auth import (
    ENCRYPTED_CONTENT_TYPE,
    SPNEGO_ENCRYPTED,
    AuthStep,
    unwrap_multipart,
    wrap_multipart,
)

KERBEROS_ENCRYPTED = b"application/HTTP-Kerberos-session-encrypted"
KERBEROS_CONTENT_TYPE = (
    'multipart/encrypted;protocol="application/HTTP-Kerberos-session-encrypted";boundary="Encrypted Boundary"'
)
SCHEMES = ("negotiate", "kerberos")


def kerberos_available() -> str | None:
    """None when the lab can accept Kerberos here, else why not (one line)."""
    try:
        import gssapi  # noqa: F401
    except ImportError:
        return "python-gssapi is not installed (from the hvbpa checkout: pip install '.[kerberos]')"
    return None


class KerberosConnection:
    """Kerberos state of one TCP connection: Windows binds the context to the connection."""

    def __init__(self, keytab: Path) -> None:
        self.keytab = keytab
        self.context: Any = None
        self.user: str | None = None
        self.scheme = "negotiate"

    @property
    def authenticated(self) -> bool:
        return self.user is not None

    def step(self, header: str, username: str, reject: bool) -> AuthStep:
        import gssapi
        from gssapi.exceptions import GeneralError
        from gssapi.raw.misc import GSSError

        scheme, _, token_text = header.partition(" ")
        if scheme.lower() not in SCHEMES:
            return AuthStep(False, None)
        try:
            token = base64.b64decode(token_text.strip(), validate=True)
        except binascii.Error:
            return AuthStep(False, None)
        self.user = None
        try:
            credentials = gssapi.Credentials(usage="accept", store={b"keytab": str(self.keytab).encode()})
            self.context = gssapi.SecurityContext(creds=credentials, usage="accept")
            # On failure step() returns the KRB-ERROR token and raises when the context is next read.
            answer = self.context.step(token)
            complete = self.context.complete
            principal = str(self.context.initiator_name) if complete else ""
        except (GSSError, GeneralError):
            # Wrong service principal, expired ticket, skewed clock, replay: refused as Windows does.
            self.context = None
            return AuthStep(False, None)
        if not complete or reject or principal.lower() != username.lower():
            self.context = None
            return AuthStep(False, None)
        self.user = principal
        self.scheme = scheme.lower()
        return AuthStep(True, f"{scheme} " + base64.b64encode(answer or b"").decode("ascii") if answer else None)

    def unwrap(self, body: bytes) -> bytes:
        from gssapi.raw import IOV, IOVBufferType, unwrap_iov

        def unwrap_one(header: bytes, data: bytes) -> bytes:
            iov = IOV((IOVBufferType.header, False, header), data, (IOVBufferType.data, False, b""), std_layout=False)
            unwrap_iov(self.context, iov)
            return bytes(iov[1].value or b"")

        return unwrap_multipart(body, unwrap_one)

    def wrap(self, message: bytes) -> bytes:
        from gssapi.raw import IOV, IOVBufferType, wrap_iov

        iov = IOV(IOVBufferType.header, message, IOVBufferType.padding, std_layout=False)
        wrap_iov(self.context, iov, confidential=True)
        header = bytes(iov[0].value or b"")
        data = bytes(iov[1].value or b"") + bytes(iov[2].value or b"")
        label = KERBEROS_ENCRYPTED if self.scheme == "kerberos" else SPNEGO_ENCRYPTED
        return wrap_multipart(message, header, data, label)

    @property
    def content_type(self) -> str:
        return KERBEROS_CONTENT_TYPE if self.scheme == "kerberos" else ENCRYPTED_CONTENT_TYPE
