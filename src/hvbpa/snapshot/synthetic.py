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


def vm_record(name: str, ident: str, kind: str, mode: int = 1, *, failover_ip: str | None = None) -> dict[str, Any]:
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
                }
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
    vms = []
    for index in range(vm_count):
        kind = "healthy"
        if mix:
            kind = rng.choices(("healthy", "absent", "off"), weights=(8, 1, 1))[0]
        vms.append(
            vm_record(
                f"{kind}-{index:04d}",
                vm_id(seed or name, index),
                kind,
                mode=1 if kind != "off" else 2,
                # Every replicated VM gets a failover address, as a Replica site usually configures.
                failover_ip=f"10.{index // 250 % 250}.{index % 250}.10",
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
        "replication_server": copy.deepcopy(REPLICATION_SERVER),
        "cluster_resources": None,
    }


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
    },
}


def host_snapshot_json(name: str, vm_count: int, **kwargs: Any) -> str:
    return json.dumps(host_snapshot(name, vm_count, **kwargs), ensure_ascii=False)
