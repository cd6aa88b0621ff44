"""examples/ci: the GitHub Actions and GitLab CI jobs, run as the CI would run them, against lab hosts.

The commands come out of the YAML files themselves (all but `pip install .`: this hvbpa is
installed already), run in one bash shell with the job's variables, credentials as the CI
secrets would give them, and the lab's ports moved to free ones so parallel runs never clash.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import free_port_pair

ROOT = Path(__file__).resolve().parents[2]
CI = ROOT / "examples" / "ci"
SECRETS = {"HVBPA_USERNAME": "labadmin", "HVBPA_PASSWORD": "Lab-Passw0rd!"}


def _github() -> tuple[list[str], dict[str, str]]:
    workflow = yaml.safe_load((CI / "github-actions.yml").read_text("utf-8"))
    (job,) = workflow["jobs"].values()
    assert job["env"]["HVBPA_PASSWORD"] == "${{ secrets.HVBPA_PASSWORD }}", "credentials come from secrets"
    assert any("upload-sarif" in step.get("uses", "") for step in job["steps"])
    assert any("junit" in step.get("uses", "") for step in job["steps"])
    return [step["run"] for step in job["steps"] if "run" in step], dict(job["env"])


def _gitlab() -> tuple[list[str], dict[str, str]]:
    (job,) = yaml.safe_load((CI / "gitlab-ci.yml").read_text("utf-8")).values()
    assert job["artifacts"]["reports"]["junit"] == "hvbpa-junit.xml"
    return list(job["script"]), dict(job["variables"])


@pytest.mark.parametrize("job", [_github, _gitlab], ids=["github-actions", "gitlab-ci"])
def test_ci_job_scans_lab_hosts_and_publishes_junit_and_sarif(job: object, tmp_path: Path) -> None:
    commands, variables = job()  # type: ignore[operator]
    commands = [c for c in commands if c.strip() != "pip install ."]
    port = free_port_pair()
    inventory = (CI / "inventory.yml").read_text("utf-8")
    assert "45985" in inventory and variables["LAB_PORT"] == "45985"
    (tmp_path / "examples" / "ci").mkdir(parents=True)
    (tmp_path / "examples" / "ci" / "inventory.yml").write_text(
        inventory.replace("45986", str(port + 1)).replace("45985", str(port)), "utf-8"
    )
    script = "set -e\ntrap 'kill $(jobs -p) 2>/dev/null; wait' EXIT\n" + "\n".join(commands) + "\n"
    env = {
        **os.environ,
        **{k: v for k, v in variables.items() if not v.startswith("${{")},
        **SECRETS,
        "LAB_PORT": str(port),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    bash = shutil.which("bash")
    assert bash is not None
    done = subprocess.run([bash, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr + (tmp_path / "lab.log").read_text("utf-8")
    assert "Hosts: 2 of 2 scanned" in done.stdout
    junit = ET.fromstring((tmp_path / "hvbpa-junit.xml").read_bytes())  # noqa: S314 - our own report
    assert (junit.get("failures"), junit.get("errors")) == ("0", "0") and int(junit.get("tests", "0")) > 0
    sarif = json.loads((tmp_path / "hvbpa.sarif").read_text("utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] == []
    assert "hvbpa lab: stopping" in (tmp_path / "lab.log").read_text("utf-8"), "the lab stopped cleanly"
