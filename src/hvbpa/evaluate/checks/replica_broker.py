"""HVR003 (script rule 232): servers in failover clusters must have a Hyper-V Replica Broker.

Judged per host on every cluster node, whatever VMs it owns now: the cluster needs a resource of
type "Virtual Machine Replication Broker" that is Online and whose private property
RecoveryServerEnabled is true. The resource's own name is the admin's choice and may be
localized; the type name is not, so only the type is matched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from hvbpa.evaluate.checks import CheckContext, HostCheck, register
from hvbpa.evaluate.checks.replication_common import host_verdict, section_missing
from hvbpa.evaluate.results import HostVerdict, Status
from hvbpa.snapshot import ClusterResource, HostSnapshot

BROKER_TYPE = "virtual machine replication broker"
_ONLINE = frozenset({"2", "online"})  # MSCluster_Resource.State 2, or its name


def brokers(resources: Iterable[ClusterResource]) -> list[ClusterResource]:
    return [r for r in resources if r.type.strip().casefold() == BROKER_TYPE]


def online(resource: ClusterResource) -> bool:
    return (resource.state or "").strip().casefold() in _ONLINE


def _broker(snapshot: HostSnapshot) -> HostCheck:
    cluster = snapshot.host.cluster_name
    if not cluster:
        return host_verdict(Status.NOT_APPLICABLE, "not-a-cluster-node")
    if snapshot.cluster_resources is None:
        return HostCheck(verdict=HostVerdict(Status.UNDETERMINED, section_missing(snapshot, "cluster_resources")))
    found = brokers(snapshot.cluster_resources)
    if not found:
        return host_verdict(Status.NONCOMPLIANT, "broker-missing", cluster=cluster)
    unknown = None
    for broker in found:
        if online(broker) and broker.recovery_server_enabled:
            return host_verdict(Status.COMPLIANT, "broker-present", name=broker.name, state=broker.state or "?")
        if online(broker) and broker.recovery_server_enabled is None:
            unknown = broker
    if unknown is not None:
        return host_verdict(Status.UNDETERMINED, "setting-not-reported", setting="RecoveryServerEnabled")
    broker = found[0]
    if not online(broker):
        return host_verdict(Status.NONCOMPLIANT, "broker-not-online", name=broker.name, state=broker.state or "?")
    return host_verdict(Status.NONCOMPLIANT, "broker-not-enabled", name=broker.name)


@register("cluster_has_replica_broker")
def check(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return [_broker(s) for s in snapshots]
