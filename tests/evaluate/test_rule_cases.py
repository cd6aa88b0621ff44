"""Data-driven rule cases: each folder in tests/cases holds host snapshots and the
verdicts a Hyper-V admin expects, evaluated through the real CLI.

expected.toml names the rule it is about (``rule``, HVR001 when absent), the exit
code, the verdict of each VM (``vms``) and, for rules judged per host, the verdict
on each host (``hosts``)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CASES, FIXED_NOW, Invoke, validate_report

CASE_DIRS = sorted(p for p in CASES.iterdir() if (p / "expected.toml").is_file())


def _verdicts(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for result in report["results"]:
        for vm in result["vms"]:
            key = (vm["host"], vm["name"])
            assert key not in found, f"VM {key} judged twice"
            found[key] = vm
    return found


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_case(case: Path, cli: Invoke, tmp_path: Path) -> None:
    expected = tomllib.loads((case / "expected.toml").read_text("utf-8"))
    out = tmp_path / "report.json"
    snapshots = sorted(str(p) for p in case.glob("*.json"))
    rule = expected.get("rule", "HVR001")
    args = ("--rule", rule, "-o", f"json:{out}", "--now", FIXED_NOW, *expected.get("args", []))
    result = cli("evaluate", *snapshots, *args)
    assert result.exit_code == expected["exit_code"], result.output
    report = json.loads(out.read_text("utf-8"))
    validate_report(report)

    verdicts = _verdicts(report)
    assert {r["rule_id"] for r in report["results"]} == {rule}
    wanted = {(vm["host"], vm["name"]): vm for vm in expected.get("vms", [])}
    assert set(verdicts) == set(wanted), "the VMs judged differ from the VMs expected"
    for key, want in wanted.items():
        got = verdicts[key]
        assert got["status"] == want["status"], key
        if "evidence" in want:
            assert got["evidence"] == want["evidence"], key
        if "reason" in want:
            assert got["reason"]["code"] == want["reason"], key
        if "mode" in want:
            assert (got["replication_mode"], got["state"]) == tuple(want["mode"]), key
        assert got["inferred_from"] == want.get("inferred_from"), key
        assert got["failover_addresses"] == want.get("failover", []), key

    for want in expected.get("hosts", []):
        (match,) = [r for r in report["results"] if r["host"] == want["host"]]
        assert match["scope"] == "host" and match["vms"] == [], want["host"]
        assert match["verdict"] is not None, f"{want['host']}: no verdict ({match['reason']})"
        assert (match["status"], match["verdict"]["status"]) == (want["status"], want["status"]), want["host"]
        if "reason" in want:
            assert match["verdict"]["reason"]["code"] == want["reason"], want["host"]

    for want in expected.get("rule_status", []):
        (match,) = [r for r in report["results"] if r["host"] == want["host"]]
        assert match["status"] == want["status"]
        if "reason" in want:
            assert match["reason"]["code"] == want["reason"]
