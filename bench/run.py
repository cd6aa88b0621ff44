"""hvbpa benchmarks: one command, every measurement side by side.

    .venv/bin/python bench/run.py            # full run (~5 min), writes bench/results/latest.{json,md}
    .venv/bin/python bench/run.py --quick    # smoke run (<30 s), writes bench/results/quick.{json,md}
    .venv/bin/python bench/run.py --only fleet,startup --out /tmp/b.json

Sections: fleet, requests, offline, startup, transports, powershell (see bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_common import RESULTS, Section, machine
from bench_report import markdown

SECTIONS = ("fleet", "requests", "offline", "startup", "transports", "powershell")


def _runner(name: str) -> Callable[[bool], Section]:
    # Imported on demand: `--only startup` does not need the lab (or pywinrm) loaded.
    if name == "fleet":
        from bench_lab import run_fleet

        return run_fleet
    if name == "requests":
        from bench_lab import run_requests

        return run_requests
    if name == "transports":
        from bench_lab import run_transports

        return run_transports
    if name == "powershell":
        from bench_powershell import run_powershell

        return run_powershell
    if name == "offline":
        from bench_offline import run_offline

        return run_offline
    from bench_startup import run_startup

    return run_startup


def _only(value: str) -> list[str]:
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in SECTIONS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown section {', '.join(unknown) or value!r}; choose from {SECTIONS}")
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small smoke version (under ~30 s)")
    parser.add_argument(
        "--only", type=_only, metavar="NAME[,NAME]", help=f"run only these sections: {', '.join(SECTIONS)}"
    )
    parser.add_argument(
        "--out", type=Path, help="JSON output (Markdown beside it, .md); default bench/results/latest.json"
    )
    args = parser.parse_args(argv)

    out: Path = args.out or RESULTS / ("quick.json" if args.quick else "latest.json")
    names: list[str] = args.only or list(SECTIONS)
    started = time.perf_counter()
    sections: dict[str, Any] = {}
    for name in SECTIONS:
        if name not in names:
            continue
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        sections[name] = _runner(name)(args.quick)
        sections[name]["elapsed_s"] = round(time.perf_counter() - t0, 1)
        print(f"bench: {name} done in {sections[name]['elapsed_s']} s", file=sys.stderr, flush=True)
    run = {
        "quick": args.quick,
        "machine": machine(),
        "elapsed_s": round(time.perf_counter() - started, 1),
        "sections": sections,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
    report = markdown(run)
    out.with_suffix(".md").write_text(report, encoding="utf-8")
    print(report)
    print(f"bench: wrote {out} and {out.with_suffix('.md')}", file=sys.stderr)
    goals = [g for s in sections.values() for g in s.get("goals", [])]
    print(f"bench: {sum(g['met'] for g in goals)} of {len(goals)} goals met", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
