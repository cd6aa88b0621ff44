"""Host-side cost: the cmdlet and CIM calls the collection script makes on one host do not
grow with its VM count. The stand-ins count every call, and every read of an integration
service's status getter (each one a WMI query on a real host)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

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
    "Hyper-V\\Get-VMNetworkAdapterFailoverConfiguration": 1,
}
SIZES = (1, 100, 1024)


def test_calls_per_host_do_not_grow_with_vms(pwsh: Path, counted: Callable[[int], None]) -> None:
    descriptions = [describe(host_snapshot(f"HV-COST-{n}", n, seed="cost")) for n in SIZES]
    results = run_descriptions(pwsh, descriptions)
    for size, description, result in zip(SIZES, descriptions, results, strict=True):
        got = assert_matches(result, description)
        assert len(got.vms) == size
        assert dict(result.calls) == BUDGET, f"{size} VMs"
        print(f"{size:>5} VMs: {result.total_calls} calls, {result.seconds:.2f} s in PowerShell")
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
