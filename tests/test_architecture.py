"""The layering the README promises, checked on the sources: one-way imports, and
each heavy library in the one place allowed to use it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
MODULES = {
    ".".join(p.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__"): p for p in SRC.rglob("*.py")
}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _importers(prefix: str) -> set[str]:
    return {m for m, p in MODULES.items() if any(i == prefix or i.startswith(prefix + ".") for i in _imports(p))}


@pytest.mark.parametrize(
    ("library", "allowed"),
    [
        ("click", lambda m: m.startswith("hvbpa.cli.") or m == "hvbpa.cli"),
        ("winrm", lambda m: m == "hvbpa.collect.wsman"),
        ("rich", lambda m: m in ("hvbpa.report.table", "hvbpa.progress")),
        ("spnego", lambda m: m.startswith("hvbpa.lab")),
        ("trustme", lambda m: m.startswith("hvbpa.lab")),
    ],
)
def test_library_stays_in_its_module(library: str, allowed: object) -> None:
    assert callable(allowed)
    assert {m for m in _importers(library) if not allowed(m)} == set()


@pytest.mark.parametrize(
    ("layer", "must_not_import"),
    [
        # Evaluation is pure: no WinRM, no reports, no CLI, no clock-driven scan.
        ("hvbpa.checks", ("hvbpa.collect", "hvbpa.scan", "hvbpa.report", "hvbpa.cli", "hvbpa.lab")),
        ("hvbpa.evaluate", ("hvbpa.collect", "hvbpa.scan", "hvbpa.report", "hvbpa.cli", "hvbpa.lab")),
        ("hvbpa.report", ("hvbpa.collect", "hvbpa.scan", "hvbpa.cli", "hvbpa.lab")),
        ("hvbpa.collect", ("hvbpa.scan", "hvbpa.report", "hvbpa.cli", "hvbpa.evaluate", "hvbpa.lab")),
        ("hvbpa.scan", ("hvbpa.cli", "hvbpa.report", "hvbpa.lab")),
        ("hvbpa.lab", ("hvbpa.cli", "hvbpa.scan", "hvbpa.report")),
    ],
)
def test_imports_go_one_way(layer: str, must_not_import: tuple[str, ...]) -> None:
    offenders = []
    for module, path in MODULES.items():
        if module == layer or module.startswith(layer + "."):
            for imported in _imports(path):
                if any(imported == f or imported.startswith(f + ".") for f in must_not_import):
                    offenders.append(f"{module} imports {imported}")
    assert offenders == []


def test_modules_were_found() -> None:
    assert {"hvbpa.cli", "hvbpa.collect.wsman", "hvbpa.report.table", "hvbpa.evaluate"} <= set(MODULES)


def test_fail_on_choices_match_policy() -> None:
    from hvbpa.cli.common import FAIL_ON
    from hvbpa.policy import FAIL_ON as POLICY_FAIL_ON

    assert FAIL_ON == POLICY_FAIL_ON
