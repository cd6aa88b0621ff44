"""Every count at the end of the table is explained on its own line: a total, what it is one
per, and parts that add up to it; and each line's numbers are what the JSON report lists.

Checked on every data-driven case and on the demo fleet as scanned through the lab.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Invoke

CASES = Path(__file__).resolve().parents[1] / "cases"

HOSTS = re.compile(r"Hosts: (\d+) of (\d+) scanned, (\d+) not scanned(?:, (\d+) scanned but not judged)?")
RESULTS = re.compile(
    r"Results by rule and host: (\d+), one per rule and host scanned: (\d+) with findings"
    r"(?: \((\d+) from rules judged per VM, (\d+) per host\))?, (\d+) undetermined, "
    r"(\d+) compliant, (\d+) not applicable, (\d+) excluded"
)
VMS = re.compile(
    r"Virtual machines judged: (\d+); their verdicts, one per rule: (\d+) \((\d+) with findings, "
    r"(\d+) undetermined, (\d+) compliant(?:, (\d+) excluded)?(?:, (\d+) in the baseline)?\), "
    r"and (\d+) not applicable"
)
HOST_VERDICTS = re.compile(
    r"Verdicts on the hosts judged, one per rule judged per host: (\d+) \((\d+) with findings, "
    r"(\d+) undetermined, (\d+) compliant, (\d+) not applicable(?:, (\d+) excluded or in the baseline)?\)"
)


def _n(*groups: str | None) -> list[int]:
    return [int(g or 0) for g in groups]


STARTS = ("Hosts: ", "Results by rule and host: ", "Virtual machines judged: ", "Verdicts on the hosts judged")


def _footer(table: str) -> dict[str, list[int]]:
    # The footer follows the last blank line; a line longer than the table's width is wrapped at spaces.
    lines: list[str] = []
    for line in table.rstrip().split("\n\n")[-1].splitlines():
        if line.startswith(STARTS) or not lines:
            lines.append(line)
        else:
            lines[-1] += " " + line
    found: dict[str, list[int]] = {}
    for name, pattern in (("hosts", HOSTS), ("results", RESULTS), ("vms", VMS), ("host_verdicts", HOST_VERDICTS)):
        matches = [pattern.fullmatch(line) for line in lines]
        hit = [m for m in matches if m]
        assert len(hit) <= 1, (name, table)
        if hit:
            found[name] = _n(*hit[0].groups())
    assert {"hosts", "results", "vms"} <= found.keys(), table[-800:]
    return found


def reconcile(table: str, report: dict[str, Any]) -> None:
    footer = _footer(table)
    ok_targets = {h["target"] for h in report["hosts"] if h["status"] == "ok"}
    results = [r for r in report["results"] if r["target"] in ok_targets]
    rules = {r["rule_id"] for r in report["results"]}

    scanned, hosts, not_scanned, unjudged = footer["hosts"]
    assert scanned + not_scanned == hosts == len(report["hosts"]) and scanned == len(ok_targets)
    assert unjudged <= scanned

    total, findings, by_vm, by_host, undetermined, compliant, not_applicable, excluded = footer["results"]
    assert findings + undetermined + compliant + not_applicable + excluded == total
    # One per rule and host scanned: the total is explained by the rules and the hosts.
    assert total == len(results) == len(rules) * scanned or not results
    assert by_vm + by_host == findings or (by_vm, by_host) == (0, 0)
    open_findings = [r for r in results if r["status"] == "noncompliant" and not r["excluded_by"]]
    assert findings == len(open_findings)

    distinct, judged, vm_findings, vm_undetermined, vm_compliant, vm_excluded, vm_baselined, vm_na = footer["vms"]
    assert vm_findings + vm_undetermined + vm_compliant + vm_excluded + vm_baselined == judged
    verdicts = [vm for r in results for vm in r["vms"]]
    assert judged + vm_na == len(verdicts)
    assert vm_na == sum(vm["status"] == "not_applicable" for vm in verdicts)
    assert distinct == len({(r["target"], vm["vm_id"]) for r in results for vm in r["vms"]
                            if vm["status"] != "not_applicable"})  # fmt: skip
    if by_vm or by_host:
        # The bridge to the lines below: the per-VM results with findings hold the VMs' findings,
        # and the per-host ones are the hosts' findings.
        assert by_vm == sum(r["scope"] == "vm" for r in open_findings) and by_vm <= vm_findings
        assert by_host == footer["host_verdicts"][1]

    # A host not judged as a whole (no Hyper-V module, no rights) has no verdict of its own.
    per_host = [r for r in results if r["scope"] == "host" and r["verdict"] is not None]
    if "host_verdicts" in footer:
        h_total, h_findings, h_undetermined, h_compliant, h_na, h_accepted = footer["host_verdicts"]
        assert h_findings + h_undetermined + h_compliant + h_na + h_accepted == h_total == len(per_host)
        judged_hosts = {r["target"] for r in per_host}
        assert h_total == len({r["rule_id"] for r in per_host}) * len(judged_hosts)
        assert len(judged_hosts) == scanned - unjudged
    else:
        assert not per_host


def _case_args(case: Path) -> list[str]:
    return sorted(str(p) for p in case.glob("*.json"))


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_the_footer_adds_up_on_every_case(cli: Invoke, tmp_path: Path, case: str) -> None:
    table, report = tmp_path / "t.txt", tmp_path / "r.json"
    cli("evaluate", *_case_args(CASES / case), "--now", "2026-11-25T12:00:00+00:00", "--lang", "en",
        "-o", f"table:{table}", "-o", f"json:{report}")  # fmt: skip
    reconcile(table.read_text("utf-8"), json.loads(report.read_text("utf-8")))


def test_the_footer_adds_up_on_the_demo_fleet_and_with_accepted_findings(cli: Invoke, tmp_path: Path) -> None:
    table, report = tmp_path / "t.txt", tmp_path / "r.json"
    cli("demo", "-q", "--now", "2026-11-25T12:00:00+00:00", "-o", f"table:{table}", "-o", f"json:{report}")
    reconcile(table.read_text("utf-8"), json.loads(report.read_text("utf-8")))
    assert "Results by rule and host: 72, one per rule and host scanned: 25 with findings " in table.read_text()

    base = tmp_path / "base.json"
    cli("baseline", "create", str(report), "-o", str(base))
    merged_table, merged = tmp_path / "m.txt", tmp_path / "m.json"
    cli("report", "merge", str(report), "--baseline", str(base), "-q",
        "-o", f"table:{merged_table}", "-o", f"json:{merged}")  # fmt: skip
    reconcile(merged_table.read_text("utf-8"), json.loads(merged.read_text("utf-8")))
    # Accepted host findings are counted on their line, not dropped from it.
    assert ", 8 excluded or in the baseline)" in merged_table.read_text("utf-8")


def test_korean_footer_has_the_same_numbers(cli: Invoke, tmp_path: Path) -> None:
    pair = _case_args(CASES / "replica-off-with-primary")
    english = cli("evaluate", *pair, "--now", "2026-11-25T12:00:00+00:00", "--lang", "en").output
    korean = cli("evaluate", *pair, "--now", "2026-11-25T12:00:00+00:00", "--lang", "ko").output
    footer_en, footer_ko = (output.rstrip().split("\n\n")[-1] for output in (english, korean))
    # Korean puts some numbers in another order ("of 3, 2 scanned"), and wraps elsewhere: the same numbers.
    assert sorted(re.findall(r"\d+", footer_en)) == sorted(re.findall(r"\d+", footer_ko))
    assert len(footer_en.splitlines()) >= 4 and "그 밖에 해당 없음" in footer_ko


def test_no_host_scanned_leaves_only_the_hosts_line(cli: Invoke) -> None:
    """Zeros for rules and VMs would read like a clean result; a run that judged nothing says only that."""
    from hvbpa.exit_codes import ExitCode

    result = cli(
        "scan", "127.0.0.1:1", "--connect-timeout", "2s", "--retries", "0",
        env={"HVBPA_USERNAME": "admin", "HVBPA_PASSWORD": "x"},
    )  # fmt: skip
    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    hosts = HOSTS.search(result.output)
    assert hosts is not None and _n(*hosts.groups()[:3]) == [0, 1, 1], result.output
    assert "Results by rule and host" not in result.output and "Virtual machines judged" not in result.output
