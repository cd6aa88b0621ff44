"""Host descriptions for the PowerShell stand-ins, and what the collection script must
report for them.

A description is the lab's host data (a snapshot) turned into what a Hyper-V host holds:
the computer's name and domain, the caller's roles, whether the Hyper-V module is there,
the cluster and its nodes, every VM as Get-VM and CIM would show it, plus faults to play
(a missing cmdlet, access denied, an error for one VM, a CIM namespace that does not
exist, Get-Module failing, noise on the other output streams). ``standin/*.ps1`` reads
it; :func:`expected_snapshot` says what the script must print for it, so a test can
compare the two.
"""

from __future__ import annotations

import copy
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from msgspec.structs import replace

from hvbpa.snapshot import KVP_GUID, VSS_GUID, HostSnapshot, dump_snapshot, snapshot_from_data

# The cmdlet (or CIM class) behind each section of the script.
SECTION_COMMANDS = {
    "vms": "Get-VM",
    "replication": "Get-VMReplication",
    "integration_services": "Get-VMIntegrationService",
    "kvp": "Msvm_KvpExchangeComponent",
    "network_adapters": "Get-VMNetworkAdapter",
    # Hyper-V Replica (issue 14); "Cert:" is the certificate store's Get-Item.
    "checkpoints": "Get-VMSnapshot",
    "replication_server": "Get-VMReplicationServer",
    "authorization_entries": "Get-VMReplicationAuthorizationEntry",
    "certificate": "Cert:",
    "cluster_resources": "MSCluster_Resource",
    "vss": "Msvm_VssComponent",
    # Issue 17: the last test failover (Measure-VMReplication) and the host's QoS policies.
    "replication_statistics": "Measure-VMReplication",
    "qos_policies": "Get-NetQosPolicy",
}
# Sections read host-wide only: an error for one VM in them cannot be played.
HOST_WIDE = frozenset(
    {"kvp", "replication_server", "authorization_entries", "certificate", "cluster_resources", "vss", "qos_policies"}
)
# Sections the script reads only when something asks for them: their errors are worked out apart.
CONDITIONAL = frozenset(
    {
        "checkpoints",
        "replication_server",
        "authorization_entries",
        "certificate",
        "cluster_resources",
        "vss",
        "replication_statistics",
        "qos_policies",
    }
)
COMMAND_SECTIONS = {command: section for section, command in SECTION_COMMANDS.items()}
# Failover settings: two host-wide CIM queries (the settings, and the association to adapters).
FAILOVER_QUERIES = ("Msvm_FailoverNetworkAdapterSettingData", "Msvm_EthernetPortFailoverSettingDataComponent")
for _query in FAILOVER_QUERIES:
    COMMAND_SECTIONS[_query] = "network_adapters"
REPLICATED_MODES = (1, 2, 4)  # Primary, Replica, ExtendedReplica: the VMs with failover settings
NO_MODULE_MESSAGE = "Hyper-V PowerShell module not installed; no VMs read."
NOT_ADMIN_MESSAGE = "Account is neither administrator nor Hyper-V Administrator (S-1-5-32-578); no VMs read."
NO_NETQOS_MESSAGE = "NetQos PowerShell module not installed; no QoS policies read."
NEVER_TESTED = "1601-01-01T00:00:00Z"  # the FILETIME zero: no test failover ever
BROKER_TYPE = "Virtual Machine Replication Broker"
OFF_STATES = (3, 32786)  # Off, OffCritical: no guest components (KVP, VSS) to query


class NotExpressible(ValueError):
    """The snapshot holds something a description cannot make the script print."""


