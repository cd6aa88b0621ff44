"""Benchmarks against the lab: real WS-Management servers on loopback, in worker processes.

The client is hvbpa's own scan core (``scan_hosts``) in a process of its own
(scan_client.py), as `hvbpa scan` runs; its CPU time includes its scan workers'.
The lab's is read from its workers' /proc stat.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_common import Section, goal, median, ms, process_cpu_seconds
from hvbpa.collect.fleet import scan_hosts
from hvbpa.collect.settings import ConnectionSettings
from hvbpa.lab import HostConfig, HostEndpoint, RunningFleet, build_fleet, start_fleet
from hvbpa.lab.demo import lab_settings, lab_target
from hvbpa.lab.kdc import missing_programs
from hvbpa.lab.kerberos_auth import kerberos_available
from hvbpa.snapshot.synthetic import host_snapshot_json
from hvbpa.targets.model import Target


@dataclass(frozen=True)
class ScanMeasure:
    hosts: int
    jobs: int
    wall: float
    client_cpu: float
    lab_cpu: float
    lab_requests: tuple[int, ...]  # per scanned host, from the lab's own counters
    client_requests: tuple[int, ...]  # per scanned host, outcome.requests
    statuses: dict[str, int]

    @property
    def requests_per_host(self) -> float:
        return sum(self.lab_requests) / len(self.lab_requests)


def _with_kerberos(transports: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
    """The transports to measure, Kerberos added where a realm can run here; else why not."""
    missing = missing_programs()
    why = f"no MIT Kerberos ({', '.join(missing)})" if missing else kerberos_available()
    return (transports if why else (*transports, "kerberos")), why


def _use_realm(running: RunningFleet) -> None:
    """Clients (this process, its scan workers, scan_client.py) find the fleet's realm."""
    if running.realm is not None:
        os.environ["KRB5_CONFIG"] = str(running.realm.krb5_conf)


def _targets(endpoints: Sequence[HostEndpoint]) -> tuple[list[Target], ConnectionSettings]:
    return [lab_target(h) for h in endpoints], lab_settings(endpoints)


def _client_request(endpoints: Sequence[HostEndpoint], jobs: int) -> str:
    targets, settings = _targets(endpoints)
    fields = {k: v for k, v in vars(settings).items() if k != "password"}
    fields["password"] = settings.password.reveal() if settings.password else None
    return json.dumps({"targets": [vars(t) for t in targets], "settings": fields, "jobs": jobs, "processes": None})


def measured_scan(running: RunningFleet, endpoints: Sequence[HostEndpoint], jobs: int) -> ScanMeasure:
    """Scan from a separate client process (scan_client.py), as `hvbpa scan` would run."""
    names = [h.name for h in endpoints]
    before = running.request_counts()
    lab_before = process_cpu_seconds(running.pids)
    client = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("scan_client.py"))],
        input=_client_request(endpoints, jobs),
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    result = json.loads(client.stdout)
    lab_cpu = process_cpu_seconds(running.pids) - lab_before
    after = running.request_counts()
    return ScanMeasure(
        hosts=len(endpoints),
        jobs=jobs,
        wall=float(result["wall"]),
        client_cpu=float(result["cpu"]),
        lab_cpu=lab_cpu,
        lab_requests=tuple(after[n] - before[n] for n in names),
        client_requests=tuple(int(r) for r in result["requests"]),
        statuses={str(k): int(v) for k, v in result["statuses"].items()},
    )


def warm_up(running: RunningFleet, count: int = 4) -> None:
    """Import pywinrm and friends, and open the first connections, outside any measurement."""
    endpoints = running.hosts[:count]
    scan_hosts(*_targets(endpoints), jobs=len(endpoints))


def _fleet(count: int, vms: int, *, transport: str = "basic-http", latency: float = 0.0, prefix: str = "HV") -> Any:
    hosts = [
        HostConfig(
            f"{prefix}{i:03d}",
            transport=transport,
            latency=latency,
            snapshot_text=host_snapshot_json(f"{prefix}{i:03d}", vms),
        )
        for i in range(count)
    ]
    return build_fleet(hosts)


def _scan_row(m: ScanMeasure, latency: float, label: str, repeats: list[float]) -> dict[str, Any]:
    rph = m.requests_per_host
    ideal = math.ceil(m.hosts / m.jobs) * rph * latency
    wall = median(repeats)
    return {
        "label": label,
        "hosts": m.hosts,
        "jobs": m.jobs,
        "requests_per_host": round(rph, 2),
        "ideal_s": round(ideal, 3),
        "wall_s": round(wall, 3),
        "wall_runs_s": [round(w, 3) for w in repeats],
        "ideal_over_actual": round(ideal / wall, 3) if wall else None,
        "client_cpu_s": round(m.client_cpu, 3),
        "client_cpu_ms_per_host": ms(m.client_cpu / m.hosts),
        "client_cpu_share_of_wall": round(m.client_cpu / m.wall, 2),
        "lab_cpu_s": round(m.lab_cpu, 3),
        "lab_cores_busy": round(m.lab_cpu / m.wall, 2),
        "statuses": m.statuses,
    }


