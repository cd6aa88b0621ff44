"""Every rule case in tests/cases, its hosts played by the stand-ins and collected by the
real script in PowerShell, then judged through the real CLI: the verdicts must be the
ones the case expects from its hand-written snapshots."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from hvbpa.collect import delivery
from hvbpa.lab.standin_host import describe
from tests.conftest import CASES, FIXED_NOW, Invoke
from tests.evaluate.test_rule_cases import CASE_DIRS, _verdicts
from tests.powershell.conftest import run_descriptions
from tests.powershell.hosts import load

FILES = sorted(CASES.glob("*/*.json"))


@pytest.fixture(scope="module")
def answers(pwsh: Path) -> dict[Path, str]:
    """Each case file's stdout from PowerShell (the markers and the compressed snapshot)."""
    results = run_descriptions(pwsh, [describe(load(p)) for p in FILES])
    for path, result in zip(FILES, results, strict=True):
        assert result.error is None, f"{path}: {result.error}"
    return {path: result.stdout for path, result in zip(FILES, results, strict=True)}


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_case_verdicts_from_powershell(
    case: Path, answers: dict[Path, str], cli: Invoke, tmp_path: Path, counted: Callable[[int], None]
) -> None:
    expected = tomllib.loads((case / "expected.toml").read_text("utf-8"))
    # A snapshot from an older collector (no replication sections) is saved input only: the
    # script of today reads those sections, so it cannot print that snapshot again.
    saved_only = set(expected.get("saved_only", []))
    captures, skipped_hosts = [], set()
    for source in sorted(case.glob("*.json")):
        if source.name in saved_only:
            skipped_hosts.add(load(source)["host"]["name"])
            continue
        collected = json.loads(delivery.decode_answer(answers[source].encode("ascii")))
        # The one thing a replay cannot reproduce is the host's clock: the case's own collection
        # time goes back in, so rules that measure against it (HVX001, HVR004, HVX002) judge alike.
        collected["collected_at"] = load(source).get("collected_at")
        capture = tmp_path / f"{source.stem}.json"
        capture.write_text(json.dumps(collected, ensure_ascii=False), encoding="utf-8")
        captures.append(str(capture))
    out = tmp_path / "report.json"
    rule = expected.get("rule", "HVR001")
    args = ("--rule", rule, "-o", f"json:{out}", "--now", FIXED_NOW, *expected.get("args", []))
    result = cli("evaluate", *captures, *args)
    wanted = {(vm["host"], vm["name"]): vm for vm in expected.get("vms", []) if vm["host"] not in skipped_hosts}
    wanted_hosts = [h for h in expected.get("hosts", []) if h["host"] not in skipped_hosts]
    if not skipped_hosts:
        assert result.exit_code == expected["exit_code"], result.output
    report = json.loads(out.read_text("utf-8"))
    verdicts = _verdicts(report)
    assert set(verdicts) == set(wanted)
    for key, want in wanted.items():
        got = verdicts[key]
        assert got["status"] == want["status"], key
        if "reason" in want:
            assert got["reason"]["code"] == want["reason"], key
        assert got["inferred_from"] == want.get("inferred_from"), key
        assert got["failover_addresses"] == want.get("failover", []), key
    for want in wanted_hosts:
        (match,) = [r for r in report["results"] if r["host"] == want["host"]]
        assert match["verdict"] is not None and match["verdict"]["status"] == want["status"], want["host"]
        if "reason" in want:
            assert match["verdict"]["reason"]["code"] == want["reason"], want["host"]
    for want in expected.get("rule_status", []):
        (match,) = [r for r in report["results"] if r["host"] == want["host"]]
        assert match["status"] == want["status"]
    counted(len(captures))
