"""The wheel carries what the program reads at run time: rules, schemas, the
collection script and the demo fleet; and the installed copy finds them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import Invoke

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    (found,) = out.glob("hvbpa-*.whl")
    return found


def test_wheel_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for wanted in (
        "hvbpa/rules/HVR001-integration-services-for-failover-ip.toml",
        "hvbpa/collect/collect.ps1",
        "hvbpa/schemas/report-v1.schema.json",
        "hvbpa/schemas/report-v2.schema.json",
        "hvbpa/schemas/snapshot-v1.schema.json",
        "hvbpa/lab/demo_fleet/fleet.toml",
        "hvbpa/py.typed",
    ):
        assert wanted in names, wanted
    assert not any(n.startswith(("tests/", "bench/")) for n in names)


def test_installed_wheel_lists_its_own_rules(wheel: Path, tmp_path: Path) -> None:
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    env = {**os.environ, "PYTHONPATH": str(unpacked)}
    code = (
        "import hvbpa, hvbpa.evaluate.ruleset as r; "
        "print(hvbpa.__file__); print(r.shipped_rules_dir()); print([x.id for x in r.load_rules()])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    module, rules_dir, ids = result.stdout.splitlines()
    assert module.startswith(str(unpacked)) and rules_dir.startswith(str(unpacked))
    shipped = sorted(p.name.split("-")[0] for p in (Path(__file__).resolve().parents[1] / "rules").glob("*.toml"))
    assert ids == repr(shipped) and len(shipped) == 24


def test_schema_command(cli: Invoke) -> None:
    report = json.loads(cli("schema", "json").output)
    assert report["properties"]["schema"]["const"] == "hvbpa.report/2"
    snapshot = json.loads(cli("schema", "snapshot").output)
    assert snapshot["properties"]["schema"]["const"] == "hvbpa.snapshot/1"
    assert cli("schema", "xml").exit_code == 2


def test_collection_script_reports_this_version() -> None:
    """Snapshots say which collector wrote them; the script must move with the package."""
    from hvbpa import __version__
    from hvbpa.collect.script import collection_script

    assert f"collector_version = '{__version__}'" in collection_script()
