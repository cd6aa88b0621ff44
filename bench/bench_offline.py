"""Offline evaluation: parse + evaluate, for one big host and for a large fleet of saved snapshots.

Both measurements run in a fresh child process (``python bench/bench_offline.py
big|fleet ...``) so that neither the lab benchmarks' garbage nor their imports
colour the timings, and so that peak memory is the child's own.

Peak memory is VmHWM from /proc/self/status (the resident-set high-water mark of
the child's address space). ``getrusage`` is reported beside it but is not the
figure to trust here: on Linux a fork()ed child starts with its parent's RSS
counters and ``ru_maxrss`` survives exec(), so a child of this (large) runner
reports at least the runner's own RSS, both from RUSAGE_SELF and from
RUSAGE_CHILDREN / wait4.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench_common import Section, goal, median, ms, percentile

NOW = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)  # 30 min after the synthetic snapshots' collected_at


def _maxrss_mib(usage: resource.struct_rusage) -> float:
    return round(usage.ru_maxrss / 1024, 1)  # Linux reports KiB


def _status_mib(field: str) -> float | None:
    """VmHWM (peak resident set) or VmRSS of this process, in MiB."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith(f"{field}:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError):
        pass
    return None


# -- child side -----------------------------------------------------------------


def child_big(vms: int, runs: int) -> dict[str, Any]:
    from hvbpa.evaluate.engine import evaluate
    from hvbpa.evaluate.ruleset import load_rules
    from hvbpa.snapshot.outcome import HostOutcome, HostStatus
    from hvbpa.snapshot.parse import parse_snapshot
    from hvbpa.snapshot.synthetic import host_snapshot_json

    rules = load_rules()
    text = host_snapshot_json("HV-BIG", vms)
    parse_times, eval_times, totals = [], [], []
    results = 0
    for _ in range(runs + 1):  # the first run warms caches and is dropped
        t0 = time.perf_counter()
        snapshot = parse_snapshot(text, source="HV-BIG")
        t1 = time.perf_counter()
        outcome = HostOutcome(target="HV-BIG", status=HostStatus.OK, snapshot=snapshot)
        results = len(evaluate(rules, [outcome], NOW))
        t2 = time.perf_counter()
        parse_times.append(t1 - t0)
        eval_times.append(t2 - t1)
        totals.append(t2 - t0)
    parse_times, eval_times, totals = parse_times[1:], eval_times[1:], totals[1:]
    return {
        "vms": vms,
        "runs": runs,
        "snapshot_bytes": len(text.encode("utf-8")),
        "rules": len(rules),
        "results": results,
        "parse_ms_median": ms(median(parse_times)),
        "evaluate_ms_median": ms(median(eval_times)),
        "total_ms_median": ms(median(totals)),
        "total_ms_min": ms(min(totals)),
        "total_ms_p90": ms(percentile(totals, 0.9)),
    }


def child_fleet(folder: Path) -> dict[str, Any]:
    hwm_at_start = _status_mib("VmHWM")
    from hvbpa.collect.saved import load_snapshot_file
    from hvbpa.evaluate.engine import evaluate
    from hvbpa.evaluate.ruleset import load_rules

    rules = load_rules()
    rss_after_imports = _status_mib("VmRSS")
    files = sorted(folder.glob("*.json"))
    cpu0, t0 = time.process_time(), time.perf_counter()
    outcomes = [load_snapshot_file(path) for path in files]  # read + decode + parse, as `hvbpa evaluate` does
    t1 = time.perf_counter()
    results = evaluate(rules, outcomes, NOW)
    t2 = time.perf_counter()
    cpu = time.process_time() - cpu0
    end = resource.getrusage(resource.RUSAGE_SELF)
    peak = _status_mib("VmHWM")
    vms = sum(len(o.snapshot.vms) for o in outcomes if o.snapshot)
    return {
        "hosts": len(outcomes),
        "vms": vms,
        "results": len(results),
        "affected_vms": sum(len(r.affected) for r in results),
        "parse_s": round(t1 - t0, 3),
        "evaluate_s": round(t2 - t1, 3),
        "total_s": round(t2 - t0, 3),
        "cpu_s": round(cpu, 3),
        "vmhwm_mib_at_start": hwm_at_start,
        "rss_mib_after_imports": rss_after_imports,
        "vmhwm_mib_peak": peak,
        "ru_maxrss_mib_self": _maxrss_mib(end),
    }


