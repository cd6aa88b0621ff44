"""PowerShell's own parser on the scripts that run on hosts: nothing that Windows
PowerShell 4.0 (Windows Server 2012 R2) or 5.1 lacks. Complements the tree-sitter check
in tests/collect, which runs without PowerShell."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from hvbpa.collect import delivery
from hvbpa.lab.pwsh import PWSH_ARGS

CHECKER = Path(__file__).with_name("legacy_syntax.ps1")
COLLECT = Path(__file__).resolve().parents[2] / "src" / "hvbpa" / "collect" / "collect.ps1"
REJECTED = {
    "new": "$l = [Collections.Generic.List[object]]::new()",
    "class": "class Thing { [int]$a }",
    "using": "using namespace System.Text",
    "ternary": "$a = $b ? 1 : 2",
    "coalesce": "$a = $b ?? 1",
    "coalesce-assign": "$a ??= 1",
    "null-conditional": "$a = ${b}?.c",
    "null-conditional-index": "$a = ${b}?[0]",
    "chain": "Get-Date && Get-Date",
    "parallel": "1..3 | ForEach-Object -Parallel { $_ }",
}


@pytest.fixture(scope="module")
def problems(pwsh: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    folder = tmp_path_factory.mktemp("syntax")
    files = {"collect.ps1": COLLECT}
    bootstrap = folder / "bootstrap.ps1"
    # The inline bootstrap, with an empty payload: it runs on the host before the script does.
    bootstrap.write_text(delivery.INLINE_PREFIX + delivery.INLINE_SUFFIX + delivery._RUN_AND_ENCODE, encoding="utf-8")
    files["bootstrap"] = bootstrap
    for name, source in REJECTED.items():
        files[name] = folder / f"{name}.ps1"
        files[name].write_text(source + "\n", encoding="utf-8")
    command = [str(pwsh), *PWSH_ARGS, "-File", str(CHECKER), *(str(p) for p in files.values())]
    done = subprocess.run(command, capture_output=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-500:]
    report = json.loads(done.stdout)
    return {name: list(report[str(path)] or []) for name, path in files.items()}


def test_collect_script_and_bootstrap_use_nothing_newer_than_40(problems: dict[str, list[str]]) -> None:
    assert problems["collect.ps1"] == []
    assert problems["bootstrap"] == []


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_the_checker_rejects(name: str, problems: dict[str, list[str]]) -> None:
    assert problems[name], REJECTED[name]
