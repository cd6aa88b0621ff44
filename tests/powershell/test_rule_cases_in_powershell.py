"""Every rule case in tests/cases, its hosts played by the stand-ins and collected by the
real script in PowerShell, then judged through the real CLI: the verdicts must be the
ones the case expects from its hand-written snapshots."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

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
    captures = []
    for source in sorted(case.glob("*.json")):
        capture = tmp_path / f"{source.stem}.raw"
        capture.write_text(answers[source], encoding="ascii")
        captures.append(str(capture))
    out = tmp_path / "report.json"
    result = cli("evaluate", *captures, "-o", f"json:{out}", "--now", FIXED_NOW, *expected.get("args", []))
    assert result.exit_code == expected["exit_code"], result.output
    report = json.loads(out.read_text("utf-8"))
    verdicts = _verdicts(report)
    wanted = {(vm["host"], vm["name"]): vm for vm in expected["vms"]}
    assert set(verdicts) == set(wanted)
    for key, want in wanted.items():
        got = verdicts[key]
        assert got["status"] == want["status"], key
        if "reason" in want:
            assert got["reason"]["code"] == want["reason"], key
        assert got["inferred_from"] == want.get("inferred_from"), key
        assert got["failover_addresses"] == want.get("failover", []), key
    for want in expected.get("rule_status", []):
        (match,) = [r for r in report["results"] if r["host"] == want["host"]]
        assert match["status"] == want["status"]
    counted(len(captures))
