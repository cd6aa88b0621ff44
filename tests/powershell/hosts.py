"""The host descriptions the PowerShell tests run: the demo fleet, the rule cases, and
hosts built to exercise one behaviour of the collection script each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hvbpa.lab import demo_fleet_path, load_fleet
from hvbpa.lab.standin_host import describe, with_legacy_adapter
from hvbpa.snapshot.synthetic import host_snapshot
from tests.conftest import CASES

KOREAN_SERVICE_NAMES = {
    "84EAAE65-2F2E-45F5-9BB5-0E857DC8EB47": "하트비트",
    "2A34B1C2-FD73-4043-8A5B-DD2159BC743F": "키-값 쌍 교환",
    "9F8233AC-BE49-4C79-8EE3-E7E1985B2077": "종료",
    "2497F4DE-E9FA-4204-80E4-4B75C46419C0": "시간 동기화",
    "5CED1297-4598-4915-A5FC-AD21BB4D02A4": "백업(볼륨 섀도 복사본)",
    "6C09BB55-D683-4DA0-8931-C9BF705F6480": "게스트 서비스 인터페이스",
}


def case_files() -> list[Path]:
    return sorted(CASES.glob("*/*.json"))


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8-sig"))
    return loaded


def demo_hosts() -> dict[str, dict[str, Any]]:
    fleet = load_fleet(demo_fleet_path())
    return {f"demo:{h.name}": describe(json.loads(h.snapshot_json())) for h in fleet.hosts}


def case_hosts() -> dict[str, dict[str, Any]]:
    return {f"case:{p.parent.name}/{p.name}": describe(load(p)) for p in case_files()}


def small(name: str = "HV-SMALL", count: int = 4) -> dict[str, Any]:
    snapshot = host_snapshot(name, count, seed=name)
    # NetQos present (no policy) unless a test says otherwise: hosts built for one behaviour
    # should not also report the module missing.
    if snapshot.get("qos_policies") is None:
        snapshot["qos_policies"] = []
    return snapshot


def first_id(snapshot: dict[str, Any]) -> str:
    return str(snapshot["vms"][0]["id"])


def replica_node(name: str) -> dict[str, Any]:
    """A cluster node that is a Replica server with a certificate, holding a failed-over VM with
    recovery checkpoints and VMs that take application-consistent points: every section read."""
    host = small(name)
    host["host"]["cluster_name"] = "CLUSTER-R"
    broker = {"name": "복제 브로커", "type": "Virtual Machine Replication Broker", "state": "Online"}
    host["cluster_resources"] = [broker]
    for vm in host["vms"]:
        vm["replication"]["relationships"][0]["app_consistent_hours"] = 4
    failed = host["vms"][0]
    failed["replication"]["state"] = failed["replication"]["relationships"][0]["state"] = 6
    failed["checkpoints"] = [{"type": 6, "name": "복구 지점"}, {"type": 1, "name": "backup"}]
    return host


def special_hosts() -> dict[str, dict[str, Any]]:
    hosts: dict[str, dict[str, Any]] = {}
    korean = load(CASES / "korean-names-bom-crlf" / "hv-kr.json")
    for vm in korean["vms"]:
        for service in vm["integration_services"]:
            service["name"] = KOREAN_SERVICE_NAMES[service["guid"].upper()]
    hosts["korean-localized"] = describe(korean)
    hosts["windows-2012-r2"] = describe(small("HV-2012R2"), old_host=True)
    legacy = small("HV-LEGACY")
    hosts["legacy-adapter"] = with_legacy_adapter(describe(legacy), [first_id(legacy)])
    clustered = small("NODE-A")
    clustered["host"]["cluster_name"] = "CLUSTER-1"
    hosts["cluster-nodes"] = describe(clustered, cluster_nodes=["NODE-A", "NODE-B", "NODE-C"])
    hosts["cluster-access-denied"] = describe(
        clustered, faults={"cluster": "Access denied "}, cluster_nodes=["NODE-A", "NODE-B"]
    )
    no_module = small("HV-NOMODULE")
    no_module["host"]["hyperv_module"] = False
    hosts["no-module"] = describe(no_module)
    for name, admin, hv_admin in (("not-admin", False, False), ("hyperv-admin", False, True), ("admin", True, False)):
        who = small(f"HV-{name.upper()}")
        who["host"]["is_admin"], who["host"]["is_hyperv_admin"] = admin, hv_admin
        hosts[f"identity-{name}"] = describe(who)
    hosts["module-list-fails"] = describe(
        small("HV-MODLIST"), faults={"module_list": "The module path cannot be read: access is denied."}
    )
    for command in (
        "Get-VM",
        "Get-VMReplication",
        "Get-VMIntegrationService",
        "Msvm_KvpExchangeComponent",
        "Get-VMNetworkAdapter",
        "Msvm_FailoverNetworkAdapterSettingData",
        "Msvm_EthernetPortFailoverSettingDataComponent",
    ):
        hosts[f"denied:{command}"] = describe(
            small(f"HV-{command.upper()[:12]}"),
            faults={"denied": {command: f"You do not have permission to run {command} on this host."}},
        )
    for command in (
        "Get-VM",
        "Get-VMReplication",
        "Get-VMIntegrationService",
        "Get-VMNetworkAdapter",
    ):
        host = small(f"HV-ONE-{command.upper()[:12]}")
        # The first replicated (Primary) VM, so that its failover settings are asked for.
        target = next(v for v in host["vms"] if v["replication"]["mode"] == 1)
        fault = {"command": command, "vm": target["id"], "message": f"{command} failed for this VM."}
        hosts[f"one-vm:{command}"] = describe(host, faults={"vm_errors": [fault]})
    hosts["noise"] = describe(small("HV-NOISY"), faults={"noise": True})
    # Hyper-V Replica: each section's read denied on a host where every one of them is read.
    for command in (
        "Get-VMReplicationServer",
        "Get-VMReplicationAuthorizationEntry",
        "Cert:",
        "Get-VMSnapshot",
        "MSCluster_Resource",
        "Msvm_VssComponent",
    ):
        replica = replica_node(f"HV-R-{command.upper().replace(':', '')[:10]}")
        hosts[f"denied:{command}"] = describe(
            replica, faults={"denied": {command: f"You do not have permission to run {command} on this host."}}
        )
    hosts["replica-node"] = describe(replica_node("HV-R-NODE"))
    hosts.update(issue17_hosts())
    return hosts


# Issue 17: every new field set, on a cluster node that is a Replica server with a broker.
BROKER_THUMBPRINT = "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"


def issue17_node(name: str = "HV-I17-NODE") -> dict[str, Any]:
    """A description with every issue-17 field: added to the description itself, so that it holds
    them whether or not the snapshot dump (describe's input) knows them yet."""
    snapshot = replica_node(name)
    snapshot["host"]["fqdn"] = f"{name.lower()}.contoso.test"
    vms = snapshot["vms"]
    # A Replica VM that is off (the usual state of a Replica) and one that runs.
    for vm, state in ((vms[2], 3), (vms[3], 2)):
        vm["replication"]["mode"] = vm["replication"]["relationships"][0]["mode"] = 2
        vm["state"] = state
    description = describe(snapshot)
    for vm in description["vms"]:
        for rel in vm["replication"]["relationships"]:
            rel["replica_port"] = 443
            rel["recovery_history"] = 4
            rel["replicated_disks"] = [f"D:\\VMs\\{vm['name']}\\os.vhdx", f"D:\\VMs\\{vm['name']}\\data.vhd"]
            rel["excluded_disks"] = [f"D:\\VMs\\{vm['name']}\\paging.vhdx"]
            rel["last_test_failover_time"] = "2026-10-01T08:30:00Z"
    # The off Replica never had a test failover; the running one had.
    description["vms"][2]["replication"]["relationships"][0]["last_test_failover_time"] = "1601-01-01T00:00:00Z"
    server = description["replication_server"]
    server["certificate"].update(
        {
            "dns_names": [f"{name.lower()}.contoso.test", "hv-rep.contoso.test"],
            "enhanced_key_usages": ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"],
            "chain_valid": True,
        }
    )
    server["broker_certificate"] = {
        "thumbprint": BROKER_THUMBPRINT,
        "found": True,
        "subject": "CN=hvr-broker.contoso.test",
        "not_after": "2030-06-30T00:00:00Z",
        "has_private_key": True,
        "dns_names": ["hvr-broker.contoso.test"],
        "enhanced_key_usages": ["1.3.6.1.5.5.7.3.1"],
        "chain_valid": False,
    }
    broker = description["cluster_resources"][0]
    broker.update(
        {
            "recovery_server_enabled": True,
            "certificate_thumbprint": BROKER_THUMBPRINT.lower(),
            "client_access_point": "HVR-BROKER.contoso.test",
        }
    )
    description["qos_policies"] = [
        {"name": "Replica 443", "throttle_bits_per_second": 10_000_000_000, "dst_port_start": 443, "dst_port_end": 443},
        {"name": "Backup", "throttle_bits_per_second": 0, "dst_port_start": 0, "dst_port_end": 0},
    ]
    return description


def issue17_hosts() -> dict[str, dict[str, Any]]:
    hosts = {"issue17-node": issue17_node()}
    for command in ("Measure-VMReplication", "Get-NetQosPolicy", "MSCluster_ResourceToDependentResource"):
        denied = issue17_node(f"HV-I17-{command[:10].upper()}")
        denied["faults"]["denied"][command] = f"You do not have permission to run {command} on this host."
        hosts[f"denied:{command}"] = denied
    return hosts