def describe(
    snapshot: HostSnapshot | Mapping[str, Any],
    *,
    old_host: bool = False,
    cluster_nodes: Sequence[str] | None = None,
    faults: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The description of the host a snapshot was taken from.

    The snapshot's errors become faults where a fault produces them (a whole section
    failing, or one VM in it); host-section errors are the script's own conclusions
    (no module, not an administrator) and are dropped, as the script writes them again.
    """
    data = dump_snapshot(snapshot if isinstance(snapshot, HostSnapshot) else snapshot_from_data(snapshot))
    host = data["host"]
    fqdn = host.get("fqdn") or ""
    name = host["name"]
    in_domain = "." in fqdn
    played: dict[str, Any] = {"denied": {}, "vm_errors": [], "missing_cmdlets": [], "noise": False}
    for error in data["errors"]:
        section, vm, message = error["section"], error.get("vm_id"), error["message"]
        if section == "host":
            continue
        if section not in SECTION_COMMANDS:
            raise NotExpressible(f"an error of section {section!r}")
        if vm is None:
            played["denied"][SECTION_COMMANDS[section]] = message
        elif section in HOST_WIDE:
            raise NotExpressible(f"a {section} error for one VM (that section is read host-wide)")
        else:
            played["vm_errors"].append({"command": SECTION_COMMANDS[section], "vm": vm, "message": message})
    for key, value in (faults or {}).items():
        if isinstance(value, dict):
            played[key] = {**played.get(key, {}), **value}
        elif isinstance(value, list):
            played[key] = [*played.get(key, []), *value]
        else:
            played[key] = value
    server = data.get("replication_server") or {}
    entries = server.get("authorization_entries")
    if server.get("allowed_from_any_server") is not None and entries is not None:
        star = any(e.get("allowed_primary_server") == "*" for e in entries)
        if bool(server["allowed_from_any_server"]) != star:
            # "Any server" is itself the entry "*": a host has both or neither.
            raise NotExpressible("allowed_from_any_server without the matching '*' authorization entry")
    cluster = None
    if host.get("cluster_name"):
        nodes = cluster_nodes or host.get("cluster_nodes") or [name]
        cluster = {"name": host["cluster_name"], "nodes": list(nodes)}
    return {
        "computer": {
            "DNSHostName": name,
            "Domain": fqdn.split(".", 1)[1] if in_domain else "WORKGROUP",
            "PartOfDomain": in_domain,
        },
        "os": {"Caption": host.get("os_caption"), "BuildNumber": host.get("os_build"), "Version": None},
        "identity": {"is_admin": host["is_admin"], "is_hyperv_admin": host["is_hyperv_admin"]},
        "module": host["hyperv_module"],
        "old_host": old_host,
        "cluster": cluster,
        "vms": data["vms"],
        # The Replica server's settings and the cluster's resources (null: a host never set
        # up as a Replica server; a cluster whose resources are not described).
        "replication_server": data.get("replication_server"),
        "cluster_resources": data.get("cluster_resources"),
        # Null (or absent): a host without the NetQos module.
        "qos_policies": data.get("qos_policies"),
        "faults": played,
    }


def with_legacy_adapter(description: Mapping[str, Any], vm_ids: Iterable[str]) -> dict[str, Any]:
    """A copy where the given VMs also have a legacy (emulated) network adapter."""
    result = copy.deepcopy(dict(description))
    wanted = {v.lower() for v in vm_ids}
    for vm in result["vms"]:
        if vm["id"].lower() in wanted:
            vm["network_adapters"].append(
                {"name": "Legacy Network Adapter", "id": None, "legacy": True, "failover": None}
            )
    return result


def _failed(description: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    faults = description.get("faults") or {}
    denied = dict(faults.get("denied") or {})
    per_vm: dict[str, dict[str, str]] = {}
    for fault in faults.get("vm_errors") or []:
        per_vm.setdefault(fault["command"], {})[fault["vm"].lower()] = fault["message"]
    return denied, per_vm


def expected_data(description: Mapping[str, Any]) -> dict[str, Any]:
    """The snapshot (as JSON data) the collection script must print for ``description``."""
    computer = description["computer"]
    identity = description["identity"]
    cluster = description.get("cluster")
    faults = description.get("faults") or {}
    name = computer["DNSHostName"]
    errors: list[dict[str, Any]] = []
    host = {
        "name": name,
        "fqdn": f"{name}.{computer['Domain']}" if computer["PartOfDomain"] else name,
        "os_caption": description["os"]["Caption"],
        "os_build": description["os"]["BuildNumber"],
        "ps_version": None,
        "hyperv_module": bool(description["module"]),
        "is_admin": bool(identity["is_admin"]),
        "is_hyperv_admin": bool(identity["is_hyperv_admin"]),
        "cluster_name": cluster["name"] if cluster and not faults.get("cluster") else None,
        "cluster_nodes": list(cluster["nodes"]) if cluster and not faults.get("cluster") else None,
    }
    can_collect = True
    if faults.get("module_list"):
        errors.append({"section": "host", "vm_id": None, "message": faults["module_list"]})
    elif not description["module"]:
        errors.append({"section": "host", "vm_id": None, "message": NO_MODULE_MESSAGE})
        can_collect = False
    if cluster and faults.get("cluster"):
        errors.append({"section": "host", "vm_id": None, "message": faults["cluster"]})
    if not (identity["is_admin"] or identity["is_hyperv_admin"]):
        errors.append({"section": "host", "vm_id": None, "message": NOT_ADMIN_MESSAGE})
        can_collect = False
    vms: list[dict[str, Any]] = []
    if can_collect:
        vms = _expected_vms(description, errors)
    answered = can_collect and "Get-VM" not in (faults.get("denied") or {})
    if faults.get("module_list") and description["module"] and answered:
        host["hyperv_module"] = True  # Get-VM answered: the module is evidently there
    replication_server = _expected_replication_server(description, errors) if can_collect else None
    resources = _expected_cluster_resources(description, errors) if host["cluster_name"] is not None else None
    if replication_server is not None and resources is not None:
        replication_server["broker_certificate"] = _expected_broker_certificate(description, resources, errors)
    qos = _expected_qos(description, errors) if can_collect else None
    return {
        "schema": "hvbpa.snapshot/1",
        "collected_at": None,
        "collector_version": None,
        "host": host,
        "vms": vms,
        "errors": errors,
        "replication_server": replication_server,
        "cluster_resources": resources,
        "qos_policies": qos,
    }


# What Get-VMReplicationServer reports on a host never set up as a Replica server.
_NOT_A_REPLICA_SERVER = {
    "enabled": False,
    "allowed_authentication": 1,
    "allowed_from_any_server": False,
    "certificate_thumbprint": None,
}


def _down(description: Mapping[str, Any], command: str) -> bool:
    denied, _ = _failed(description)
    missing = set((description.get("faults") or {}).get("missing_cmdlets") or [])
    return command in denied or command in missing


def _expected_replication_server(description: Mapping[str, Any], errors: list[dict[str, Any]]) -> dict[str, Any] | None:
    denied, _ = _failed(description)
    if _down(description, "Get-VMReplicationServer"):
        message = denied.get("Get-VMReplicationServer", "")
        errors.append({"section": "replication_server", "vm_id": None, "message": message})
        return None
    given = description.get("replication_server")
    settings = dict(_NOT_A_REPLICA_SERVER) if given is None else {k: given.get(k) for k in _NOT_A_REPLICA_SERVER}
    server: dict[str, Any] = {**settings, "authorization_entries": None, "certificate": None}
    if _down(description, "Get-VMReplicationAuthorizationEntry"):
        message = denied.get("Get-VMReplicationAuthorizationEntry", "")
        errors.append({"section": "authorization_entries", "vm_id": None, "message": message})
    else:
        server["authorization_entries"] = [
            {
                "allowed_primary_server": e["allowed_primary_server"],
                "replica_storage_location": e.get("replica_storage_location") or None,
                "trust_group": e.get("trust_group") or None,
            }
            for e in (given or {}).get("authorization_entries") or []
        ]
    thumbprint = re.sub("[^0-9A-Fa-f]", "", str(settings["certificate_thumbprint"] or ""))
    if not thumbprint:
        return server
    if "Cert:" in denied:
        errors.append({"section": "certificate", "vm_id": None, "message": denied["Cert:"]})
        return server
    server["certificate"] = _expected_certificate(given, thumbprint)
    return server


_CERTIFICATE_BLANK = {
    "subject": None,
    "not_after": None,
    "has_private_key": None,
    "dns_names": None,
    "enhanced_key_usages": None,
    "chain_valid": None,
}


def _expected_certificate(given: Mapping[str, Any] | None, thumbprint: str) -> dict[str, Any]:
    """The store entry for a thumbprint, as the stand-in's Get-Item finds it: the description's
    certificate or broker certificate with that thumbprint (fields it lacks stay null)."""
    for key in ("certificate", "broker_certificate"):
        found = (given or {}).get(key)
        # The store's paths ignore case, as PowerShell's -ne in the stand-in does.
        if found and found.get("found") and str(found.get("thumbprint")).lower() == thumbprint.lower():
            return {
                "thumbprint": thumbprint,
                "found": True,
                "subject": found.get("subject") or None,
                "not_after": found.get("not_after"),
                "has_private_key": found.get("has_private_key"),
                "dns_names": _listed(found.get("dns_names")),
                "enhanced_key_usages": _listed(found.get("enhanced_key_usages")),
                "chain_valid": found.get("chain_valid"),
            }
    return {"thumbprint": thumbprint, "found": False, **_CERTIFICATE_BLANK}


def _listed(values: Sequence[Any] | None) -> list[str] | None:
    return None if values is None else [str(v) for v in values]


def _expected_broker_certificate(
    description: Mapping[str, Any], resources: Sequence[Mapping[str, Any]], errors: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The broker's certificate, looked up in this node's store by the first broker's thumbprint."""
    thumbprint = ""
    for resource in resources:
        if resource["type"] == BROKER_TYPE:
            thumbprint = re.sub("[^0-9A-Fa-f]", "", str(resource.get("certificate_thumbprint") or ""))
            break
    if not thumbprint:
        return None
    denied, _ = _failed(description)
    if "Cert:" in denied:
        errors.append({"section": "certificate", "vm_id": None, "message": denied["Cert:"]})
        return None
    return _expected_certificate(description.get("replication_server"), thumbprint)


