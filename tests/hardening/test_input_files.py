"""The issue's examples for every input file: exit 2, one line, naming the file (and the line where known)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from hvbpa.exit_codes import ExitCode
from tests.conftest import CASES, FIXED_NOW, Invoke

SNAPSHOT = str(CASES / "single-vm-installed-enum-names" / "hv01.json")
DEEP_TOML = "a = " + "[" * 3000 + "]" * 3000 + "\n"
LONG_INT_TOML = "jobs = " + "9" * 5000 + "\n"


def _error_line(result: object) -> str:
    output = getattr(result, "output", "")
    assert getattr(result, "exit_code", None) == ExitCode.USAGE, output
    (line,) = output.strip().splitlines()
    assert line.startswith("hvbpa: error: ") and "Traceback" not in line
    return line


def _report(tmp_path: Path, cli: Invoke) -> dict[str, object]:
    out = tmp_path / "seed.json"
    assert cli("evaluate", SNAPSHOT, "--now", FIXED_NOW, "-o", f"json:{out}").exit_code == 0
    loaded: dict[str, object] = json.loads(out.read_text("utf-8"))
    return loaded


@pytest.mark.parametrize("content", [DEEP_TOML, LONG_INT_TOML, "[[exclusion]]\nrule = 1\n"])
def test_exclusions(cli: Invoke, tmp_path: Path, content: str) -> None:
    path = tmp_path / "ex.toml"
    path.write_text(content, "utf-8")
    assert str(path) in _error_line(cli("evaluate", SNAPSHOT, "--exclusions", str(path)))


@pytest.mark.parametrize("content", [DEEP_TOML, LONG_INT_TOML, 'id = ["HVR9"]\n'])
def test_rule_files(cli: Invoke, tmp_path: Path, content: str) -> None:
    (tmp_path / "rules").mkdir()
    path = tmp_path / "rules" / "r.toml"
    path.write_text(content, "utf-8")
    assert str(path) in _error_line(cli("evaluate", SNAPSHOT, "--rules-dir", str(tmp_path / "rules")))


@pytest.mark.parametrize("name", ["hvbpa.toml", "pyproject.toml"])
@pytest.mark.parametrize("content", [DEEP_TOML, LONG_INT_TOML, "jobs = [1]\n", 'timeout = "inf"\n'])
def test_configuration_files(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, content: str
) -> None:
    text = ("[tool.hvbpa]\n" + content) if name == "pyproject.toml" else content
    (tmp_path / name).write_text(text, "utf-8")
    monkeypatch.chdir(tmp_path)
    assert name in _error_line(cli("evaluate", SNAPSHOT))


@pytest.mark.parametrize(
    "content",
    ['{"schema": "hvbpa.baseline/1", "fingerprints": ' + "[" * 5000 + "]" * 5000 + "}", '{"a": ' + "9" * 5000 + "}"],
)
def test_baselines(cli: Invoke, tmp_path: Path, content: str) -> None:
    path = tmp_path / "base.json"
    path.write_text(content, "utf-8")
    assert str(path) in _error_line(cli("evaluate", SNAPSHOT, "--baseline", str(path)))


Change = Callable[[dict[str, object]], None]


@pytest.mark.parametrize(
    ("label", "change"),
    [
        ("run is a list", lambda r: r.update(run=[])),
        ("hosts is a mapping", lambda r: r.update(hosts={"a": 1})),
        ("results is a string", lambda r: r.update(results="x")),
        ("a host's target is a number", lambda r: r["hosts"][0].update(target=5)),
        ("run.started is not a time", lambda r: r["run"].update(started="yesterday")),
    ],
)
def test_saved_reports_with_wrong_types(cli: Invoke, tmp_path: Path, label: str, change: Change) -> None:
    report = _report(tmp_path, cli)
    change(report)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(report), "utf-8")
    assert str(path) in _error_line(cli("report", "merge", str(path), "-o", f"json:{tmp_path / 'm.json'}")), label
    assert str(path) in _error_line(cli("baseline", "create", str(path), "-o", str(tmp_path / "b.json"))), label


@pytest.mark.parametrize("content", ["[" * 5000 + "]" * 5000, '{"schema": 1e999}', '{"x": "\\ud800"}'])
def test_saved_reports_that_are_not_strict_json(cli: Invoke, tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, "utf-8")
    assert str(path) in _error_line(cli("report", "merge", str(path)))


@pytest.mark.parametrize(
    ("name", "content", "line"),
    [
        ("inv.yml", "all:\n  hosts:\n    hv01:\n      x: \x01\n", ":4"),
        ("inv.yml", "all:\n  hosts:\n    hv01:\n      ansible_port: " + "9" * 5000 + "\n", ""),
        ("inv.yml", "all:\n  vars:\n    x: " + "[" * 3000 + "]" * 3000 + "\n", ""),
        ("inv.ini", "[g]\nhv01 ansible_port=" + "9" * 5000 + "\n", ":2"),
        ("inv.ini", "[g]\nhv[1:" + "9" * 5000 + "]\n", ":2"),
    ],
)
def test_inventories(cli: Invoke, tmp_path: Path, name: str, content: str, line: str) -> None:
    path = tmp_path / name
    path.write_text(content, "utf-8")
    assert f"{path}{line}" in _error_line(cli("scan", "-i", str(path)))


def test_group_vars_with_a_control_character(cli: Invoke, tmp_path: Path) -> None:
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars" / "all.yml").write_text("ansible_user: a\nx: \x07\n", "utf-8")
    inventory = tmp_path / "inv.ini"
    inventory.write_text("hv01\n", "utf-8")
    assert "all.yml:2" in _error_line(cli("scan", "-i", str(inventory)))


@pytest.mark.parametrize("content", ["hv01:" + "9" * 5000 + "\n", "ok\nhv[1:3]\x00\n"])
def test_hosts_files(cli: Invoke, tmp_path: Path, content: str) -> None:
    path = tmp_path / "hosts.txt"
    path.write_text(content, "utf-8")
    assert str(path) in _error_line(cli("scan", "--hosts-file", str(path)))


@pytest.mark.parametrize(
    ("name", "value"), [("HVBPA_JOBS", "9" * 5000), ("HVBPA_TIMEOUT", "nan"), ("HVBPA_FAIL_ON", "\x1b[31m")]
)
def test_environment_variables(cli: Invoke, name: str, value: str) -> None:
    line = _error_line(cli("evaluate", SNAPSHOT, env={name: value}))
    assert name in line and "\x1b" not in line
