"""HVR003: servers in failover clusters must have a Hyper-V Replica Broker to replicate.

Judged per host: a cluster node that holds replicated VMs needs a cluster resource of
type "Virtual Machine Replication Broker". The resource's own name is the admin's
choice and may be localized; the type name is not, so only the type is matched.
"""

from __future__ import annotations

from collections.abc import Sequence

from hvbpa.evaluate.checks import CheckContext, HostCheck, register
from hvbpa.evaluate.checks.replication_common import host_verdict, replicated, section_missing
from hvbpa.evaluate.results import HostVerdict, Status
from hvbpa.snapshot import HostSnapshot

BROKER_TYPE = "virtual machine replication broker"


def _broker(snapshot: HostSnapshot) -> HostCheck:
    cluster = snapshot.host.cluster_name
    if not cluster:
        return host_verdict(Status.NOT_APPLICABLE, "not-a-cluster-node")
    count = sum(1 for vm in snapshot.vms if replicated(vm))
    if count == 0:
        return host_verdict(Status.NOT_APPLICABLE, "no-replicated-vms")
    if snapshot.cluster_resources is None:
        return HostCheck(verdict=HostVerdict(Status.UNDETERMINED, section_missing(snapshot, "cluster_resources")))
    brokers = [r for r in snapshot.cluster_resources if r.type.strip().casefold() == BROKER_TYPE]
    if not brokers:
        return host_verdict(Status.NONCOMPLIANT, "broker-missing", cluster=cluster, count=count)
    broker = brokers[0]
    return host_verdict(Status.COMPLIANT, "broker-present", name=broker.name, state=broker.state or "?")


@register("cluster_has_replica_broker")
def check(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return [_broker(s) for s in snapshots]
