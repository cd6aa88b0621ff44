"""One definition of every summary count: the table, JSON, SARIF, JUnit and CSV of one run agree.

Cross-checked on the demo fleet as scanned, and again merged with a baseline and an
exclusion, where excluded and baselined findings must still be counted as judged VMs.
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from tests.conftest import Invoke

FORMATS = ("table", "json", "sarif", "junit", "csv")


def _outputs(tmp_path: Path, stem: str) -> tuple[dict[str, Path], list[str]]:
    paths = {fmt: tmp_path / f"{stem}.{fmt}" for fmt in FORMATS}
    return paths, [arg for fmt, path in paths.items() for arg in ("-o", f"{fmt}:{path}")]


def _cross_check(paths: dict[str, Path]) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads(paths["json"].read_text("utf-8"))["summary"]
    s = summary
    assert s["vms_judged"] == sum(s[k] for k in ("vms_noncompliant", "vms_undetermined", "vms_compliant",
                                                  "vms_excluded", "vms_baselined"))  # fmt: skip
    assert s["hosts"] == s["hosts_ok"] + s["hosts_failed"]

    # The footer's long lines are wrapped at the table's width.
    table = " ".join(paths["table"].read_text("utf-8").split())
    assert f"Hosts: {s['hosts_ok']} of {s['hosts']} scanned, {s['hosts_failed']} not scanned" in table
    total = sum(s[k] for k in ("noncompliant", "undetermined", "compliant", "not_applicable", "excluded"))
    assert (
        f"Results by rule and host: {total}, one per rule and host scanned: {s['noncompliant']} with findings" in table
    )
    assert (
        f"{s['undetermined']} undetermined, {s['compliant']} compliant, {s['not_applicable']} not applicable, "
        f"{s['excluded']} excluded"
    ) in table
    assert f"their verdicts, one per rule: {s['vms_judged']} ({s['vms_noncompliant']} with findings" in table
    assert f"Virtual machines judged: {s['vms_distinct']};" in table

    sarif = json.loads(paths["sarif"].read_text("utf-8"))["runs"][0]
    assert sarif["properties"]["hvbpa.summary"] == s
    results = sarif["results"]
    # Rules judged per host add verdicts on the hosts themselves (HVR002 and others).
    failing = s["vms_noncompliant"] + s["host_verdicts_noncompliant"]
    accepted = s["vms_excluded"] + s["vms_baselined"] + s["host_verdicts_accepted"]
    assert sum(r["kind"] == "fail" and not r.get("suppressions") for r in results) == failing
    assert sum(bool(r.get("suppressions")) for r in results) == accepted
    unsure = s["vms_undetermined"] + s["hosts_undetermined"] + s["host_verdicts_undetermined"]
    assert sum(r["kind"] == "open" for r in results) == unsure
    notes = sarif["invocations"][0].get("toolExecutionNotifications", [])
    assert sum(n["descriptor"]["id"].startswith("host/") for n in notes) == s["hosts_failed"]

    junit = ET.fromstring(paths["junit"].read_bytes())  # noqa: S314 - our own report
    assert int(junit.get("failures", "")) == failing
    assert int(junit.get("errors", "")) == s["hosts_failed"] + s["hosts_undetermined"]
    host_verdicts = sum(s[k] for k in s if k.startswith("host_verdicts_"))
    cases = s["vms_judged"] + s["vms_not_applicable"] + host_verdicts + s["hosts_failed"] + s["hosts_undetermined"]
    assert int(junit.get("tests", "")) == cases

    rows = list(csv.DictReader(paths["csv"].open(encoding="utf-8-sig", newline="")))
    vm_rows = [r for r in rows if r["vm_id"]]
    assert sum(r["status"] == "noncompliant" and not r["excluded_by"] for r in vm_rows) == s["vms_noncompliant"]
    assert sum(r["status"] == "compliant" for r in vm_rows) == s["vms_compliant"]
    assert sum(bool(r["excluded_by"]) for r in vm_rows) == s["vms_excluded"] + s["vms_baselined"]
    assert sum(not r["vm_id"] and r["reason_code"] == "host-not-collected" for r in rows) == s["hosts_failed"]
    host_rows = [r for r in rows if r["scope"] == "host"]
    failing_hosts = sum(r["status"] == "noncompliant" and not r["excluded_by"] for r in host_rows)
    assert failing_hosts == s["host_verdicts_noncompliant"]
    return summary


def test_counts_agree_on_the_demo_fleet_and_after_merge_with_baseline_and_exclusion(
    cli: Invoke, tmp_path: Path
) -> None:
    paths, args = _outputs(tmp_path, "demo")
    cli("demo", "-q", *args, "--now", "2026-11-25T12:00:00+00:00")
    scanned = _cross_check(paths)
    assert (scanned["hosts_failed"], scanned["undetermined"]) == (1, 0), "a failed host is not an undetermined result"
    # 14 VMs; 16 rules judged per VM give 109 VM verdicts (20 findings); 8 rules judged per host give
    # 24 verdicts on the three hosts scanned (8 findings: each host rule finds one host).
    assert (scanned["vms_distinct"], scanned["vms_judged"], scanned["vms_noncompliant"]) == (14, 109, 20)
    assert scanned["host_verdicts_noncompliant"] == 8

    base = tmp_path / "base.json"
    cli("baseline", "create", str(paths["json"]), "-o", str(base))
    report = json.loads(paths["json"].read_text("utf-8"))
    legacy = next(vm for r in report["results"] for vm in r["vms"] if vm["name"] == "FILE-02")
    exclusions = tmp_path / "exclusions.toml"
    exclusions.write_text(
        f'[[exclusion]]\nrule = "HVX003"\nhost = "{legacy["host"]}"\nvm_id = "{legacy["vm_id"]}"\n'
        'justification = "accepted for the test"\n',
        "utf-8",
    )
    merged_paths, merged_args = _outputs(tmp_path, "merged")
    cli("report", "merge", str(paths["json"]), "--baseline", str(base), "--exclusions", str(exclusions), "-q",
        *merged_args)  # fmt: skip
    merged = _cross_check(merged_paths)
    assert merged["vms_judged"] == scanned["vms_judged"], "a baseline must not take VMs out of the count"
    assert merged["vms_noncompliant"] == 0
    assert merged["vms_excluded"] == 1 and merged["vms_baselined"] == 19
    assert merged["host_verdicts_accepted"] == 8 and merged["host_verdicts_noncompliant"] == 0
    # One result per (rule, host) with or without a baseline: the same data, the same counts.
    before, after = (json.loads(p["json"].read_text("utf-8")) for p in (paths, merged_paths))
    pairs = [[(r["rule_id"], r["target"]) for r in d["results"]] for d in (before, after)]
    assert sorted(pairs[0]) == sorted(pairs[1]) and len(set(pairs[1])) == len(pairs[1])
    ok = {h["target"] for h in before["hosts"] if h["status"] == "ok"}
    judged = sum(target in ok for _, target in pairs[0])

    def results(s: dict[str, Any]) -> int:
        return sum(s[k] for k in ("noncompliant", "undetermined", "compliant", "not_applicable", "excluded"))

    assert results(scanned) == results(merged) == judged
    assert merged["excluded"] == scanned["noncompliant"], "every finding is accepted: every such result is excluded"
    assert merged["compliant"] == scanned["compliant"]
