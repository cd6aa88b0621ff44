"""The collection script in real PowerShell (section ``powershell``).

* Host-side cost: cmdlet and CIM calls per host for 1, 100 and 1,024 VMs, counted by the
  Hyper-V and CIM stand-ins, and the script's run time in this PowerShell for those sizes
  (the bootstrap, the script, and the stand-ins answering it; one warm process, median of
  the repeats).
* A scan of a few lab hosts that execute the delivered command in PowerShell against the
  same scan with canned answers: what running the real script costs per host.
"""

from __future__ import annotations

from typing import Any

from bench_common import Section, goal, median
from bench_lab import measured_scan
from hvbpa.collect import collection_script
from hvbpa.collect.delivery import plan_delivery
from hvbpa.lab import HostConfig, build_fleet, start_fleet
from hvbpa.lab.pwsh import Job, locate_powershell, run_many
from hvbpa.lab.standin_host import describe
from hvbpa.snapshot.synthetic import host_snapshot, host_snapshot_json

TITLE = "The collection script in real PowerShell"
SIZES = (1, 100, 1024)
# Calls per host: 3 host facts (OS, computer, cluster), 8 Hyper-V cmdlets (Measure-VMReplication
# where a Replica VM exists), the KVP query, the two failover-settings queries, the Replica
# server's certificate store entry, and Get-NetQosPolicy where NetQos exists.
# tests/powershell/test_host_cost.py states the same budget call by call.
BUDGET = 15


def _every_read(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Every conditional read made at every size: a Replica VM and NetQos present."""
    vm = snapshot["vms"][-1]
    vm["replication"]["mode"] = vm["replication"]["relationships"][0]["mode"] = 2
    if snapshot.get("qos_policies") is None:
        snapshot["qos_policies"] = []
    return snapshot


def _host_side(pwsh: Any, repeats: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    plan = plan_delivery(collection_script())
    descriptions = {n: describe(_every_read(host_snapshot(f"HV-PS-{n}", n, seed="bench"))) for n in SIZES}
    # Warm-up first (module import, type load), then each size ``repeats`` times, interleaved.
    order = [1] + [n for _ in range(repeats) for n in SIZES]
    results = run_many(pwsh, [Job(descriptions[n], plan) for n in order])[1:]
    rows: list[dict[str, Any]] = []
    counts: list[int] = []
    for size in SIZES:
        mine = [r for n, r in zip(order[1:], results, strict=True) if n == size]
        assert all(r.error is None for r in mine), [r.error for r in mine]
        calls = mine[0].calls
        counts.append(sum(calls.values()))
        rows.append(
            {
                "vms": size,
                "calls": sum(calls.values()),
                "by_call": dict(sorted(calls.items())),
                "run_s": round(median([r.seconds for r in mine]), 3),
                "standins_s": round(median([r.standin_seconds for r in mine]), 3),
                "script_s": round(median([r.seconds - r.standin_seconds for r in mine]), 3),
                "runs_s": [round(r.seconds, 3) for r in mine],
            }
        )
    goals = [
        goal(
            "same calls per host for 1, 100, 1024 VMs",
            float(len(set(counts)) == 1),
            1.0,
            "",
            higher_is_better=True,
        ),
        goal(
            "calls per host (any VM count)",
            float(max(counts)),
            BUDGET,
            "calls",
            higher_is_better=False,
        ),
    ]
    return rows, goals


def _scan(hosts: int, vms: int, execute: str, repeats: int) -> dict[str, Any]:
    configs = [
        HostConfig(f"PS{i:02d}", execute=execute, snapshot_text=host_snapshot_json(f"PS{i:02d}", vms))
        for i in range(hosts)
    ]
    with start_fleet(build_fleet(configs), processes=True, workers=min(hosts, 2)) as running:
        endpoints = running.hosts
        runs = [measured_scan(running, endpoints, jobs=hosts) for _ in range(repeats)]
    best = sorted(runs, key=lambda r: r.wall)[len(runs) // 2]
    return {
        "execute": execute,
        "hosts": hosts,
        "vms_per_host": vms,
        "jobs": hosts,
        "wall_s": round(best.wall, 3),
        "wall_runs_s": [round(r.wall, 3) for r in runs],
        "client_cpu_s": round(best.client_cpu, 3),
        "lab_cpu_s": round(best.lab_cpu, 3),
        "statuses": best.statuses,
    }


def run_powershell(quick: bool) -> Section:
    located = locate_powershell()
    if located.path is None:
        return {"title": TITLE, "skipped": located.how, "goals": []}
    repeats = 1 if quick else 3
    rows, goals = _host_side(located.path, repeats)
    hosts, vms = (2, 10) if quick else (4, 50)
    scans = [_scan(hosts, vms, mode, repeats) for mode in ("canned", "powershell")]
    return {
        "title": TITLE,
        "parameters": {"powershell": str(located.path), "repeats": repeats},
        "host_side": rows,
        "scans": scans,
        "goals": goals,
    }
