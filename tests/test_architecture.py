"""The layering the README promises, checked on the sources: one-way imports, and
each heavy library in the one place allowed to use it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
MODULES = {".".join(p.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__"): p for p in SRC.rglob("*.py")}


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
        ("click", lambda m: m.startswith("hvbpa.cli.") and m not in ("hvbpa.cli.entry", "hvbpa.cli.index")),
        ("winrm", lambda m: m == "hvbpa.collect.wsman"),
        ("rich", lambda m: m in ("hvbpa.report.table", "hvbpa.cli.progress")),
        ("spnego", lambda m: m.startswith("hvbpa.lab")),
        ("trustme", lambda m: m.startswith("hvbpa.lab")),
        ("gssapi", lambda m: m in ("hvbpa.collect.kerberos", "hvbpa.lab.kerberos_auth")),
    ],
)
def test_library_stays_in_its_module(library: str, allowed: object) -> None:
    assert callable(allowed)
    assert {m for m in _importers(library) if not allowed(m)} == set()


# What every stage may use: the top-level modules that hold no stage of their own.
SHARED = {
    "hvbpa", "hvbpa.errors", "hvbpa.exit_codes", "hvbpa.config", "hvbpa.i18n", "hvbpa.atomic", "hvbpa.schemas",
    "hvbpa.durations", "hvbpa.signals", "hvbpa.strict_json", "hvbpa.i18n_replication", "hvbpa.i18n_kerberos",
    "hvbpa.console", "hvbpa.visible",
}  # fmt: skip

# The pipeline, top to bottom: each unit may import only the units listed for it (and SHARED).
# cli -> pipeline -> report -> policy -> evaluate -> snapshot; collect -> targets, snapshot.
# Only cli (its demo and lab commands) imports lab; the lab's demo runs the pipeline.
LAYERS: dict[str, set[str]] = {
    "hvbpa.cli": {
        "hvbpa.lab",
        "hvbpa.pipeline",
        "hvbpa.report",
        "hvbpa.policy",
        "hvbpa.evaluate",
        "hvbpa.collect",
        "hvbpa.targets",
        "hvbpa.snapshot",
    },
    "hvbpa.lab": {"hvbpa.pipeline", "hvbpa.evaluate", "hvbpa.collect", "hvbpa.targets", "hvbpa.snapshot"},
    "hvbpa.pipeline": {"hvbpa.report", "hvbpa.policy", "hvbpa.evaluate", "hvbpa.snapshot"},
    "hvbpa.report": {"hvbpa.policy", "hvbpa.evaluate", "hvbpa.snapshot"},
    "hvbpa.policy": {"hvbpa.evaluate", "hvbpa.snapshot"},
    "hvbpa.evaluate": {"hvbpa.snapshot"},
    "hvbpa.collect": {"hvbpa.targets", "hvbpa.snapshot"},
    "hvbpa.targets": set(),
    "hvbpa.snapshot": set(),
    **{shared: set() for shared in SHARED},
    "hvbpa.__main__": {"hvbpa.cli"},
}


def _unit(module: str) -> str:
    """The layer a module belongs to: its package (hvbpa.X) or the top-level module itself."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def test_every_module_has_a_layer() -> None:
    assert {_unit(m) for m in MODULES} - set(LAYERS) == set()


def test_imports_follow_the_pipeline_order() -> None:
    offenders = []
    for module, path in MODULES.items():
        unit = _unit(module)
        allowed = LAYERS[unit] | SHARED | {unit}
        for imported in _imports(path):
            if imported.split(".")[0] != "hvbpa":
                continue
            if _unit(imported) not in allowed:
                offenders.append(f"{module} imports {imported}")
    assert offenders == []


def test_other_stages_use_a_package_s_exports() -> None:
    """Inside a package, modules import each other by full path; from outside, only the package's names."""
    offenders = []
    for module, path in MODULES.items():
        for imported in _imports(path):
            unit = _unit(imported)
            if imported != unit and unit != _unit(module) and unit in LAYERS and unit not in SHARED:
                offenders.append(f"{module} imports {imported}")
    assert offenders == []


def test_modules_were_found() -> None:
    assert {"hvbpa.cli.main", "hvbpa.collect.wsman", "hvbpa.report.table", "hvbpa.evaluate.engine"} <= set(MODULES)


def test_fail_on_choices_match_policy() -> None:
    from hvbpa.cli.common import FAIL_ON
    from hvbpa.policy.threshold import FAIL_ON as POLICY_FAIL_ON

    assert FAIL_ON == POLICY_FAIL_ON
