"""Shared by every benchmark: machine facts, small statistics, CPU time of processes."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
RESULTS = BENCH / "results"
VENV_BIN = REPO / ".venv" / "bin"

Section = dict[str, Any]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_mib() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError):
        pass
    return None


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, check=False)
    except OSError:
        return None
    return done.stdout.rstrip("\n") or None


def _uncommitted() -> list[str]:
    """Changed files under src/ and pyproject.toml: others edit the tree while benchmarks run."""
    status = _git("status", "--porcelain", "--", "src", "pyproject.toml") or ""
    return [line[3:] for line in status.splitlines()]


def machine() -> dict[str, Any]:
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_mib": _memory_mib(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        # Other sessions may share this machine: the load when the run started.
        "loadavg_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "uncommitted_src": _uncommitted(),
    }


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return float(ordered[index])


def process_cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU seconds of running processes, from /proc/<pid>/stat."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


def goal(name: str, value: float, target: float, unit: str, *, higher_is_better: bool) -> dict[str, Any]:
    """One goal check: met or not, and by how much (margin as a fraction of the target)."""
    met = value >= target if higher_is_better else value <= target
    margin = (value - target) / target if higher_is_better else (target - value) / target
    return {
        "goal": name,
        "value": round(value, 4),
        "target": target,
        "unit": unit,
        "comparison": ">=" if higher_is_better else "<=",
        "met": met,
        "margin_pct": round(100 * margin, 1),
    }


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)
