"""Issue 17 in real PowerShell: the fields the BPA's rules 231-245 need, collected at a constant
number of calls, and the stand-ins behaving as real hosts do. Read from the script's JSON as
printed (not through the snapshot parser), so that each behaviour is checked on its own."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hvbpa.collect import delivery
from hvbpa.lab.pwsh import RunResult
from hvbpa.lab.standin_host import NO_NETQOS_MESSAGE, NotExpressible, describe
from hvbpa.snapshot import KVP_GUID, VSS_GUID
from tests.powershell import hosts
from tests.powershell.conftest import run_descriptions

NEVER = "1601-01-01T00:00:00Z"


def _two_adapters() -> dict[str, Any]:
    """Replicated VMs whose first adapter has no failover settings and whose second has: the
    real cmdlet answers only for the second, so answers cannot be paired with adapters by position."""
    snapshot = hosts.small("HV-ADAPTERS")
    for index, vm in enumerate(snapshot["vms"]):
        ident = vm["id"].upper()
        vm["network_adapters"] = [
            {"name": "Management", "id": f"Microsoft:{ident}\\NIC0", "failover": None},
            {
                "name": "Service",
                "id": f"Microsoft:{ident}\\NIC1",
                "failover": {
                    "ipv4_address": f"10.9.{index}.20",
                    "ipv4_subnet_mask": "255.255.255.0",
                    "ipv4_default_gateway": f"10.9.{index}.1",
                    "ipv6_address": "fd00::20",
                    "ipv6_prefix_length": "64",
                    "ipv4_preferred_dns": "10.9.0.53",
                    "ipv4_alternate_dns": "10.9.0.54",
                    "ipv6_preferred_dns": "fd00::53",
                },
            },
        ]
    description = describe(snapshot)
    description["qos_policies"] = []  # NetQos there, no policy: no error to expect
    return description


def _modes_differ() -> dict[str, Any]:
    """A Replica VM (mode 2) whose relationship record says Primary: Get-VMReplication reports
    the VM's own mode, so the script must print 2."""
    snapshot = hosts.small("HV-MODES")
    vm = snapshot["vms"][0]
    vm["replication"]["mode"] = 2
    vm["replication"]["relationships"][0]["mode"] = 1
    return describe(snapshot)


def _impossible() -> dict[str, Any]:
    description = describe(hosts.small("HV-IMPOSSIBLE"))
    description["replication_server"]["allowed_from_any_server"] = True  # but no "*" entry
    return description


def _without_netqos() -> dict[str, Any]:
    description = hosts.issue17_node("HV-I17-NOQOS")
    description["qos_policies"] = None
    return description


DESCRIPTIONS: dict[str, dict[str, Any]] = {
    **hosts.issue17_hosts(),
    "two-adapters": _two_adapters(),
    "modes-differ": _modes_differ(),
    "impossible": _impossible(),
    "without-netqos": _without_netqos(),
}


@pytest.fixture(scope="module")
def ran(pwsh: Path) -> dict[str, RunResult]:
    names = list(DESCRIPTIONS)
    results = run_descriptions(pwsh, [DESCRIPTIONS[n] for n in names])
    return dict(zip(names, results, strict=True))


def _json(result: RunResult) -> dict[str, Any]:
    assert result.error is None, result.error
    data: dict[str, Any] = json.loads(delivery.decode_answer(result.stdout.encode("ascii")))
    return data


def _relationship(vm: dict[str, Any]) -> dict[str, Any]:
    (rel,) = vm["replication"]["relationships"]
    assert isinstance(rel, dict)
    return rel


