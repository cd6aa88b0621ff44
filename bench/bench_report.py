"""Render a benchmark run (the JSON written to bench/results) as Markdown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    def cell(value: object) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, dict):
            return ", ".join(f"{k} {v}" for k, v in value.items())
        return "" if value is None else str(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return lines


def _fleet(section: dict[str, Any]) -> list[str]:
    p = section["parameters"]
    out = [
        f"{p['hosts']} lab hosts x {p['vms_per_host']} VMs, {p['latency_s'] * 1000:.0f} ms lab latency per request, "
        f"lab in {p['lab_workers']} worker processes (started in {p['lab_start_s']} s), "
        f"median of {p['repeats']} run(s). jobs=1 scans the first {p['jobs_1_subset']} hosts only. "
        f"Ideal = {p['ideal']}.",
        "",
    ]
    out += _table(
        [
            "scan",
            "jobs",
            "req/host",
            "ideal s",
            "actual s",
            "ideal/actual",
            "client CPU s",
            "client CPU ms/host",
            "lab CPU s (cores busy)",
        ],
        [
            [
                r["label"],
                r["jobs"],
                r["requests_per_host"],
                r["ideal_s"],
                r["wall_s"],
                r["ideal_over_actual"],
                r["client_cpu_s"],
                r["client_cpu_ms_per_host"],
                f"{r['lab_cpu_s']} ({r['lab_cores_busy']})",
            ]
            for r in section["rows"]
        ],
    )
    out += ["", "Lab worker sweep (same basic-http fleet, jobs=64):", ""]
    out += _table(
        ["lab workers", "wall s", "client CPU s", "lab CPU s", "lab cores busy"],
        [
            [r["workers"], r["wall_s"], r["client_cpu_s"], r["lab_cpu_s"], r["lab_cores_busy"]]
            for r in section["worker_sweep_jobs_64"]
        ],
    )
    return out


def _requests(section: dict[str, Any]) -> list[str]:
    return _table(
        [
            "transport",
            "VMs",
            "status",
            "lab raw",
            "lab after auth",
            "auth-only",
            "401s",
            "client count",
            "connections",
            "by action",
        ],
        [
            [
                r["transport"],
                r["vms"],
                r["status"],
                r["lab_requests_raw"],
                r["lab_requests_after_auth"],
                r["auth_only_requests"],
                r["auth_challenges_401"],
                r["client_requests"],
                r["connections"],
                r["by_action"],
            ]
            for r in section["rows"]
        ],
    )


def _offline(section: dict[str, Any]) -> list[str]:
    big, fleet, p = section["big_host"], section["fleet"], section["parameters"]
    out = [
        f"Big host: {big['vms']} VMs ({big['snapshot_bytes'] / 1024:.0f} KiB JSON), {big['rules']} rule(s), "
        f"median of {big['runs']} runs.",
        "",
    ]
    out += _table(
        ["parse ms", "evaluate ms", "total ms (median)", "min", "p90"],
        [
            [
                big["parse_ms_median"],
                big["evaluate_ms_median"],
                big["total_ms_median"],
                big["total_ms_min"],
                big["total_ms_p90"],
            ]
        ],
    )
    out += [
        "",
        f"Fleet: {fleet['hosts']} hosts x {p['fleet_vms_per_host']} VMs = {fleet['vms']} VMs "
        f"({fleet['snapshot_files_mib']} MiB of JSON files). Memory: {p['memory_method']}.",
        "",
    ]
    out += _table(
        [
            "read+parse s",
            "evaluate s",
            "total s",
            "CPU s",
            "RSS after imports MiB",
            "peak RSS (VmHWM) MiB",
            "ru_maxrss (wait4) MiB",
        ],
        [
            [
                fleet["parse_s"],
                fleet["evaluate_s"],
                fleet["total_s"],
                fleet["cpu_s"],
                fleet["rss_mib_after_imports"],
                fleet["vmhwm_mib_peak"],
                fleet["ru_maxrss_mib_wait4"],
            ]
        ],
    )
    return out


def _startup(section: dict[str, Any]) -> list[str]:
    out = _table(
        ["command", "median ms", "min ms", "ratio to python -c pass"],
        [[r["command"], r["median_ms"], r["min_ms"], r["ratio_to_python"]] for r in section["rows"]],
    )
    it = section["importtime"]
    out += [
        "",
        f'`python -X importtime -c "import hvbpa.cli"`: {it["total_ms"]} ms, {it["modules_imported"]} modules; '
        f"heavy packages imported: {', '.join(it['heavy_present']) or 'none'}. Largest subtrees:",
        "",
    ]
    out += _table(
        ["module", "cumulative ms", "self ms"],
        [[e["module"], e["cumulative_ms"], e["self_ms"]] for e in it["top_cumulative"][:10]],
    )
    return out


def _transports(section: dict[str, Any]) -> list[str]:
    p = section["parameters"]
    out = [
        f"{p['hosts_per_transport']} hosts per transport, {p['vms_per_host']} VMs each, scanned one at a time "
        f"(jobs=1), no lab latency, median of {p['repeats']} run(s).",
        "",
    ]
    out += _table(
        ["transport", "wall ms/host", "client CPU ms/host", "lab CPU ms/host", "requests/host"],
        [
            [
                r["transport"],
                r["wall_ms_per_host"],
                r["client_cpu_ms_per_host"],
                r["lab_cpu_ms_per_host"],
                r["requests_per_host"],
            ]
            for r in section["rows"]
        ],
    )
    ratio = section["ntlm_over_https"]
    out += ["", f"NTLM / Basic-over-HTTPS: wall x{ratio['wall']}, client CPU x{ratio['client_cpu']}."]
    kerberos = section.get("kerberos_over_https")
    if kerberos:
        out += [f"Kerberos / Basic-over-HTTPS: wall x{kerberos['wall']}, client CPU x{kerberos['client_cpu']}."]
    elif section["parameters"].get("kerberos_skipped"):
        out += [f"Kerberos not measured: {section['parameters']['kerberos_skipped']}."]
    return out


def _powershell(section: dict[str, Any]) -> list[str]:
    if "skipped" in section:
        return [f"Skipped: {section['skipped']}."]
    p = section["parameters"]
    out = [
        f"collect.ps1 delivered as the client delivers it, in {p['powershell']}, against the Hyper-V and CIM "
        f"stand-ins; one warm PowerShell process, median of {p['repeats']} run(s). The run is the whole delivery "
        "(bootstrap, script, stand-ins); the stand-ins' share is timed inside them.",
        "",
    ]
    out += _table(
        ["VMs", "calls per host", "run s", "stand-ins s", "script s (run - stand-ins)"],
        [[r["vms"], r["calls"], r["run_s"], r["standins_s"], r["script_s"]] for r in section["host_side"]],
    )
    calls = section["host_side"][0]["by_call"]
    out += ["", "Calls per host: " + ", ".join(f"{k} {v}" for k, v in calls.items()) + "."]
    out += [
        "",
        "A scan of a few lab hosts, all at once (jobs = hosts), canned answers vs the real script "
        "(lab CPU is the lab's own; the PowerShell processes it starts are not in it):",
        "",
    ]
    out += _table(
        ["answers", "hosts", "VMs/host", "wall s", "client CPU s", "lab CPU s", "statuses"],
        [
            [
                s["execute"],
                s["hosts"],
                s["vms_per_host"],
                s["wall_s"],
                s["client_cpu_s"],
                s["lab_cpu_s"],
                ", ".join(f"{k} {v}" for k, v in s["statuses"].items()),
            ]
            for s in section["scans"]
        ],
    )
    return out


RENDER = {
    "powershell": _powershell,
    "fleet": _fleet,
    "requests": _requests,
    "offline": _offline,
    "startup": _startup,
    "transports": _transports,
}


def goals_table(sections: dict[str, Any]) -> list[str]:
    rows = []
    for name, section in sections.items():
        for g in section.get("goals", []):
            margin = "" if g["margin_pct"] is None else f"{g['margin_pct']:+.1f}%"
            rows.append(
                [
                    name,
                    g["goal"],
                    g["value"],
                    f"{g['comparison']} {g['target']} {g['unit']}".strip(),
                    "MET" if g["met"] else "MISSED",
                    margin,
                ]
            )
    return _table(["section", "goal", "value", "target", "result", "margin"], rows)


def markdown(run: dict[str, Any]) -> str:
    m = run["machine"]
    lines = [
        f"# hvbpa benchmarks{' (quick)' if run['quick'] else ''}",
        "",
        f"{m['date']} - commit {m['git_commit']} - {m['nproc']} CPUs ({m['cpu_model']}), "
        f"{m['memory_mib']} MiB RAM, Python {m['python']} ({m['platform']}). Total run {run['elapsed_s']} s. "
        f"Load average at start: {' / '.join(str(x) for x in m.get('loadavg_1_5_15', []))}.",
        "",
        *(
            [f"Measured on a working tree with uncommitted changes in: {', '.join(m['uncommitted_src'])}.", ""]
            if m.get("uncommitted_src")
            else []
        ),
        "## Goals",
        "",
        *goals_table(run["sections"]),
    ]
    for name, section in run["sections"].items():
        lines += ["", f"## {section['title']} (`{name}`)", "", *RENDER[name](section)]
    return "\n".join(lines) + "\n"
