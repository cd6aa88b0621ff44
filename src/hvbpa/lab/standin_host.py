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
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

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
}
# Sections read host-wide only: an error for one VM in them cannot be played.
HOST_WIDE = frozenset({"kvp", "replication_server", "authorization_entries", "certificate", "cluster_resources", "vss"})
# Sections the script reads only when something asks for them: their errors are worked out apart.
CONDITIONAL = frozenset(
    {"checkpoints", "replication_server", "authorization_entries", "certificate", "cluster_resources", "vss"}
)
COMMAND_SECTIONS = {command: section for section, command in SECTION_COMMANDS.items()}
COMMAND_SECTIONS["Get-VMNetworkAdapterFailoverConfiguration"] = "network_adapters"
REPLICATED_MODES = (1, 2, 4)  # Primary, Replica, ExtendedReplica: the VMs with failover settings
NO_MODULE_MESSAGE = "Hyper-V PowerShell module not installed; no VMs read."
NOT_ADMIN_MESSAGE = "Account is neither administrator nor Hyper-V Administrator (S-1-5-32-578); no VMs read."


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
    return {
        "schema": "hvbpa.snapshot/1",
        "collected_at": None,
        "collector_version": None,
        "host": host,
        "vms": vms,
        "errors": errors,
        "replication_server": replication_server,
        "cluster_resources": resources,
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
    found = (given or {}).get("certificate")
    if found and found.get("found") and found.get("thumbprint") == thumbprint:
        server["certificate"] = {
            "thumbprint": thumbprint,
            "found": True,
            "subject": found.get("subject") or None,
            "not_after": found.get("not_after"),
            "has_private_key": found.get("has_private_key"),
        }
    else:
        blank = {"subject": None, "not_after": None, "has_private_key": None}
        server["certificate"] = {"thumbprint": thumbprint, "found": False, **blank}
    return server


def _expected_cluster_resources(
    description: Mapping[str, Any], errors: list[dict[str, Any]]
) -> list[dict[str, Any]] | None:
    denied, _ = _failed(description)
    if "MSCluster_Resource" in denied:
        errors.append({"section": "cluster_resources", "vm_id": None, "message": denied["MSCluster_Resource"]})
        return None
    return [
        {"name": r["name"], "type": r["type"], "state": r.get("state")}
        for r in description.get("cluster_resources") or []
        if r.get("type")
    ]


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
        vm["integration_services"] = services
        if section_down("Msvm_KvpExchangeComponent"):
            vm["kvp"] = None
        adapters = [] if section_down("Get-VMNetworkAdapter") else vm["network_adapters"]
        if vm_id in per_vm.get("Get-VMNetworkAdapter", {}):
            adapters = []
        failover_down = section_down("Get-VMNetworkAdapterFailoverConfiguration")
        for adapter in adapters:
            failover = adapter.get("failover")
            if (
                failover is None
                or failover_down
                or adapter.get("legacy")
                or vm["replication"]["mode"] not in REPLICATED_MODES
                or vm_id in per_vm.get("Get-VMNetworkAdapterFailoverConfiguration", {})
                or not any(v not in (None, "") for v in failover.values())
            ):
                adapter["failover"] = None
            else:
                adapter["failover"] = {k: None if v in (None, "") else str(v) for k, v in failover.items()}
            adapter.pop("legacy", None)
        vm["network_adapters"] = adapters
        if vm.get("uptime_seconds") is not None:
            vm["uptime_seconds"] = float(round(vm["uptime_seconds"]))
    for command, section in COMMAND_SECTIONS.items():
        if command == "Get-VM" or section in CONDITIONAL:
            continue
        if command in denied:
            errors.append({"section": section, "vm_id": None, "message": denied[command]})
        for vm_id, message in per_vm.get(command, {}).items():
            if any(v["id"].lower() == vm_id for v in vms):
                errors.append({"section": section, "vm_id": vm_id, "message": message})
    return vms


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