def test_every_new_field_is_collected(ran: dict[str, RunResult], counted: Callable[[int], None]) -> None:
    got = _json(ran["issue17-node"])
    assert got["errors"] == []
    vms = got["vms"]
    primary = _relationship(vms[1])
    assert (primary["replica_port"], primary["recovery_history"]) == (443, 4)
    name = vms[1]["name"]
    assert primary["replicated_disks"] == [f"D:\\VMs\\{name}\\os.vhdx", f"D:\\VMs\\{name}\\data.vhd"]
    assert primary["excluded_disks"] == [f"D:\\VMs\\{name}\\paging.vhdx"]
    assert primary["last_test_failover_time"] is None, "test failovers are read on the Replica side only"
    # Replica side: the FILETIME zero ("never") comes back as 1601-01-01, a real time as itself.
    assert _relationship(vms[2])["last_test_failover_time"] == NEVER
    assert _relationship(vms[3])["last_test_failover_time"] == "2026-10-01T08:30:00Z"
    assert _relationship(vms[3])["replicated_disks"] is None, "disk getters are read for Primary VMs only"
    certificate = got["replication_server"]["certificate"]
    assert certificate["dns_names"] == ["hv-i17-node.contoso.test", "hv-rep.contoso.test"]
    assert certificate["enhanced_key_usages"] == ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]
    assert certificate["chain_valid"] is True, "unknown/offline revocation status is accepted"
    broker_certificate = got["replication_server"]["broker_certificate"]
    # Looked up as configured on the broker (lower case here): the store's paths ignore case.
    assert broker_certificate["found"] and broker_certificate["thumbprint"] == hosts.BROKER_THUMBPRINT.lower()
    assert broker_certificate["chain_valid"] is False, "an untrusted root is not"
    broker, network_name = got["cluster_resources"]
    assert broker["recovery_server_enabled"] is True and broker["state"] == "Online"
    assert broker["certificate_thumbprint"] == hosts.BROKER_THUMBPRINT.lower()
    assert broker["client_access_point"] == "HVR-BROKER.contoso.test"
    assert (network_name["type"], network_name["client_access_point"]) == ("Network Name", None)
    assert got["qos_policies"] == [
        {"name": "Replica 443", "throttle_bits_per_second": 10_000_000_000, "dst_port_start": 443, "dst_port_end": 443},
        {"name": "Backup", "throttle_bits_per_second": 0, "dst_port_start": 0, "dst_port_end": 0},
    ]
    calls = ran["issue17-node"].calls
    assert calls["Hyper-V\\Measure-VMReplication"] == 1
    assert calls["NetQos\\Get-NetQosPolicy"] == 1
    assert calls["Get-CimInstance MSCluster_ResourceToDependentResource"] == 1
    assert calls["Get-Item Cert:"] == 2, "the server's certificate and the broker's"
    counted(1)


def test_off_vms_have_no_guest_components_and_the_script_copes(
    ran: dict[str, RunResult], counted: Callable[[int], None]
) -> None:
    got = _json(ran["issue17-node"])
    off, running = got["vms"][2], got["vms"][3]
    assert off["state"] == 3 and running["state"] == 2
    status = {s["guid"].lower(): s["primary_status"] for s in off["integration_services"]}
    assert (off["kvp"], status[KVP_GUID], status[VSS_GUID]) == (None, None, None)
    assert {s["guid"].lower(): s["primary_status"] for s in running["integration_services"]}[KVP_GUID] == 2
    assert running["kvp"] is not None
    assert got["errors"] == []
    counted(1)


def test_failover_settings_pair_with_their_own_adapter(
    ran: dict[str, RunResult], counted: Callable[[int], None]
) -> None:
    result = ran["two-adapters"]
    got = _json(result)
    assert got["errors"] == []
    for index, vm in enumerate(got["vms"]):
        management, service = vm["network_adapters"]
        assert management["failover"] is None
        assert service["failover"] == {
            "ipv4_address": f"10.9.{index}.20",
            "ipv4_subnet_mask": "255.255.255.0",
            "ipv4_default_gateway": f"10.9.{index}.1",
            "ipv4_preferred_dns": "10.9.0.53",
            "ipv4_alternate_dns": "10.9.0.54",
            "ipv6_address": "fd00::20",
            "ipv6_prefix_length": "64",
            "ipv6_default_gateway": None,
            "ipv6_preferred_dns": "fd00::53",
            "ipv6_alternate_dns": None,
        }
    # Two host-wide queries, whatever the number of adapters; never the per-adapter cmdlet.
    assert result.calls["Get-CimInstance Msvm_FailoverNetworkAdapterSettingData"] == 1
    assert result.calls["Get-CimInstance Msvm_EthernetPortFailoverSettingDataComponent"] == 1
    assert "Hyper-V\\Get-VMNetworkAdapterFailoverConfiguration" not in result.calls
    counted(1)


