"""Synthetic host snapshots for the lab host, tests and benchmarks.

Deterministic for a given seed, so a generated host is the same in every run and
its verdicts can be predicted: every VM's name says what it is meant to be.
"""

from __future__ import annotations

import copy
import json
import random
import uuid
from typing import Any

from hvbpa.snapshot.enums import GUEST_SERVICE_GUID, HEARTBEAT_GUID, KVP_GUID, SHUTDOWN_GUID, TIME_SYNC_GUID, VSS_GUID
from hvbpa.snapshot.model import SNAPSHOT_SCHEMA

_SERVICES = (
    (HEARTBEAT_GUID, "Heartbeat"),
    (KVP_GUID, "Key-Value Pair Exchange"),
    (SHUTDOWN_GUID, "Shutdown"),
    (TIME_SYNC_GUID, "Time Synchronization"),
    (VSS_GUID, "VSS"),
    (GUEST_SERVICE_GUID, "Guest Service Interface"),
)

# kind -> (state, kvp status, kvp enabled, guest data version, heartbeat)
KINDS: dict[str, tuple[int, int | None, bool, str | None, int | None]] = {
    "healthy": (2, 2, True, "10.0.20348.1", 6),
    "absent": (2, 12, True, None, 2),
    "off": (3, None, True, None, None),
    "disabled": (2, 32896, False, None, 6),
}


def vm_id(seed: str, index: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"hvbpa-synthetic/{seed}/{index}"))


# FILETIME zero as Get-VMReplication writes it: no test failover was ever run.
NEVER = "1601-01-01T00:00:00Z"
# The listener a primary sends to, by its authentication type: HTTP (Kerberos) or HTTPS (certificate).
PORTS = {1: 80, 2: 443}


def disk_path(vm_name: str, disk: str = "", extension: str = "vhdx") -> str:
    """Where Hyper-V puts a new VM's disks by default: one folder for every VM of the host."""
    suffix = f"-{disk}" if disk else ""
    return f"C:\\ProgramData\\Microsoft\\Windows\\Virtual Hard Disks\\{vm_name}{suffix}.{extension}"


