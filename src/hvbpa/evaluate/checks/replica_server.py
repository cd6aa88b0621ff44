"""Rules on the host's Replica server settings, judged per host.

HVR002 (script rule 226): a Replica server must have at least one authorization entry.
HVR008 (227): it should not have a single entry that authorizes any server ("*").
HVR012 (231): authorization entries should not share a trust group (every group of two or more is listed).
HVR004 (238): the configured certificate must be in LocalMachine\\My with the host's name, the Server
Authentication EKU and a valid chain; on a cluster with a Replica Broker, each node must hold the
broker's certificate (for the broker's client access point) and its own.
HVX002 (hvbpa only): that certificate should not expire within the warning period.
HVX006 (hvbpa only): that certificate should have its private key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from hvbpa.evaluate.checks import CheckContext, HostCheck, register
from hvbpa.evaluate.checks.replica_broker import brokers
from hvbpa.evaluate.checks.replication_common import (
    abbreviated,
    host_verdict,
    parse_time,
    replica_server,
    section_missing,
)
from hvbpa.evaluate.results import HostVerdict, Status
from hvbpa.snapshot import AuthorizationEntry, Certificate, ClusterResource, HostSnapshot, ReplicationServer

_LISTED = 5  # authorized servers named in evidence; the count is always given
SERVER_AUTHENTICATION = "1.3.6.1.5.5.7.3.1"


def _servers(server: ReplicationServer) -> str:
    return abbreviated([e.allowed_primary_server for e in server.authorization_entries or ()], _LISTED)


def _entries(snapshot: HostSnapshot, server: ReplicationServer) -> tuple[AuthorizationEntry, ...] | HostCheck:
    """The enabled Replica server's authorization entries, or the verdict when they were not read."""
    if server.authorization_entries is None:
        return HostCheck(verdict=HostVerdict(Status.UNDETERMINED, section_missing(snapshot, "authorization_entries")))
    return server.authorization_entries


def _accepts_from_somewhere(snapshot: HostSnapshot) -> HostCheck:
    server = replica_server(snapshot)
    if isinstance(server, HostCheck):
        return server
    if server.authorization_entries is None and server.allowed_from_any_server:
        # "Any server" is itself an authorization entry ("*"): there is at least one.
        return host_verdict(Status.COMPLIANT, "replica-accepts-any")
    entries = _entries(snapshot, server)
    if isinstance(entries, HostCheck):
        return entries
    if not entries:
        return host_verdict(Status.NONCOMPLIANT, "replica-accepts-none")
    if any(e.allowed_primary_server.strip() == "*" for e in entries):
        return host_verdict(Status.COMPLIANT, "replica-accepts-any")
    return host_verdict(Status.COMPLIANT, "replica-authorized-servers", count=len(entries), servers=_servers(server))


