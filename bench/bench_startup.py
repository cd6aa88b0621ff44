"""Start-up time of the CLI against a bare interpreter, and what the import of hvbpa.cli costs."""

from __future__ import annotations

import os
import re
import subprocess
import time
from typing import Any

from bench_common import REPO, VENV_BIN, Section, goal, median, ms

# Packages the CLI should only load when a command needs them.
HEAVY = frozenset(
    {"winrm", "requests", "rich", "jsonschema", "yaml", "spnego", "trustme", "cryptography", "urllib3", "xmltodict"}
)
_IMPORTTIME = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S.*)$")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for key in ("PYTHONPROFILEIMPORTTIME", "PYTHONDEVMODE", "PYTHONTRACEMALLOC", "PYTHONPATH"):
        env.pop(key, None)
    return env


def _time(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=env, cwd=REPO, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {done.returncode}: {done.stderr[-300:]!r}")
    return elapsed


def importtime(module: str = "hvbpa.cli", top: int = 12) -> dict[str, Any]:
    python = str(VENV_BIN / "python")
    env = _env()
    # First run compiles any stale bytecode; the second is the one measured.
    subprocess.run([python, "-c", f"import {module}"], capture_output=True, env=env, cwd=REPO, check=False)
    done = subprocess.run(
        [python, "-X", "importtime", "-c", f"import {module}"], capture_output=True, text=True, env=env, cwd=REPO
    )
    entries = []
    for line in done.stderr.splitlines():
        match = _IMPORTTIME.match(line)
        if match:
            entries.append(
                {
                    "module": match.group(4).strip(),
                    "self_ms": int(match.group(1)) / 1000,
                    "cumulative_ms": int(match.group(2)) / 1000,
                    "depth": (len(match.group(3)) - 1) // 2,
                }
            )
    root = next((e for e in entries if e["module"] == module), None)
    # Offenders: the biggest subtrees hanging directly under hvbpa's own modules, plus the biggest self times.
    top_level = [e for e in entries if e["depth"] == 0 and e["module"] != module]
    by_self = sorted(entries, key=lambda e: -float(e["self_ms"]))[:top]
    by_cumulative = sorted(
        (e for e in entries if e["module"] != module and not str(e["module"]).startswith("encodings")),
        key=lambda e: -float(e["cumulative_ms"]),
    )[:top]
    return {
        "module": module,
        "total_ms": root["cumulative_ms"] if root else None,
        "modules_imported": len(entries),
        "top_cumulative": by_cumulative,
        "top_self": by_self,
        "top_level_before_root": sorted(top_level, key=lambda e: -float(e["cumulative_ms"]))[:top],
        "heavy_present": sorted(
            {str(e["module"]).split(".")[0] for e in entries if str(e["module"]).split(".")[0] in HEAVY}
        ),
    }


def run_startup(quick: bool) -> Section:
    """4. ``hvbpa --version`` / ``--help`` against ``python -c pass``, median of N interleaved runs."""
    runs = 5 if quick else 20
    python = str(VENV_BIN / "python")
    script = str(VENV_BIN / "hvbpa")
    commands: dict[str, list[str]] = {
        "python -c pass": [python, "-c", "pass"],
        "hvbpa --version": [script, "--version"],
        "hvbpa --help": [script, "--help"],
        "python -m hvbpa --version": [python, "-m", "hvbpa", "--version"],
        "python -m hvbpa --help": [python, "-m", "hvbpa", "--help"],
    }
    env = _env()
    times: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():  # warm the page cache and bytecode
        _time(command, env)
    for _ in range(runs):  # interleaved, so drift in machine load hits every command alike
        for name, command in commands.items():
            times[name].append(_time(command, env))
    baseline = median(times["python -c pass"])
    rows: list[dict[str, Any]] = [
        {
            "command": name,
            "median_ms": ms(median(values)),
            "min_ms": ms(min(values)),
            "ratio_to_python": round(median(values) / baseline, 2),
        }
        for name, values in times.items()
    ]
    goals = [
        goal(f"{r['command']} / python -c pass", float(r["ratio_to_python"]), 2.5, "x", higher_is_better=False)
        for r in rows
        if r["command"] != "python -c pass"
    ]
    return {
        "title": "Start-up",
        "parameters": {"runs": runs, "interpreter": python},
        "rows": rows,
        "importtime": importtime(),
        "goals": goals,
    }
