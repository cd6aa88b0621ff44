"""Host-side cost: the cmdlet and CIM calls the collection script makes on one host do not
grow with its VM count. The stand-ins count every call, and every read of an integration
service's status getter (each one a WMI query on a real host)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from hvbpa.lab.standin_host import describe
from hvbpa.snapshot.synthetic import host_snapshot
from tests.powershell.conftest import assert_matches, run_descriptions

# The budget: one call of each, whatever the number of VMs.
BUDGET = {
    "Get-CimInstance Win32_OperatingSystem": 1,
    "Get-CimInstance Win32_ComputerSystem": 1,
    "Get-CimInstance MSCluster_Cluster": 1,
    "Hyper-V\\Get-VM": 1,
    "Hyper-V\\Get-VMReplication": 1,
    "Hyper-V\\Get-VMIntegrationService": 1,
    "Get-CimInstance Msvm_KvpExchangeComponent": 1,
    "Hyper-V\\Get-VMNetworkAdapter": 1,
    # Failover settings: the settings and their association to adapters, host-wide (issue 17;
    # Get-VMNetworkAdapterFailoverConfiguration could not be paired with adapters).
    "Get-CimInstance Msvm_FailoverNetworkAdapterSettingData": 1,
    "Get-CimInstance Msvm_EthernetPortFailoverSettingDataComponent": 1,
    # Hyper-V Replica: the Replica server, its authorization entries, its certificate's store entry.
    "Hyper-V\\Get-VMReplicationServer": 1,
    "Hyper-V\\Get-VMReplicationAuthorizationEntry": 1,
    "Get-Item Cert:": 1,
    # Issue 17: the Replica VMs' test failovers, and the host's QoS policies.
    "Hyper-V\\Measure-VMReplication": 1,
    "NetQos\\Get-NetQosPolicy": 1,
}
# What only some hosts cost: a cluster's resources, failed-over VMs' checkpoints, the VSS status
# where application-consistent recovery points are configured, and where a Replica Broker runs,
# its client access point (its dependencies) and its certificate's store entry. Still constant.
REPLICA_EXTRAS = {
    "Get-CimInstance MSCluster_Node": 1,
    "Get-CimInstance MSCluster_Resource": 1,
    "Hyper-V\\Get-VMSnapshot": 1,
    "Get-CimInstance Msvm_VssComponent": 1,
    "Get-CimInstance MSCluster_ResourceToDependentResource": 1,
    "Get-Item Cert:": 2,
}
SIZES = (1, 100, 1024)


def _busy_replica_node(size: int) -> dict[str, Any]:
    """A cluster node where every replication section is read: all VMs take application-consistent
    points, and every other one has failed over with its recovery checkpoints."""
    snapshot = _costed(host_snapshot(f"HV-NODE-{size}", size, seed="cost", mix=False))
    snapshot["host"]["cluster_name"] = "CLUSTER-COST"
    broker = {
        "name": "Broker",
        "type": "Virtual Machine Replication Broker",
        "state": "Online",
        "recovery_server_enabled": True,
        "certificate_thumbprint": BROKER_THUMBPRINT,
        "client_access_point": "hvr-broker.example.test",
    }
    snapshot["cluster_resources"] = [broker]
    for index, vm in enumerate(snapshot["vms"]):
        vm["replication"]["relationships"][0]["app_consistent_hours"] = 4
        if index % 2 == 0:
            # Failed over: a Replica VM (FailedOverWaitingCompletion) with its recovery points.
            vm["replication"]["mode"] = vm["replication"]["relationships"][0]["mode"] = 2
            vm["replication"]["state"] = vm["replication"]["relationships"][0]["state"] = 6
            vm["checkpoints"] = [{"type": 6, "name": "recovery point"}]
    return snapshot


BROKER_THUMBPRINT = "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"


def _costed(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Every conditional read made: a Replica VM (test failovers are read on the Replica side)
    and NetQos present (a host without it costs one call less)."""
    vm = snapshot["vms"][-1]
    vm["replication"]["mode"] = vm["replication"]["relationships"][0]["mode"] = 2
    snapshot["qos_policies"] = [
        {"name": "Replica", "throttle_bits_per_second": 100_000_000, "dst_port_start": 443, "dst_port_end": 443}
    ]
    return snapshot


def test_calls_per_host_do_not_grow_with_vms(pwsh: Path, counted: Callable[[int], None]) -> None:
    descriptions = [describe(_costed(host_snapshot(f"HV-COST-{n}", n, seed="cost"))) for n in SIZES]
    results = run_descriptions(pwsh, descriptions)
    for size, description, result in zip(SIZES, descriptions, results, strict=True):
        got = assert_matches(result, description)
        assert len(got.vms) == size
        assert dict(result.calls) == BUDGET, f"{size} VMs"
        print(f"{size:>5} VMs: {result.total_calls} calls, {result.seconds:.2f} s in PowerShell")
    counted(len(SIZES))


def test_replication_sections_cost_one_call_each_too(pwsh: Path, counted: Callable[[int], None]) -> None:
    descriptions = [describe(_busy_replica_node(n)) for n in SIZES]
    results = run_descriptions(pwsh, descriptions)
    for size, description, result in zip(SIZES, descriptions, results, strict=True):
        got = assert_matches(result, description)
        assert sum(vm.checkpoints is not None for vm in got.vms) == (size + 1) // 2
        assert dict(result.calls) == {**BUDGET, **REPLICA_EXTRAS}, f"{size} VMs"
        print(f"{size:>5} VMs on a busy Replica cluster node: {result.total_calls} calls, {result.seconds:.2f} s")
    counted(len(SIZES))


def test_the_counters_see_status_getters(pwsh: Path, counted: Callable[[int], None]) -> None:
    """Where the KVP query fails, the Data Exchange status is read from each VM's service:
    one status query per VM, and the counters say so (they can fail the budget)."""
    description = describe(
        host_snapshot("HV-COST-FALLBACK", 10, seed="cost"),
        faults={"denied": {"Msvm_KvpExchangeComponent": "Access denied "}},
    )
    (result,) = run_descriptions(pwsh, [description])
    assert result.calls["WMI query: integration service status getter"] == 2 * 10  # primary + secondary
    assert dict(result.calls) != BUDGET
    counted(1)