@register("replica_server_accepts_replication")
def accepts_replication(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return [_accepts_from_somewhere(s) for s in snapshots]


def _names_primaries(snapshot: HostSnapshot) -> HostCheck:
    server = replica_server(snapshot)
    if isinstance(server, HostCheck):
        return server
    if server.authorization_entries is None and server.allowed_from_any_server is False:
        return host_verdict(Status.COMPLIANT, "replica-no-wildcard-entry")  # no "*" entry, whatever the others
    entries = _entries(snapshot, server)
    if isinstance(entries, HostCheck):
        return entries
    if len(entries) == 1 and entries[0].allowed_primary_server.strip() == "*":
        return host_verdict(Status.NONCOMPLIANT, "replica-accepts-any")
    if not entries:
        # Nobody is authorized: HVR002's finding, not a reason to name primaries.
        return host_verdict(Status.COMPLIANT, "replica-accepts-none-named")
    return host_verdict(Status.COMPLIANT, "replica-authorized-servers", count=len(entries), servers=_servers(server))


@register("replica_server_names_primaries")
def names_primaries(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return [_names_primaries(s) for s in snapshots]


def _distinct_trust_groups(snapshot: HostSnapshot) -> HostCheck:
    server = replica_server(snapshot)
    if isinstance(server, HostCheck):
        return server
    entries = _entries(snapshot, server)
    if isinstance(entries, HostCheck):
        return entries
    if not entries:
        return host_verdict(Status.NOT_APPLICABLE, "no-authorization-entries")
    if any(e.trust_group is None for e in entries):
        return host_verdict(Status.UNDETERMINED, "setting-not-reported", setting="TrustGroup")
    groups: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        groups[entry.trust_group or ""].append(entry.allowed_primary_server)
    shared = [f"{group} ({', '.join(servers)})" for group, servers in sorted(groups.items()) if len(servers) > 1]
    if shared:
        return host_verdict(Status.NONCOMPLIANT, "trust-groups-shared", groups="; ".join(shared))
    return host_verdict(Status.COMPLIANT, "trust-groups-distinct", count=len(groups))


@register("trust_groups_distinct")
def trust_groups_distinct(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return [_distinct_trust_groups(s) for s in snapshots]


def name_matches(pattern: str, fqdn: str) -> bool:
    """A certificate DNS name against an FQDN: equal, or a first label ending in "*" that
    prefixes the FQDN's first label with the other labels equal (case-insensitive)."""
    want = fqdn.strip().rstrip(".").casefold().split(".")
    have = pattern.strip().rstrip(".").casefold().split(".")
    if len(want) != len(have) or have[1:] != want[1:]:
        return False
    first = have[0]
    if first.endswith("*"):
        return want[0].startswith(first[:-1])
    return first == want[0]


def _reference(ctx: CheckContext, snapshot: HostSnapshot) -> datetime:
    """When the certificate is judged: the host's clock at collection, so a saved snapshot judged
    again later (report merge) gives the same verdict; the run's "now" when it is unknown."""
    return parse_time(snapshot.collected_at) or ctx.now


def certificate_problem(
    cert: Certificate | None, thumbprint: str, fqdn: str | None, reference: datetime
) -> tuple[Status, str, dict[str, object]]:
    """Whether a store entry is a certificate the BPA accepts for this FQDN: (status, reason code, params)."""
    if cert is None:
        return Status.UNDETERMINED, "section-not-collected", {"section": "certificate"}
    facts: dict[str, object] = {"thumbprint": cert.thumbprint or thumbprint, "subject": cert.subject or "?"}
    if not cert.found:
        return Status.NONCOMPLIANT, "certificate-not-installed", {"thumbprint": thumbprint}
    expires = parse_time(cert.not_after)
    if expires is not None and expires <= reference:
        return Status.NONCOMPLIANT, "certificate-expired", {**facts, "date": cert.not_after}
    if fqdn is None:
        return Status.UNDETERMINED, "setting-not-reported", {"setting": "FQDN"}
    if cert.dns_names is None:
        return Status.UNDETERMINED, "setting-not-reported", {"setting": "DnsNameList"}
    if not any(name_matches(name, fqdn) for name in cert.dns_names):
        return (
            Status.NONCOMPLIANT,
            "certificate-name-mismatch",
            {**facts, "fqdn": fqdn, "names": ", ".join(cert.dns_names) or "-"},
        )
    if cert.enhanced_key_usages is None:
        return Status.UNDETERMINED, "setting-not-reported", {"setting": "EnhancedKeyUsageList"}
    if SERVER_AUTHENTICATION not in cert.enhanced_key_usages:
        return Status.NONCOMPLIANT, "certificate-no-server-auth", facts
    if cert.chain_valid is None:
        return Status.UNDETERMINED, "setting-not-reported", {"setting": "X509Chain"}
    if not cert.chain_valid:
        return Status.NONCOMPLIANT, "certificate-chain-invalid", facts
    return Status.COMPLIANT, "certificate-matches", {**facts, "fqdn": fqdn}


def _cluster_broker(snapshot: HostSnapshot) -> ClusterResource | HostCheck | None:
    """On a cluster node, the enabled broker with a certificate (None: no such broker, nothing to check)."""
    if snapshot.cluster_resources is None:
        return HostCheck(verdict=HostVerdict(Status.UNDETERMINED, section_missing(snapshot, "cluster_resources")))
    for broker in brokers(snapshot.cluster_resources):
        if broker.recovery_server_enabled and broker.certificate_thumbprint:
            return broker
        if broker.recovery_server_enabled is None:
            return host_verdict(Status.UNDETERMINED, "setting-not-reported", setting="RecoveryServerEnabled")
    return None


def _certificate_installed(ctx: CheckContext, snapshot: HostSnapshot) -> HostCheck:
    reference = _reference(ctx, snapshot)
    fqdn = snapshot.host.fqdn
    if snapshot.host.cluster_name:
        broker = _cluster_broker(snapshot)
        if isinstance(broker, HostCheck):
            return broker
        if broker is None:
            return host_verdict(Status.NOT_APPLICABLE, "no-broker-certificate")
        node = snapshot.replication_server
        if node is None:
            return HostCheck(verdict=HostVerdict(Status.UNDETERMINED, section_missing(snapshot, "replication_server")))
        if not node.certificate_thumbprint:
            return host_verdict(Status.NONCOMPLIANT, "node-certificate-not-configured")
        judged = [
            certificate_problem(
                node.broker_certificate, broker.certificate_thumbprint or "", broker.client_access_point, reference
            ),
            certificate_problem(node.certificate, node.certificate_thumbprint, fqdn, reference),
        ]
        status, code, params = max(judged, key=lambda j: j[0].rank)
        return host_verdict(status, code, **params)
    server = replica_server(snapshot)
    if isinstance(server, HostCheck):
        return server
    if not server.certificate_thumbprint:
        return host_verdict(Status.NOT_APPLICABLE, "certificate-not-configured")
    status, code, params = certificate_problem(server.certificate, server.certificate_thumbprint, fqdn, reference)
    if server.certificate is None:
        return HostCheck(verdict=HostVerdict(Status.UNDETERMINED, section_missing(snapshot, "certificate")))
    return host_verdict(status, code, **params)


@register("replica_certificate_installed")
def certificate_installed(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return [_certificate_installed(ctx, s) for s in snapshots]


def _certificate_in_use(snapshot: HostSnapshot) -> ReplicationServer | HostCheck:
    """The enabled Replica server with a configured certificate that was looked up."""
    server = replica_server(snapshot)
    if isinstance(server, HostCheck):
        return server
    if not server.certificate_thumbprint:
        return host_verdict(Status.NOT_APPLICABLE, "certificate-not-configured")
    if server.certificate is None:
        return HostCheck(verdict=HostVerdict(Status.UNDETERMINED, section_missing(snapshot, "certificate")))
    return server


def _private_key(snapshot: HostSnapshot) -> HostCheck:
    server = _certificate_in_use(snapshot)
    if isinstance(server, HostCheck):
        return server
    cert = server.certificate
    assert cert is not None
    if not cert.found:
        return host_verdict(Status.NOT_APPLICABLE, "certificate-not-installed", thumbprint=cert.thumbprint)
    facts = {"thumbprint": cert.thumbprint, "subject": cert.subject or "?"}
    if cert.has_private_key is None:
        return host_verdict(Status.UNDETERMINED, "setting-not-reported", setting="HasPrivateKey")
    if not cert.has_private_key:
        return host_verdict(Status.NONCOMPLIANT, "certificate-no-private-key", **facts)
    return host_verdict(Status.COMPLIANT, "certificate-has-private-key", **facts)


@register("replica_certificate_private_key")
def certificate_private_key(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return [_private_key(s) for s in snapshots]


def _certificate_lifetime(ctx: CheckContext, snapshot: HostSnapshot) -> HostCheck:
    server = _certificate_in_use(snapshot)
    if isinstance(server, HostCheck):
        return server
    cert = server.certificate
    assert cert is not None
    if not cert.found:
        return host_verdict(Status.NOT_APPLICABLE, "certificate-not-installed", thumbprint=cert.thumbprint)
    expires = parse_time(cert.not_after)
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