def child_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench_offline.py")
    sub = parser.add_subparsers(dest="mode", required=True)
    big = sub.add_parser("big")
    big.add_argument("--vms", type=int, default=1024)
    big.add_argument("--runs", type=int, default=30)
    fleet = sub.add_parser("fleet")
    fleet.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    result = child_big(args.vms, args.runs) if args.mode == "big" else child_fleet(args.folder)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


# -- parent side ----------------------------------------------------------------


def _run_child(*args: str) -> tuple[dict[str, Any], float]:
    """The child's JSON answer and its peak RSS in MiB as the parent sees it (wait4)."""
    process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *args], stdout=subprocess.PIPE)
    assert process.stdout is not None
    output = process.stdout.read()
    process.stdout.close()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"offline benchmark child {args[0]} exited with {process.returncode}")
    data: dict[str, Any] = json.loads(output)
    return data, _maxrss_mib(usage)


def _write_fleet(folder: Path, hosts: int, vms: int) -> float:
    from hvbpa.snapshot.synthetic import host_snapshot_json

    started = time.perf_counter()
    for i in range(hosts):
        name = f"HV{i:04d}"
        (folder / f"{name}.json").write_text(host_snapshot_json(name, vms), encoding="utf-8")
    return time.perf_counter() - started


def run_offline(quick: bool) -> Section:
    """3. Big host (1,024 VMs) and a large offline fleet (1,000 hosts x 100 VMs)."""
    runs = 5 if quick else 30
    hosts, vms = (100, 100) if quick else (1000, 100)
    big, big_rss = _run_child("big", "--vms", "1024", "--runs", str(runs))
    with tempfile.TemporaryDirectory(prefix="hvbpa-bench-") as tmp:
        folder = Path(tmp)
        generated_s = _write_fleet(folder, hosts, vms)
        on_disk = sum(p.stat().st_size for p in folder.iterdir())
        fleet, fleet_rss = _run_child("fleet", str(folder))
    big["ru_maxrss_mib_wait4"] = big_rss
    fleet["ru_maxrss_mib_wait4"] = fleet_rss
    fleet["snapshot_files_mib"] = round(on_disk / 2**20, 1)
    fleet["generate_s"] = round(generated_s, 2)
    return {
        "title": "Offline parse + evaluate",
        "parameters": {
            "big_host_vms": 1024,
            "big_host_runs": runs,
            "fleet_hosts": hosts,
            "fleet_vms_per_host": vms,
            "memory_method": "VmHWM (peak RSS) from /proc/self/status of a fresh child process; ru_maxrss "
            "(getrusage RUSAGE_SELF inside, os.wait4 outside) is shown too but inherits the runner's RSS at fork",
            "fleet_input": "one JSON file per host on disk, read with hvbpa.collect.saved.load_snapshot_file",
        },
        "big_host": big,
        "fleet": fleet,
        "goals": [
            goal(
                "1,024-VM host parse+evaluate, median", float(big["total_ms_median"]), 50, "ms", higher_is_better=False
            ),
            goal(f"{hosts} hosts x {vms} VMs parse+evaluate", float(fleet["total_s"]), 5, "s", higher_is_better=False),
            goal(
                f"{hosts} hosts x {vms} VMs peak RSS (VmHWM)",
                float(fleet["vmhwm_mib_peak"]),
                200,
                "MiB",
                higher_is_better=False,
            ),
        ],
    }


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
