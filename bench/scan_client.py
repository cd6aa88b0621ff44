"""The scan client of the fleet benchmark, in a process of its own.

A real ``hvbpa scan`` runs in a process with no other threads, so it can fork its
scan workers; inside the benchmark runner (which hosts the lab's helper threads) it
would have to spawn them. Reads {"targets": [...], "settings": {...}, "jobs": N,
"processes": N|null} on stdin; prints wall time, CPU (this process and its workers)
and per-host results as JSON.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections import Counter

import hvbpa.collect.wsman  # noqa: F401 - imported before the clock starts, as in a warm CLI
from hvbpa.collect.fleet import scan_hosts
from hvbpa.collect.settings import ConnectionSettings, Secret
from hvbpa.targets.model import Target


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def main() -> None:
    request = json.load(sys.stdin)
    targets = [Target(**t) for t in request["targets"]]
    raw = dict(request["settings"])
    raw["password"] = Secret(raw["password"]) if raw.get("password") else None
    settings = ConnectionSettings(**raw)
    cpu_before = _cpu()
    started = time.perf_counter()
    collected = scan_hosts(targets, settings, jobs=request["jobs"], processes=request.get("processes"))
    wall = time.perf_counter() - started
    json.dump(
        {
            "wall": wall,
            "cpu": _cpu() - cpu_before,
            "requests": [c.outcome.requests or 0 for c in collected],
            "statuses": dict(Counter(c.outcome.status.value for c in collected)),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
