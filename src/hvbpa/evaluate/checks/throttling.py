"""HVR014 (script rule 235): the Replica ports that Primary VMs send to should be throttled by a
QoS policy (Get-NetQosPolicy). Judged per host; the finding lists ports, not VMs.

A port is throttled when some policy has a throttle rate above 0 and the port inside its
destination port range. A host without the NetQos module cannot be judged.
"""

from __future__ import annotations

from collections.abc import Sequence

from hvbpa.evaluate.checks import CheckContext, HostCheck, register
from hvbpa.evaluate.checks.replication_common import (
    PRIMARY_SIDE,
    host_verdict,
    replicated_vms,
    section_missing,
    simple_relationship,
)
from hvbpa.evaluate.results import HostVerdict, Status
from hvbpa.snapshot import HostSnapshot, QosPolicy


def throttled(port: int, policies: Sequence[QosPolicy]) -> bool:
    return any(
        (p.throttle_bits_per_second or 0) > 0
        and p.dst_port_start is not None
        and p.dst_port_end is not None
        and p.dst_port_start <= port <= p.dst_port_end
        for p in policies
    )


def _ports(ctx: CheckContext, snapshot: HostSnapshot) -> tuple[set[int], int]:
    """The distinct Replica ports of the host's Primary VMs, and how many Primary VMs did not report one."""
    ports: set[int] = set()
    unknown = 0
    for facts in replicated_vms(ctx, snapshot):
        if facts.vm.replication.mode not in PRIMARY_SIDE:
            continue
        relationship = simple_relationship(facts.vm)
        if relationship is None or relationship.replica_port is None:
            unknown += 1
        else:
            ports.add(relationship.replica_port)
    return ports, unknown


def _judge(ctx: CheckContext, snapshot: HostSnapshot) -> HostCheck:
    ports, unknown = _ports(ctx, snapshot)
    if not ports and not unknown:
        return host_verdict(Status.NOT_APPLICABLE, "no-primary-vms")
    policies = snapshot.qos_policies
    if policies is None:
        return HostCheck(verdict=HostVerdict(Status.UNDETERMINED, section_missing(snapshot, "qos_policies")))
    open_ports = sorted(p for p in ports if not throttled(p, policies))
    if open_ports:
        return host_verdict(Status.NONCOMPLIANT, "ports-not-throttled", ports=", ".join(map(str, open_ports)))
    if unknown:
        return host_verdict(Status.UNDETERMINED, "setting-not-reported", setting="ReplicaServerPort")
    return host_verdict(Status.COMPLIANT, "ports-throttled", ports=", ".join(map(str, sorted(ports))))


@register("replication_traffic_throttled")
def replication_traffic_throttled(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> list[HostCheck]:
    return [_judge(ctx, s) for s in snapshots]