def _median_run(
    running: RunningFleet, endpoints: Sequence[HostEndpoint], jobs: int, repeats: int
) -> tuple[ScanMeasure, list[float]]:
    """Scan ``repeats`` times; the run with the median wall time, and every run's wall time."""
    runs = [measured_scan(running, endpoints, jobs) for _ in range(repeats)]
    return sorted(runs, key=lambda r: r.wall)[len(runs) // 2], [r.wall for r in runs]


def run_fleet(quick: bool) -> Section:
    """1. Fleet scan: wall time against the ideal bound for 1, 32 and 64 jobs."""
    hosts, vms, latency = (40, 10, 0.05) if quick else (200, 50, 0.05)
    subset_for_one = 5 if quick else 20
    repeats = 1 if quick else 3
    sweep = (4,) if quick else (2, 4, 8)
    ntlm_hosts = 20 if quick else hosts

    # Which lab worker count keeps the lab out of the way: the same 64-job scan per count.
    sweep_rows = []
    for workers in sweep:
        with start_fleet(_fleet(hosts, vms, latency=latency), processes=True, workers=workers) as running:
            warm_up(running)
            m, _ = _median_run(running, running.hosts, 64, repeats)
            sweep_rows.append(
                {
                    "workers": workers,
                    "wall_s": round(m.wall, 3),
                    "client_cpu_s": round(m.client_cpu, 3),
                    "lab_cpu_s": round(m.lab_cpu, 3),
                    "lab_cores_busy": round(m.lab_cpu / m.wall, 2),
                }
            )
    best = min(sweep_rows, key=lambda r: r["wall_s"])
    workers = int(best["workers"])

    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    with start_fleet(_fleet(hosts, vms, latency=latency), processes=True, workers=workers) as running:
        start_s = time.perf_counter() - started
        warm_up(running)
        for jobs in (1, 32, 64):
            endpoints = running.hosts[:subset_for_one] if jobs == 1 else running.hosts
            chosen, walls = _median_run(running, endpoints, jobs, repeats)
            label = f"basic-http, {len(endpoints)} hosts" + (" (subset)" if len(endpoints) < hosts else "")
            rows.append(_scan_row(chosen, latency, label, walls))

    # NTLM for comparison: the handshake adds requests (and CPU) per host.
    with start_fleet(
        _fleet(ntlm_hosts, vms, transport="ntlm", latency=latency, prefix="NT"), processes=True, workers=workers
    ) as running:
        warm_up(running)
        chosen, walls = _median_run(running, running.hosts, 64, repeats)
        rows.append(_scan_row(chosen, latency, f"ntlm, {ntlm_hosts} hosts", walls))

    goals = [
        goal(
            f"ideal/actual at {r['jobs']} jobs ({r['label']})",
            float(r["ideal_over_actual"]),
            0.8,
            "ratio",
            higher_is_better=True,
        )
        for r in rows
        if r["jobs"] in (32, 64) and str(r["label"]).startswith("basic-http")
    ]
    return {
        "title": "Fleet scan against the lab",
        "parameters": {
            "hosts": hosts,
            "vms_per_host": vms,
            "latency_s": latency,
            "transport": "basic-http (and ntlm for comparison)",
            "jobs_1_subset": subset_for_one,
            "repeats": repeats,
            "lab_workers": workers,
            "lab_start_s": round(start_s, 2),
            "ideal": "ceil(hosts / jobs) x requests_per_host x latency",
        },
        "worker_sweep_jobs_64": sweep_rows,
        "rows": rows,
        "goals": goals,
    }


def _auth_requests(stats_before: dict[str, Any], stats_after: dict[str, Any]) -> tuple[int, int, dict[str, int]]:
    actions_before: dict[str, int] = stats_before.get("by_action", {})
    actions_after: dict[str, int] = stats_after.get("by_action", {})
    actions = {k: v - actions_before.get(k, 0) for k, v in actions_after.items() if v - actions_before.get(k, 0)}
    challenges = int(stats_after.get("auth_challenges", 0)) - int(stats_before.get("auth_challenges", 0))
    return sum(actions.values()), challenges, actions


def run_requests(quick: bool) -> Section:
    """2. Requests per host by VM count and transport, as the lab and the client count them."""
    del quick  # small enough to run in full every time
    vm_counts = (1, 100, 1024)
    transports, no_kerberos = _with_kerberos(("basic-http", "basic-https", "ntlm"))
    hosts = [
        HostConfig(f"{t}-{n}", transport=t, snapshot_text=host_snapshot_json(f"{t}-{n}", n))
        for t in transports
        for n in vm_counts
    ]
    rows: list[dict[str, Any]] = []
    with start_fleet(build_fleet(hosts), processes=True, workers=2) as running:
        _use_realm(running)
        warm_up(running, count=1)
        for endpoint in running.hosts:
            before = running.stats()[endpoint.name]
            collected = scan_hosts(*_targets([endpoint]), jobs=1)[0]
            after = running.stats()[endpoint.name]
            raw = int(after["requests"]) - int(before["requests"])
            after_auth, challenges, actions = _auth_requests(before, after)
            # Every stats fetch opens one connection of its own; the second one is in ``after``.
            connections = int(after["connections"]) - int(before["connections"]) - 1
            transport, _, count = endpoint.name.rpartition("-")
            rows.append(
                {
                    "transport": transport,
                    "vms": int(count),
                    "status": collected.outcome.status.value,
                    "lab_requests_raw": raw,
                    "lab_requests_after_auth": after_auth,
                    "auth_only_requests": raw - after_auth,
                    "auth_challenges_401": challenges,
                    "client_requests": collected.outcome.requests,
                    "connections": connections,
                    "by_action": actions,
                }
            )
    goals = []
    for transport in transports:
        mine = [r for r in rows if r["transport"] == transport]
        same = len({(r["lab_requests_raw"], r["lab_requests_after_auth"]) for r in mine}) == 1
        worst = max(int(r["lab_requests_after_auth"]) for r in mine)
        goals.append(
            goal(f"{transport}: requests after auth (any VM count)", worst, 4, "requests", higher_is_better=False)
        )
        goals.append(
            {
                "goal": f"{transport}: same request count for 1, 100, 1024 VMs",
                "value": same,
                "target": True,
                "unit": "",
                "comparison": "==",
                "met": same,
                "margin_pct": None,
            }
        )
    return {
        "title": "Requests per host",
        "parameters": {
            "vm_counts": list(vm_counts),
            "transports": list(transports),
            "latency_s": 0.0,
            "kerberos_skipped": no_kerberos,
        },
        "rows": rows,
        "goals": goals,
    }


def run_transports(quick: bool) -> Section:
    """5. Cost per host of NTLM (with message encryption) against Basic over HTTPS, sequentially."""
    count = 5 if quick else 20
    repeats = 1 if quick else 3
    vms = 50
    transports, no_kerberos = _with_kerberos(("basic-http", "basic-https", "ntlm"))
    hosts = [
        HostConfig(f"{t}-{i:02d}", transport=t, snapshot_text=host_snapshot_json(f"{t}-{i:02d}", vms))
        for t in transports
        for i in range(count)
    ]
    rows: list[dict[str, Any]] = []
    with start_fleet(build_fleet(hosts), processes=True, workers=2) as running:
        _use_realm(running)
        for transport in transports:
            endpoints = [h for h in running.hosts if h.transport == transport]
            scan_hosts(*_targets(endpoints[:2]), jobs=1)  # warm: imports, TLS context, NTLM provider
            runs = [measured_scan(running, endpoints, 1) for _ in range(repeats)]
            chosen = sorted(runs, key=lambda r: r.wall)[len(runs) // 2]
            rows.append(
                {
                    "transport": transport,
                    "hosts": count,
                    "wall_ms_per_host": ms(median([r.wall for r in runs]) / count),
                    "client_cpu_ms_per_host": ms(median([r.client_cpu for r in runs]) / count),
                    "lab_cpu_ms_per_host": ms(median([r.lab_cpu for r in runs]) / count),
                    "requests_per_host": round(chosen.requests_per_host, 2),
                    "statuses": chosen.statuses,
                }
            )
    by = {r["transport"]: r for r in rows}
    https = by["basic-https"]

    def over_https(row: dict[str, Any]) -> dict[str, float]:
        return {
            "wall": round(float(row["wall_ms_per_host"]) / float(https["wall_ms_per_host"]), 2),
            "client_cpu": round(float(row["client_cpu_ms_per_host"]) / float(https["client_cpu_ms_per_host"]), 2),
        }

    return {
        "title": "NTLM and Kerberos (encrypted) vs Basic over HTTPS, cost per host",
        "parameters": {
            "hosts_per_transport": count,
            "vms_per_host": vms,
            "latency_s": 0.0,
            "jobs": 1,
            "repeats": repeats,
            "kerberos_skipped": no_kerberos,
        },
        "rows": rows,
        "ntlm_over_https": over_https(by["ntlm"]),
        "kerberos_over_https": over_https(by["kerberos"]) if "kerberos" in by else None,
        "goals": [],
    }
