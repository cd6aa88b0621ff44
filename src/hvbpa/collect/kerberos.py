"""Kerberos on the client: which principal, a ticket of hvbpa's own from a password, and each
failure named from its Kerberos error number (never from the library's English text, which a
translated system words differently).

pywinrm speaks Kerberos through its vendored requests-kerberos and pykerberos, which take
tickets from the ticket cache only. Given a password (``HVBPA_PASSWORD``, an inventory's
``ansible_password``), hvbpa gets the ticket itself through GSSAPI, as Ansible's "managed"
kinit mode does, into an in-memory cache of this process: no password in an argument list,
no ticket on disk. Without a password, the user's own ticket cache (``kinit``, a domain
logon) is used.
"""

from __future__ import annotations

import ipaddress
import os
import re
import threading

from hvbpa.collect.settings import Secret
from hvbpa.i18n import Reason

# MIT Kerberos error numbers (com_err table krb5, signed), as the libraries report them.
C_PRINCIPAL_UNKNOWN = -1765328378
S_PRINCIPAL_UNKNOWN = -1765328377
CLIENT_REVOKED = -1765328366
KEY_EXPIRED = -1765328361
PREAUTH_FAILED = -1765328360
BAD_INTEGRITY = -1765328353
TICKET_EXPIRED = -1765328352
CLOCK_SKEW = -1765328347
REALM_UNKNOWN = -1765328230
KDC_UNREACHABLE = -1765328228
CACHE_NOT_FOUND = -1765328243
NO_CACHE_FILE = -1765328189

_CODE = re.compile(r"(?<![\w.])(-?\d{9,10})\b")
_REALM = re.compile(r"realm ['\"]?([A-Za-z0-9.-]+)")


def signed(code: int) -> int:
    """GSSAPI's minor status is unsigned; Kerberos' tables are signed."""
    return code - 2**32 if code >= 2**31 else code


def codes_in(text: str) -> list[int]:
    """The Kerberos error numbers an error carries (pykerberos puts them in its message tuple)."""
    return [signed(int(found)) for found in _CODE.findall(text)]


def principal_for(username: str | None) -> str | None:
    """The principal for a user name: ``user@domain.example`` gets its realm in capitals, as
    Active Directory's realms are; ``DOMAIN\\user`` names no realm and is refused by the caller."""
    if not username:
        return None
    user, at, realm = username.rpartition("@")
    return f"{user}@{realm.upper()}" if at and user else username


def is_ip_address(address: str) -> bool:
    try:
        ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    return True


class KerberosFailure(Exception):
    def __init__(self, why: Reason) -> None:
        super().__init__(why.code)
        self.why = why


def failure_reason(codes: list[int], text: str, *, principal: str | None, address: str, spn: str) -> Reason | None:
    """What a Kerberos failure means for the user, from its error numbers; None if it carries none."""
    who = principal or "(the ticket cache's user)"
    realm_found = _REALM.search(text)
    realm = realm_found.group(1) if realm_found else "?"
    for code in codes:
        if code == S_PRINCIPAL_UNKNOWN:
            if is_ip_address(address):
                return Reason.of("host-kerberos-ip", address=address)
            return Reason.of("host-kerberos-no-spn", spn=spn)
        if code in (PREAUTH_FAILED, BAD_INTEGRITY):
            return Reason.of("host-kerberos-password", principal=who)
        if code == C_PRINCIPAL_UNKNOWN:
            return Reason.of("host-kerberos-unknown-user", principal=who)
        if code == CLIENT_REVOKED:
            return Reason.of("host-kerberos-revoked", principal=who)
        if code == KEY_EXPIRED:
            return Reason.of("host-kerberos-password-expired", principal=who)
        if code == TICKET_EXPIRED:
            return Reason.of("host-kerberos-expired")
        if code == CLOCK_SKEW:
            return Reason.of("host-kerberos-skew")
        if code == KDC_UNREACHABLE:
            return Reason.of("host-kerberos-kdc", realm=realm)
        if code == REALM_UNKNOWN:
            return Reason.of("host-kerberos-realm", realm=realm)
        if code in (CACHE_NOT_FOUND, NO_CACHE_FILE):
            if principal:
                return Reason.of("host-kerberos-no-ticket-for", principal=principal)
            return Reason.of("host-kerberos-no-ticket")
    if codes:
        return Reason.of("host-kerberos-failed", error=codes[-1])
    return None


class _Tickets:
    """The tickets this process got from passwords: one in-memory cache per principal.

    A wrong password is asked once per run, not once per host: domains lock accounts out
    after a few failures.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.got: dict[str, Reason | None] = {}

    def obtain(self, principal: str, password: Secret, *, address: str, spn: str) -> None:
        with self.lock:
            if principal not in self.got:
                self.got[principal] = self._acquire(principal, password, address=address, spn=spn)
            why = self.got[principal]
        if why is not None:
            raise KerberosFailure(why)

    def _acquire(self, principal: str, password: Secret, *, address: str, spn: str) -> Reason | None:
        import gssapi
        from gssapi.raw import acquire_cred_with_password, store_cred_into
        from gssapi.raw.misc import GSSError

        cache = f"MEMORY:hvbpa-{os.getpid()}-{len(self.got)}"
        try:
            name = gssapi.Name(principal, gssapi.NameType.kerberos_principal)
            got = acquire_cred_with_password(name, password.reveal().encode("utf-8"), usage="initiate")
            store_cred_into({b"ccache": cache.encode()}, got.creds, usage="initiate", overwrite=True)
        except GSSError as exc:
            text = str(exc)
            return failure_reason(
                [signed(exc.min_code)], text, principal=principal, address=address, spn=spn
            ) or Reason.of("host-kerberos-failed", error=signed(exc.min_code))
        if not any(why is None for why in self.got.values()):
            # pykerberos finds a principal in any cache of the collection, the default one first.
            os.environ["KRB5CCNAME"] = cache
        return None


TICKETS = _Tickets()


def kerberos_importable() -> bool:
    """Whether a password can become a ticket here (python-gssapi, from the kerberos extra)."""
    try:
        import gssapi.raw  # noqa: F401
    except ImportError:
        return False
    return True
