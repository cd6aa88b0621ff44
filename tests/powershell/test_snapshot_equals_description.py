"""The collection script, delivered exactly as the client delivers it (bootstrap,
-EncodedCommand, gzip + base64 both ways, markers), prints a snapshot that the project's
parser accepts and that equals the host description: for the demo fleet, every rule case,
and hosts built for one behaviour each. All of them run in one PowerShell process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hvbpa.lab.pwsh import RunResult
from hvbpa.lab.standin_host import describe, expected_snapshot
from hvbpa.snapshot import KVP_GUID, HostSnapshot
from tests.powershell import hosts
from tests.powershell.conftest import assert_matches, run_descriptions, snapshot_of

DESCRIPTIONS: dict[str, dict[str, Any]] = {**hosts.demo_hosts(), **hosts.case_hosts(), **hosts.special_hosts()}
MISSING = "missing:Get-VMReplication"
DESCRIPTIONS[MISSING] = describe(hosts.small("HV-MISSING"), faults={"missing_cmdlets": ["Get-VMReplication"]})


@pytest.fixture(scope="module")
def ran(pwsh: Path) -> dict[str, tuple[dict[str, Any], RunResult]]:
    names = list(DESCRIPTIONS)
    results = run_descriptions(pwsh, [DESCRIPTIONS[n] for n in names])
    return {name: (DESCRIPTIONS[name], result) for name, result in zip(names, results, strict=True)}


NODES_DENIED = "cluster-nodes-denied"
_clustered = hosts.small("NODE-X")
_clustered["host"]["cluster_name"] = "CLUSTER-2"
DESCRIPTIONS[NODES_DENIED] = describe(
    _clustered, cluster_nodes=["NODE-X", "NODE-Y"], faults={"denied": {"MSCluster_Node": "Access denied "}}
)
NO_NAMESPACE = "no-virtualization-namespace"
DESCRIPTIONS[NO_NAMESPACE] = describe(
    hosts.small("HV-NO-V2"), faults={"missing_namespaces": ["root\\virtualization\\v2"]}
)
EXACT = sorted(n for n in DESCRIPTIONS if n not in (MISSING, NODES_DENIED, NO_NAMESPACE))


@pytest.mark.parametrize("name", EXACT)
def test_snapshot_equals_description(name: str, ran: dict[str, Any], counted: Callable[[int], None]) -> None:
    description, result = ran[name]
    assert_matches(result, description)
    counted(1)


def _got(ran: dict[str, Any], name: str) -> HostSnapshot:
    return snapshot_of(ran[name][1])


def test_the_comparison_can_fail(ran: dict[str, Any]) -> None:
    description, result = ran["demo:HV-PRI-01"]
    changed = {**description, "vms": [{**description["vms"][0], "name": "renamed"}, *description["vms"][1:]]}
    assert snapshot_of(result) != expected_snapshot(changed)


def test_korean_names_arrive_intact(ran: dict[str, Any], counted: Callable[[int], None]) -> None:
    got = _got(ran, "korean-localized")
    assert got.host.name == "하이퍼V-서울"
    assert [vm.name for vm in got.vms] == ["웹서버-01", "데이터베이스"]
    # Localized service names do not matter: the KVP service is found by its GUID.
    kvp = got.vms[1].integration_service(KVP_GUID)
    assert kvp is not None and kvp.name == "키-값 쌍 교환" and kvp.primary_status == 12
    counted(1)


def test_windows_2012_r2_has_no_version_or_type(ran: dict[str, Any], counted: Callable[[int], None]) -> None:
    got = _got(ran, "windows-2012-r2")
    assert got.vms and all(vm.version is None for vm in got.vms)
    assert not got.errors
    counted(1)


def test_legacy_adapters_are_listed_but_not_asked_for_failover(
    ran: dict[str, Any], counted: Callable[[int], None]
) -> None:
    got = snapshot_of(ran["legacy-adapter"][1])
    assert not got.errors, got.errors  # the failover call never saw the legacy adapter
    assert "Legacy Network Adapter" in [a.name for a in got.vms[0].network_adapters]
    counted(1)


def test_cluster_node_names(ran: dict[str, Any], counted: Callable[[int], None]) -> None:
    got = _got(ran, "cluster-nodes")
    assert got.host.cluster_name == "CLUSTER-1"
    assert got.host.cluster_nodes == ("NODE-A", "NODE-B", "NODE-C")
    counted(1)


def test_cluster_access_denied_is_an_error_not_standalone(ran: dict[str, Any], counted: Callable[[int], None]) -> None:
    got = _got(ran, "cluster-access-denied")
    assert got.host.cluster_name is None
    assert [(e.section, e.message) for e in got.errors] == [("host", "Access denied ")]
    # A standalone host (invalid namespace) records nothing.
    assert [e.section for e in _got(ran, "demo:HV-PRI-01").errors] == []
    counted(2)


def test_module_list_failure_is_not_module_missing(ran: dict[str, Any], counted: Callable[[int], None]) -> None:
    got = _got(ran, "module-list-fails")
    messages = [e.message for e in got.errors]
    assert messages == ["The module path cannot be read: access is denied."]
    assert got.host.hyperv_module is True and len(got.vms) == 4
    counted(1)


def test_no_module_and_non_admin_read_no_vms(ran: dict[str, Any], counted: Callable[[int], None]) -> None:
    for name in ("no-module", "identity-not-admin"):
        got = _got(ran, name)
        assert got.vms == ()
        assert [e.section for e in got.errors] == ["host"]
    assert len(_got(ran, "identity-hyperv-admin").vms) == 4
    counted(3)


def test_a_missing_cmdlet_costs_its_section_only(ran: dict[str, Any], counted: Callable[[int], None]) -> None:
    got = _got(ran, MISSING)
    assert [e.section for e in got.errors] == ["replication"]
    assert "Get-VMReplication" in got.errors[0].message
    assert len(got.vms) == 4 and all(vm.replication.relationships == () for vm in got.vms)
    assert all(vm.integration_services for vm in got.vms)
    counted(1)


def test_one_vm_failing_costs_that_vm_only(ran: dict[str, Any], counted: Callable[[int], None]) -> None:
    for command in ("Get-VMIntegrationService", "Get-VMNetworkAdapter"):
        got = _got(ran, f"one-vm:{command}")
        (error,) = got.errors
        assert error.vm_id is not None and error.message == f"{command} failed for this VM."
        others = [vm for vm in got.vms if vm.id != error.vm_id]
        assert others and all(vm.integration_services for vm in others)
    counted(2)


def test_noise_on_other_streams_leaves_stdout_to_the_answer(
    ran: dict[str, Any], counted: Callable[[int], None]
) -> None:
    _, result = ran["noise"]
    assert result.stdout.startswith("hvbpa:gz64:") and result.stdout.endswith(":hvbpa:end"), result.stdout[:200]
    counted(1)


def test_cluster_nodes_denied_keeps_the_cluster_name(ran: dict[str, Any], counted: Callable[[int], None]) -> None:
    got = _got(ran, NODES_DENIED)
    assert (got.host.cluster_name, got.host.cluster_nodes) == ("CLUSTER-2", None)
    assert [(e.section, e.message) for e in got.errors] == [("host", "Access denied ")]
    assert len(got.vms) == 4
    counted(1)


def test_missing_namespace_costs_the_kvp_section_not_the_status(
    ran: dict[str, Any], counted: Callable[[int], None]
) -> None:
    description, result = ran[NO_NAMESPACE]
    got = snapshot_of(result)
    # The failover settings are read from the same namespace: lost too, and said so.
    lost = [("kvp", "Invalid namespace "), ("network_adapters", "Invalid namespace ")]
    assert [(e.section, e.message) for e in got.errors] == lost
    assert all(vm.kvp is None for vm in got.vms)
    assert all(a.failover is None for vm in got.vms for a in vm.network_adapters)
    # The Data Exchange status still arrives, read from each VM's service instead.
    wanted = {
        vm["id"]: next(s["primary_status"] for s in vm["integration_services"] if s["guid"].lower() == KVP_GUID)
        for vm in description["vms"]
    }
    assert {vm.id: vm.integration_service(KVP_GUID).primary_status for vm in got.vms} == wanted  # type: ignore[union-attr]
    assert result.calls["WMI query: integration service status getter"] == 2 * len(got.vms)
    counted(1)


def test_replica_sections_are_read_and_their_denials_recorded(
    ran: dict[str, Any], counted: Callable[[int], None]
) -> None:
    got = _got(ran, "replica-node")
    server = got.replication_server
    assert server is not None and server.certificate is not None and server.certificate.has_private_key
    assert [r.name for r in got.cluster_resources or ()] == ["복제 브로커"]
    assert [c.name for c in got.vms[0].checkpoints or ()] == ["복구 지점", "backup"]
    vss = next(s for s in got.vms[1].integration_services if s.guid == "5ced1297-4598-4915-a5fc-ad21bb4d02a4")
    assert vss.primary_status == 2, "the VSS status comes from its own query"
    sections = {
        "Get-VMReplicationServer": "replication_server",
        "Get-VMReplicationAuthorizationEntry": "authorization_entries",
        "Cert:": "certificate",
        "Get-VMSnapshot": "checkpoints",
        "MSCluster_Resource": "cluster_resources",
        "Msvm_VssComponent": "vss",
    }
    for command, section in sections.items():
        assert [e.section for e in _got(ran, f"denied:{command}").errors] == [section], command
    counted(1 + len(sections))