def test_relationships_carry_the_vms_own_mode(ran: dict[str, RunResult], counted: Callable[[int], None]) -> None:
    got = _json(ran["modes-differ"])
    vm = got["vms"][0]
    assert vm["replication"]["mode"] == 2
    assert _relationship(vm)["mode"] == 2
    counted(1)


def test_a_state_no_host_can_be_in_is_refused(ran: dict[str, RunResult], counted: Callable[[int], None]) -> None:
    result = ran["impossible"]
    assert result.error is not None and "impossible host description" in result.error
    snapshot = hosts.small("HV-IMPOSSIBLE-2")
    snapshot["replication_server"]["allowed_from_any_server"] = True
    with pytest.raises(NotExpressible, match="allowed_from_any_server"):
        describe(snapshot)
    # The possible state: any server, and the entry "*" that it is.
    snapshot["replication_server"]["authorization_entries"].append(
        {"allowed_primary_server": "*", "replica_storage_location": "D:\\Replica", "trust_group": "DEFAULT"}
    )
    assert describe(snapshot)["replication_server"]["allowed_from_any_server"] is True
    counted(1)


def test_a_host_without_netqos_reports_an_error_not_an_empty_list(
    ran: dict[str, RunResult], counted: Callable[[int], None]
) -> None:
    got = _json(ran["without-netqos"])
    assert got["qos_policies"] is None
    assert got["errors"] == [{"section": "qos_policies", "vm_id": None, "message": NO_NETQOS_MESSAGE}]
    denied = _json(ran["denied:Get-NetQosPolicy"])
    assert denied["qos_policies"] is None
    assert [e["section"] for e in denied["errors"]] == ["qos_policies"]
    counted(2)


def test_denied_reads_cost_their_own_fields_only(ran: dict[str, RunResult], counted: Callable[[int], None]) -> None:
    got = _json(ran["denied:Measure-VMReplication"])
    assert [e["section"] for e in got["errors"]] == ["replication_statistics"]
    assert all(_relationship(vm)["last_test_failover_time"] is None for vm in got["vms"])
    assert _relationship(got["vms"][1])["replica_port"] == 443
    got = _json(ran["denied:MSCluster_ResourceToDependentResource"])
    assert [e["section"] for e in got["errors"]] == ["cluster_resources"]
    broker = got["cluster_resources"][0]
    assert broker["client_access_point"] is None and broker["recovery_server_enabled"] is True
    counted(2)


def test_the_chain_is_built_with_offline_revocation_only(pwsh: Path, counted: Callable[[int], None]) -> None:
    """The stand-in's chain refuses any revocation mode but Offline: a script that checked
    online (a network fetch from the scan) would get an error instead of a verdict."""
    description = copy.deepcopy(DESCRIPTIONS["issue17-node"])
    script = delivery.plan_delivery(collection_script_with("RevocationMode]::Offline", "RevocationMode]::Online"))
    (result,) = run_descriptions(pwsh, [description], plan=script)
    got = _json(result)
    assert got["replication_server"]["certificate"] is None
    assert any(e["section"] == "certificate" and "not Offline" in e["message"] for e in got["errors"])
    counted(1)


def collection_script_with(old: str, new: str) -> str:
    from hvbpa.collect import collection_script

    source = collection_script()
    assert old in source
    return source.replace(old, new)