def _expected_qos(description: Mapping[str, Any], errors: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    denied, _ = _failed(description)
    policies = description.get("qos_policies")
    if policies is None:
        errors.append({"section": "qos_policies", "vm_id": None, "message": NO_NETQOS_MESSAGE})
        return None
    if "Get-NetQosPolicy" in denied:
        errors.append({"section": "qos_policies", "vm_id": None, "message": denied["Get-NetQosPolicy"]})
        return None
    # A real policy reports 0 for a rate or port it does not set.
    return [
        {
            "name": q["name"],
            "throttle_bits_per_second": q.get("throttle_bits_per_second") or 0,
            "dst_port_start": q.get("dst_port_start") or 0,
            "dst_port_end": q.get("dst_port_end") or 0,
        }
        for q in policies
    ]


def _expected_cluster_resources(
    description: Mapping[str, Any], errors: list[dict[str, Any]]
) -> list[dict[str, Any]] | None:
    denied, _ = _failed(description)
    if "MSCluster_Resource" in denied:
        errors.append({"section": "cluster_resources", "vm_id": None, "message": denied["MSCluster_Resource"]})
        return None
    computer = description["computer"]
    listed = {r["name"] for r in description.get("cluster_resources") or []}
    resources: list[dict[str, Any]] = []
    depends = "MSCluster_ResourceToDependentResource"
    for r in description.get("cluster_resources") or []:
        if not r.get("type"):
            continue
        broker = r["type"] == BROKER_TYPE
        cap = r.get("client_access_point") if broker else None
        label = str(cap).split(".")[0] if cap else None
        point = None
        if label and depends not in denied:
            point = f"{label}.{computer['Domain']}" if computer["PartOfDomain"] else label
        resources.append(
            {
                "name": r["name"],
                "type": r["type"],
                "state": r.get("state"),
                "recovery_server_enabled": r.get("recovery_server_enabled") if broker else None,
                "certificate_thumbprint": (r.get("certificate_thumbprint") or None) if broker else None,
                "client_access_point": point,
            }
        )
        if label and label not in listed:
            # The stand-in plays the Network Name resource the broker depends on.
            listed.add(label)
            blank = {"recovery_server_enabled": None, "certificate_thumbprint": None, "client_access_point": None}
            resources.append({"name": label, "type": "Network Name", "state": "Online", **blank})
    if depends in denied and any(r["type"] == BROKER_TYPE for r in resources):
        errors.append({"section": "cluster_resources", "vm_id": None, "message": denied[depends]})
    return resources


def _expected_vms(description: Mapping[str, Any], errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    denied, per_vm = _failed(description)
    missing = set((description.get("faults") or {}).get("missing_cmdlets") or [])

    def section_down(command: str) -> bool:
        return command in denied or command in missing

    if section_down("Get-VM"):
        errors.append({"section": "vms", "vm_id": None, "message": denied.get("Get-VM", "")})
        return []
    vms = []
    vss_read = False  # decided below, once the VMs the script reads are known
    for vm in description["vms"]:
        if vm["id"].lower() in per_vm.get("Get-VM", {}):
            errors.append({"section": "vms", "vm_id": vm["id"].lower(), "message": per_vm["Get-VM"][vm["id"].lower()]})
            continue
        vms.append(copy.deepcopy(vm))
    # The Msvm_VssComponent query runs when a relationship the script read takes
    # application-consistent points and some VM lists its VSS service.
    wants_vss = not section_down("Get-VMReplication") and any(
        (r.get("app_consistent_hours") or 0) > 0
        for vm in vms
        if vm["id"].lower() not in per_vm.get("Get-VMReplication", {})
        for r in vm["replication"]["relationships"]
    )
    has_vss = not section_down("Get-VMIntegrationService") and any(
        s["guid"].lower() == VSS_GUID
        for vm in vms
        if vm["id"].lower() not in per_vm.get("Get-VMIntegrationService", {})
        for s in vm["integration_services"]
    )
    vss_read = wants_vss and has_vss and "Msvm_VssComponent" not in denied
    if wants_vss and has_vss and "Msvm_VssComponent" in denied:
        errors.append({"section": "vss", "vm_id": None, "message": denied["Msvm_VssComponent"]})
    # Measure-VMReplication is asked about the Replica-side VMs (Replica, Extended Replica).
    replica_side = [vm for vm in vms if vm["replication"]["mode"] in (2, 4)]
    replica_ids = {vm["id"].lower() for vm in replica_side}
    measured = bool(replica_side) and not section_down("Measure-VMReplication")
    if replica_side and section_down("Measure-VMReplication"):
        errors.append(
            {"section": "replication_statistics", "vm_id": None, "message": denied.get("Measure-VMReplication", "")}
        )
    for vm in replica_side:
        vm_id = vm["id"].lower()
        if vm_id in per_vm.get("Measure-VMReplication", {}):
            message = per_vm["Measure-VMReplication"][vm_id]
            errors.append({"section": "replication_statistics", "vm_id": vm_id, "message": message})
    # The failover settings' two CIM queries run when some synthetic adapter of a replicated VM
    # was listed; a failure of either costs all failover settings.
    adapters_read = not section_down("Get-VMNetworkAdapter")
    failover_asked = adapters_read and any(
        vm["replication"]["mode"] in REPLICATED_MODES
        and vm["id"].lower() not in per_vm.get("Get-VMNetworkAdapter", {})
        and any(not a.get("legacy") and a.get("id") for a in vm["network_adapters"])
        for vm in vms
    )
    failover_down = next((q for q in FAILOVER_QUERIES if q in denied), None)
    if failover_asked and failover_down:
        errors.append({"section": "network_adapters", "vm_id": None, "message": denied[failover_down]})
    kvp_read = not section_down("Msvm_KvpExchangeComponent")
    # Get-VMSnapshot is asked only about failed-over VMs (FailedOverWaitingCompletion, 6).
    failed_over = [vm for vm in vms if vm["replication"]["state"] == 6]
    if failed_over and section_down("Get-VMSnapshot"):
        errors.append({"section": "checkpoints", "vm_id": None, "message": denied.get("Get-VMSnapshot", "")})
    for vm in vms:
        vm_id = vm["id"].lower()
        if vm["replication"]["state"] != 6:
            vm["checkpoints"] = None
        elif section_down("Get-VMSnapshot") or vm_id in per_vm.get("Get-VMSnapshot", {}):
            vm["checkpoints"] = []
            if vm_id in per_vm.get("Get-VMSnapshot", {}):
                errors.append({"section": "checkpoints", "vm_id": vm_id, "message": per_vm["Get-VMSnapshot"][vm_id]})
        else:
            vm["checkpoints"] = [
                {"type": c["type"], "name": c.get("name") or None} for c in vm.get("checkpoints") or []
            ]
        if description.get("old_host"):
            vm["version"] = None
            vm["type"] = None
        if section_down("Get-VMReplication") or vm_id in per_vm.get("Get-VMReplication", {}):
            vm["replication"]["relationships"] = []
        mode = vm["replication"]["mode"]
        for rel in vm["replication"]["relationships"]:
            rel["mode"] = mode  # Get-VMReplication reports the VM's own mode
            rel["replica_port"] = rel.get("replica_port")
            rel["recovery_history"] = rel.get("recovery_history")
            # The disk getters are read for Primary VMs only.
            for key in ("replicated_disks", "excluded_disks"):
                rel[key] = _listed(rel.get(key)) if mode == 1 else None
            tested = rel.get("last_test_failover_time")
            if not (measured and vm_id in replica_ids and vm_id not in per_vm.get("Measure-VMReplication", {})):
                tested = None
            rel["last_test_failover_time"] = _utc_text(tested)
        off = vm["state"] in OFF_STATES
        services = [] if section_down("Get-VMIntegrationService") else vm["integration_services"]
        if vm_id in per_vm.get("Get-VMIntegrationService", {}):
            services = []
        for service in services:
            service["name"] = service.get("name") or None
            guid = service["guid"].lower()
            if guid != KVP_GUID and not (guid == VSS_GUID and vss_read):
                # The script reads no status getter (each re-queries WMI on a real host); the
                # VSS status comes from its own host-wide query, when one is made.
                service["primary_status"] = service["secondary_status"] = None
            elif off and (guid == VSS_GUID or kvp_read):
                # An off VM has no guest component instance to carry a status.
                service["primary_status"] = service["secondary_status"] = None
        vm["integration_services"] = services
        if not kvp_read or off:
            vm["kvp"] = None
        adapters = [] if section_down("Get-VMNetworkAdapter") else vm["network_adapters"]
        if vm_id in per_vm.get("Get-VMNetworkAdapter", {}):
            adapters = []
        for adapter in adapters:
            failover = adapter.get("failover")
            if (
                failover is None
                or failover_down
                or adapter.get("legacy")
                or not adapter.get("id")
                or vm["replication"]["mode"] not in REPLICATED_MODES
            ):
                adapter["failover"] = None
            else:
                adapter["failover"] = _failover_as_read(failover)
            adapter.pop("legacy", None)
        vm["network_adapters"] = adapters
        if vm.get("uptime_seconds") is not None:
            vm["uptime_seconds"] = float(round(vm["uptime_seconds"]))
    for command, section in COMMAND_SECTIONS.items():
        if command == "Get-VM" or section in CONDITIONAL or command in FAILOVER_QUERIES:
            continue
        if command in denied:
            errors.append({"section": section, "vm_id": None, "message": denied[command]})
        for vm_id, message in per_vm.get(command, {}).items():
            if any(v["id"].lower() == vm_id for v in vms):
                errors.append({"section": section, "vm_id": vm_id, "message": message})
    return vms


def _utc_text(value: Any) -> str | None:
    """A description time as the script writes times: ISO 8601 UTC to the second."""
    if value is None:
        return None
    text = str(value)
    parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ip(text: str | None, version: int) -> bool:
    try:
        return text is not None and ipaddress.ip_address(text).version == version
    except ValueError:
        return False


def _first(values: Sequence[str | None], accept: Callable[[str], bool]) -> str | None:
    return next((v for v in values if v is not None and accept(v)), None)


def _mask(text: str) -> bool:
    if not _ip(text, 4):
        return False
    bits = "".join(f"{b:08b}" for b in ipaddress.IPv4Address(text).packed)
    return "01" not in bits


def _prefix(text: str) -> bool:
    return text.strip().lstrip("+-").isdigit() and 0 <= int(text) <= 128


def _failover_as_read(failover: Mapping[str, Any]) -> dict[str, str | None] | None:
    """Failover settings after the round trip the stand-in and the script make: stored as
    Msvm_FailoverNetworkAdapterSettingData arrays (as Set-VMNetworkAdapterFailoverConfiguration
    stores them), read back as the module reads them (first valid value of each family)."""

    def get(key: str) -> str | None:
        value = failover.get(key)
        return None if value in (None, "") else str(value)

    v4, v6 = get("ipv4_address"), get("ipv6_address")
    if v4 is None and v6 is None:
        return None
    addresses = [a for a in (v4, v6) if a is not None]
    subnets = [get("ipv4_subnet_mask") if v4 else None, get("ipv6_prefix_length") if v6 else None]
    if not (v4 and v6):
        subnets = [subnets[0] if v4 else subnets[1]]
    gateways = [g for g in (get("ipv4_default_gateway"), get("ipv6_default_gateway")) if g is not None]
    dns_keys = ("ipv4_preferred_dns", "ipv4_alternate_dns", "ipv6_preferred_dns", "ipv6_alternate_dns")
    dns = [d for d in (get(k) for k in dns_keys) if d is not None]
    dns4 = [d for d in dns if _ip(d, 4)]
    dns6 = [d for d in dns if _ip(d, 6)]
    read: dict[str, str | None] = dict.fromkeys(failover)
    if v4 is not None:
        read["ipv4_address"] = _first(addresses, lambda a: _ip(a, 4))
        read["ipv4_subnet_mask"] = _first(subnets, _mask)
        read["ipv4_default_gateway"] = _first(gateways, lambda g: _ip(g, 4))
        read["ipv4_preferred_dns"] = dns4[0] if dns4 else None
        read["ipv4_alternate_dns"] = dns4[1] if len(dns4) > 1 else None
    if v6 is not None:
        read["ipv6_address"] = _first(addresses, lambda a: _ip(a, 6))
        read["ipv6_prefix_length"] = _first(subnets, _prefix)
        read["ipv6_default_gateway"] = _first(gateways, lambda g: _ip(g, 6))
        read["ipv6_preferred_dns"] = dns6[0] if dns6 else None
        read["ipv6_alternate_dns"] = dns6[1] if len(dns6) > 1 else None
    return read if any(v is not None for v in read.values()) else None


def expected_snapshot(description: Mapping[str, Any]) -> HostSnapshot:
    return snapshot_from_data(expected_data(description), source="expected")


def comparable(snapshot: HostSnapshot) -> HostSnapshot:
    """What a comparison with :func:`expected_snapshot` looks at: not the clock, the
    collector's version or the PowerShell version, and errors in any order."""
    return replace(
        snapshot,
        collected_at=None,
        collector_version=None,
        host=replace(snapshot.host, ps_version=None),
        errors=tuple(sorted(snapshot.errors, key=lambda e: (e.section, e.vm_id or "", e.message))),
    )