def vm_record(
    name: str,
    ident: str,
    kind: str,
    mode: int = 1,
    *,
    failover_ip: str | None = None,
    relationship: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One VM; ``relationship`` replaces settings of its replication relationship."""
    state, status, enabled, version, heartbeat = KINDS[kind]
    services = [
        {
            "guid": guid.upper(),
            "name": label,
            "enabled": enabled if guid == KVP_GUID else True,
            "primary_status": status if guid == KVP_GUID else (2 if state == 2 else None),
            "secondary_status": None,
        }
        for guid, label in _SERVICES
    ]
    return {
        "name": name,
        "id": ident,
        "state": state,
        "uptime_seconds": 86400.0 if state == 2 else 0.0,
        "heartbeat": heartbeat,
        "generation": 2,
        "version": "10.0",
        "type": 3,
        "is_clustered": False,
        "replication": {
            "mode": mode,
            "state": 4,
            "health": 1,
            "relationships": [
                {
                    "type": "Simple",
                    "mode": mode,
                    "state": 4,
                    "health": 1,
                    "primary_server": "hv-pri.example.test",
                    "replica_server": "hv-rep.example.test",
                    "current_replica_server": "hv-rep.example.test",
                    # A well-kept relationship: every replication rule finds it compliant.
                    "frequency_seconds": 300,
                    "compression_enabled": True,
                    "authentication_type": 2,
                    "app_consistent_hours": 0,
                    "auto_resync_enabled": True,
                    "auto_resync_start_seconds": 18 * 3600 + 30 * 60,
                    "auto_resync_end_seconds": 6 * 3600,
                    "last_replication_time": "2026-11-25T11:58:00Z",
                    "replica_port": PORTS[2],
                    "recovery_history": 4,
                    "replicated_disks": [disk_path(name)],
                    "excluded_disks": [],
                    # Test failovers are run on the Replica; a primary reports none.
                    "last_test_failover_time": NEVER if mode == 1 else "2026-11-20T02:00:00Z",
                }
                | (relationship or {})
            ],
        },
        "integration_services": services,
        "kvp": {
            "integration_services_version": version,
            "os_name": "Windows Server 2022 Datacenter",
            "os_version": "10.0.20348",
        }
        if version
        else None,
        "network_adapters": [
            {
                "name": "Network Adapter",
                "id": f"Microsoft:{ident.upper()}\\NIC0",
                "failover": {"ipv4_address": failover_ip, "ipv4_subnet_mask": "255.255.255.0"} if failover_ip else None,
            }
        ],
    }


def host_snapshot(name: str, vm_count: int, *, seed: str | None = None, mix: bool = True) -> dict[str, Any]:
    """A host with ``vm_count`` replicated VMs; with ``mix`` a fixed share lack integration services."""
    rng = random.Random(seed or name)
    # The settings below draw from their own generator, so a host's VM kinds are what they were before them.
    settings = random.Random(f"{seed or name}/settings")
    vms = []
    for index in range(vm_count):
        kind = "healthy"
        if mix:
            kind = rng.choices(("healthy", "absent", "off"), weights=(8, 1, 1))[0]
        vm_name = f"{kind}-{index:04d}"
        mode = 1 if kind != "off" else 2
        vms.append(
            vm_record(
                vm_name,
                vm_id(seed or name, index),
                kind,
                mode=mode,
                # Every replicated VM gets a failover address, as a Replica site usually configures.
                failover_ip=f"10.{index // 250 % 250}.{index % 250}.10",
                relationship=_relationship_settings(settings, vm_name, mode) if mix else _kept(vm_name, mode),
            )
        )
    return {
        "schema": SNAPSHOT_SCHEMA,
        "collected_at": "2026-11-25T12:00:00Z",
        "collector_version": "synthetic",
        "host": {
            "name": name,
            "fqdn": f"{name.lower()}.example.test",
            "os_caption": "Microsoft Windows Server 2022 Datacenter",
            "os_build": "20348",
            "ps_version": "5.1.20348.2849",
            "hyperv_module": True,
            "is_admin": True,
            "is_hyperv_admin": True,
            "cluster_name": None,
        },
        "vms": vms,
        "errors": [],
        "replication_server": _replication_server(f"{name.lower()}.example.test"),
        "cluster_resources": None,
        "qos_policies": _qos_policies(settings) if mix else [REPLICA_THROTTLE],
    }


def _relationship_settings(rng: random.Random, vm_name: str, mode: int) -> dict[str, Any]:
    """Disks and recovery settings as they vary between VMs: a data disk, a legacy .vhd, a
    checkpoint's .avhdx, an excluded paging disk; a Replica's test failover never run, recent or old."""
    disks = [disk_path(vm_name)]
    if rng.random() < 0.5:
        disks.append(disk_path(vm_name, "data", rng.choices(("vhdx", "vhd", "avhdx"), weights=(6, 1, 1))[0]))
    excluded = [disk_path(vm_name, "pagefile")] if rng.random() < 0.2 else []
    tested = NEVER
    if mode == 2:
        tested = rng.choice((NEVER, "2026-11-21T03:15:00Z", "2025-12-02T22:40:00Z"))
    return {
        "recovery_history": rng.randint(0, 24),
        "replicated_disks": disks,
        "excluded_disks": excluded,
        "last_test_failover_time": tested,
    }


def _kept(vm_name: str, mode: int) -> dict[str, Any]:
    """A well-kept VM's disks and drills: the paging disk excluded, VHDX only, a recent test failover."""
    return {
        "recovery_history": 4,
        "replicated_disks": [disk_path(vm_name)],
        "excluded_disks": [disk_path(vm_name, "pagefile")],
        "last_test_failover_time": NEVER if mode == 1 else "2026-11-21T03:15:00Z",
    }


REPLICA_THROTTLE = {
    "name": "Replica",
    "throttle_bits_per_second": 200_000_000,
    "dst_port_start": 443,
    "dst_port_end": 443,
}


def _replication_server(fqdn: str) -> dict[str, Any]:
    """The Replica server below, its certificate issued for this host's name."""
    server = copy.deepcopy(REPLICATION_SERVER)
    server["certificate"]["dns_names"] = [fqdn]
    server["certificate"]["subject"] = f"CN={fqdn}"
    return server


def _qos_policies(rng: random.Random) -> list[dict[str, Any]] | None:
    """Get-NetQosPolicy: most hosts have none; some throttle Replica's HTTPS traffic or SMB."""
    shape = rng.choices(("none", "replica", "smb", "unread"), weights=(5, 2, 2, 1))[0]
    if shape == "unread":
        return None
    policies: list[dict[str, Any]] = []
    if shape == "replica":
        policies.append(dict(REPLICA_THROTTLE))
    if shape == "smb":
        policies.append({"name": "SMB", "throttle_bits_per_second": None, "dst_port_start": 445, "dst_port_end": 445})
        policies.append({"name": "Backup", "throttle_bits_per_second": 0, "dst_port_start": None, "dst_port_end": None})
    return policies


# A Replica server set up as the BPA asks: certificate authentication with a valid
# certificate, and one authorization entry per primary server.
REPLICATION_SERVER: dict[str, Any] = {
    "enabled": True,
    "allowed_authentication": 2,
    "allowed_from_any_server": False,
    "certificate_thumbprint": "3F2A9C1D7E5B4A6C8D0E1F2A3B4C5D6E7F8A9B0C",
    "authorization_entries": [
        {
            "allowed_primary_server": "hv-pri.example.test",
            "replica_storage_location": "D:\\Replica\\hv-pri",
            "trust_group": "DEFAULT",
        }
    ],
    "certificate": {
        "thumbprint": "3F2A9C1D7E5B4A6C8D0E1F2A3B4C5D6E7F8A9B0C",
        "found": True,
        "subject": "CN=hv-rep.example.test",
        "not_after": "2031-01-01T00:00:00Z",
        "has_private_key": True,
        "dns_names": ["hv-rep.example.test"],
        "enhanced_key_usages": ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"],
        "chain_valid": True,
    },
    "broker_certificate": None,  # not a cluster node
}


def host_snapshot_json(name: str, vm_count: int, **kwargs: Any) -> str:
    return json.dumps(host_snapshot(name, vm_count, **kwargs), ensure_ascii=False)
