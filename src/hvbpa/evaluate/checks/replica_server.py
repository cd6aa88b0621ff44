"""Rules on the host's Replica server settings, judged per host.

HVR002: a Replica server must accept replication from somewhere.
HVR008: it should name the primary servers it accepts, not accept any.
HVR004: the certificate it is configured with must be installed, valid, with its key.
HVX002: that certificate should not expire within the warning period.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from hvbpa.evaluate.checks import CheckContext, HostCheck, register
from hvbpa.evaluate.checks.replication_common import host_verdict, parse_time, replica_server, section_missing
from hvbpa.evaluate.results import HostVerdict, Status
from hvbpa.snapshot import AllowedAuthentication, HostSnapshot, ReplicationServer

_LISTED = 5  # authorized servers named in evidence; the count is always given

_CERTIFICATE_AUTH = frozenset({AllowedAuthentication.CERTIFICATE, AllowedAuthentication.CERTIFICATE_AND_KERBEROS})


def _servers(server: ReplicationServer) -> str:
    names = [e.allowed_primary_server for e in server.authorization_entries or ()]
    shown = ", ".join(names[:_LISTED])
    return shown + (f", +{len(names) - _LISTED}" if len(names) > _LISTED else "")


def _authorized(server: ReplicationServer) -> HostCheck:
    """COMPLIANT for a server that names the primaries it accepts (HVR002 and HVR008 alike)."""
    entries = server.authorization_entries or ()
    return host_verdict(Status.COMPLIANT, "replica-authorized-servers", count=len(entries), servers=_servers(server))


def _accepts_from_somewhere(snapshot: HostSnapshot) -> HostCheck:
    server = replica_server(snapshot)
    if isinstance(server, HostCheck):
        return server
    if server.allowed_from_any_server:
        return host_verdict(Status.COMPLIANT, "replica-accepts-any")
    if server.authorization_entries is None:
        # "Any server" off (or unknown) and the entries unread: nothing decides.
        return HostCheck(verdict=HostVerdict(Status.UNDETERMINED, section_missing(snapshot, "authorization_entries")))
    if server.authorization_entries:
        return _authorized(server)
    if server.allowed_from_any_server is None:
        return host_verdict(Status.UNDETERMINED, "setting-not-reported", setting="ReplicationAllowedFromAnyServer")
    return host_verdict(Status.NONCOMPLIANT, "replica-accepts-none")


@register("replica_server_accepts_replication")
def accepts_replication(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return [_accepts_from_somewhere(s) for s in snapshots]


def _names_primaries(snapshot: HostSnapshot) -> HostCheck:
    server = replica_server(snapshot)
    if isinstance(server, HostCheck):
        return server
    if server.allowed_from_any_server is None:
        return host_verdict(Status.UNDETERMINED, "setting-not-reported", setting="ReplicationAllowedFromAnyServer")
    if server.allowed_from_any_server:
        return host_verdict(Status.NONCOMPLIANT, "replica-accepts-any")
    if server.authorization_entries:
        return _authorized(server)
    # Nobody is authorized: HVR002's finding, not a reason to name primaries.
    return host_verdict(Status.COMPLIANT, "replica-accepts-none-named")


@register("replica_server_names_primaries")
def names_primaries(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return [_names_primaries(s) for s in snapshots]


def _certificate_in_use(snapshot: HostSnapshot) -> ReplicationServer | HostCheck:
    """The server when certificate authentication is allowed and its certificate was looked up."""
    server = replica_server(snapshot)
    if isinstance(server, HostCheck):
        return server
    allowed = server.allowed_authentication
    if allowed is None:
        return host_verdict(Status.UNDETERMINED, "setting-not-reported", setting="AllowedAuthenticationType")
    if allowed not in _CERTIFICATE_AUTH:
        return host_verdict(Status.NOT_APPLICABLE, "certificate-auth-not-allowed")
    if not server.certificate_thumbprint:
        return host_verdict(Status.NONCOMPLIANT, "certificate-not-configured")
    if server.certificate is None:
        return HostCheck(verdict=HostVerdict(Status.UNDETERMINED, section_missing(snapshot, "certificate")))
    return server


def _expiry(text: str | None) -> datetime | None:
    return parse_time(text)


def _reference(ctx: CheckContext, snapshot: HostSnapshot) -> datetime:
    """When the certificate is judged: the host's clock at collection, so a saved snapshot judged
    again later (report merge) gives the same verdict; the run's "now" when it is unknown."""
    return parse_time(snapshot.collected_at) or ctx.now


def _certificate_installed(ctx: CheckContext, snapshot: HostSnapshot) -> HostCheck:
    server = _certificate_in_use(snapshot)
    if isinstance(server, HostCheck):
        return server
    cert = server.certificate
    assert cert is not None
    facts = {"thumbprint": cert.thumbprint, "subject": cert.subject or "?"}
    if not cert.found:
        return host_verdict(Status.NONCOMPLIANT, "certificate-not-installed", thumbprint=cert.thumbprint)
    expires = _expiry(cert.not_after)
    if expires is not None and expires <= _reference(ctx, snapshot):
        return host_verdict(Status.NONCOMPLIANT, "certificate-expired", date=cert.not_after, **facts)
    if cert.has_private_key is False:
        return host_verdict(Status.NONCOMPLIANT, "certificate-no-private-key", **facts)
    if expires is None:
        return host_verdict(Status.UNDETERMINED, "setting-not-reported", setting="NotAfter")
    if cert.has_private_key is None:
        return host_verdict(Status.UNDETERMINED, "setting-not-reported", setting="HasPrivateKey")
    return host_verdict(Status.COMPLIANT, "certificate-ok", date=cert.not_after, **facts)


@register("replica_certificate_installed")
def certificate_installed(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return [_certificate_installed(ctx, s) for s in snapshots]


def _certificate_lifetime(ctx: CheckContext, snapshot: HostSnapshot) -> HostCheck:
    server = _certificate_in_use(snapshot)
    if isinstance(server, HostCheck):
        verdict = server.verdict
        if verdict is not None and verdict.status is Status.NONCOMPLIANT:
            # No certificate configured: HVR004's finding; there is no expiry to judge.
            return host_verdict(Status.NOT_APPLICABLE, "certificate-not-configured")
        return server
    cert = server.certificate
    assert cert is not None
    if not cert.found:
        return host_verdict(Status.NOT_APPLICABLE, "certificate-not-installed", thumbprint=cert.thumbprint)
    expires = _expiry(cert.not_after)
    if expires is None:
        return host_verdict(Status.UNDETERMINED, "setting-not-reported", setting="NotAfter")
    days = (expires - _reference(ctx, snapshot)).total_seconds() / 86400
    facts = {"thumbprint": cert.thumbprint, "subject": cert.subject or "?", "date": cert.not_after}
    if days <= 0:
        # HVR004 reports it as an error; this one says how long ago.
        return host_verdict(Status.NONCOMPLIANT, "certificate-expired-ago", days=int(-days), **facts)
    if days < ctx.options.certificate_warning_days:
        return host_verdict(Status.NONCOMPLIANT, "certificate-expires-soon", days=int(days), **facts)
    return host_verdict(Status.COMPLIANT, "certificate-valid", days=int(days), **facts)


@register("replica_certificate_lifetime")
def certificate_lifetime(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return [_certificate_lifetime(ctx, s) for s in snapshots]
