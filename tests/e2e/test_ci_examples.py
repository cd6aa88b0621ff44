"""examples/ci: the GitHub Actions and GitLab CI jobs, run as the CI would run them, against lab hosts.

The commands come out of the YAML files themselves (all but `pip install .`: this hvbpa is
installed already), run in one bash shell with the job's variables, credentials as the CI
secrets would give them, and the lab's ports moved to free ones so parallel runs never clash.
Each job runs three ways: against the healthy fleet it names (green), against a fleet with
findings (exit 1, reports that GitHub code scanning accepts), and with its secrets unset (exit 2
in one line, and no publishing step that would fail on the missing report files).

The shell stops at the first failing command, as both CIs do; the GitHub steps that publish
reports run after it when their ``if:`` holds, which is evaluated here for the expressions the
example uses.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from hvbpa.lab import demo_fleet_path
from tests.e2e.conftest import free_port_pair
from tests.report.sarif_checks import github_problems, multitool_problems, require_multitool

ROOT = Path(__file__).resolve().parents[2]
CI = ROOT / "examples" / "ci"
SECRETS = {"HVBPA_USERNAME": "labadmin", "HVBPA_PASSWORD": "Lab-Passw0rd!"}
REPORTS = ("hvbpa-junit.xml", "hvbpa.sarif")


@dataclass(frozen=True)
class Job:
    commands: list[str]
    variables: dict[str, str]
    publish: list[tuple[str, str]]  # (condition, the report file it publishes)


def _workflow() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CI / "github-actions.yml").read_text("utf-8"))
    return loaded


def _github() -> Job:
    job = _workflow()["jobs"]["hvbpa"]
    assert job["env"]["HVBPA_PASSWORD"] == "${{ secrets.HVBPA_PASSWORD }}", "credentials come from secrets"
    steps = job["steps"]
    assert any("upload-sarif" in step.get("uses", "") for step in steps)
    assert any("junit" in step.get("uses", "") for step in steps)
    publish = []
    for step in steps:
        uses = step.get("uses", "")
        if "upload-sarif" in uses:
            publish.append((step.get("if", ""), step["with"]["sarif_file"]))
        elif "junit" in uses:
            publish.append((step.get("if", ""), step["with"]["report_paths"]))
    return Job([step["run"] for step in steps if "run" in step], dict(job["env"]), publish)


def _gitlab() -> Job:
    (job,) = yaml.safe_load((CI / "gitlab-ci.yml").read_text("utf-8")).values()
    assert job["artifacts"]["reports"]["junit"] == "hvbpa-junit.xml"
    # GitLab's runner warns about missing artifact files; it does not fail the job over them.
    assert job["artifacts"]["when"] == "always"
    return Job(list(job["script"]), dict(job["variables"]), [])


def _holds(condition: str, folder: Path) -> bool:
    """A GitHub step condition, for the expressions the example uses; anything else fails the test."""
    expression = condition.strip().removeprefix("${{").removesuffix("}}").strip()
    if not expression:
        return False  # no `if:` means success(): a step after a failed one does not run
    for term in (t.strip() for t in expression.split("&&")):
        if term == "!cancelled()" or term == "always()":
            continue
        found = re.fullmatch(r"hashFiles\('([^']+)'\)\s*!=\s*''", term)
        assert found, f"the test does not know the condition {term!r}"
        if not (folder / found.group(1)).is_file():
            return False
    return True


def _findings_fleet(folder: Path) -> str:
    """The two hosts of the example inventory, with the demo fleet's findings, over NTLM like the healthy ones."""
    demo = demo_fleet_path().parent
    fleet = folder / "findings.toml"
    fleet.write_text(
        '[defaults]\ntransport = "ntlm"\nusername = "labadmin"\npassword = "Lab-Passw0rd!"\n\n'
        f'[[hosts]]\nname = "HV-PRI-01"\nsnapshot = {json.dumps(str(demo / "hv-pri-01.json"))}\n\n'
        f'[[hosts]]\nname = "HV-REP-01"\nsnapshot = {json.dumps(str(demo / "hv-rep-01.json"))}\n',
        "utf-8",
    )
    return str(fleet)


def _run(job: Job, tmp_path: Path, *, fleet: str | None, secrets: dict[str, str]) -> subprocess.CompletedProcess[str]:
    commands = [c for c in job.commands if c.strip() != "pip install ."]
    if fleet is not None:
        assert any("lab serve healthy" in c for c in commands)
        commands = [c.replace("lab serve healthy", f"lab serve {fleet}") for c in commands]
    port = free_port_pair()
    inventory = (CI / "inventory.yml").read_text("utf-8")
    assert "45985" in inventory and job.variables["LAB_PORT"] == "45985"
    (tmp_path / "examples" / "ci").mkdir(parents=True)
    (tmp_path / "examples" / "ci" / "inventory.yml").write_text(
        inventory.replace("45986", str(port + 1)).replace("45985", str(port)), "utf-8"
    )
    script = "set -e\ntrap 'kill $(jobs -p) 2>/dev/null; wait' EXIT\n" + "\n".join(commands) + "\n"
    env = {
        **os.environ,
        **{k: v for k, v in job.variables.items() if not v.startswith("${{")},
        **secrets,
        "LAB_PORT": str(port),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    bash = shutil.which("bash")
    assert bash is not None
    done = subprocess.run([bash, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    log = tmp_path / "lab.log"
    assert log.is_file() and "hvbpa lab: stopping" in log.read_text("utf-8"), "the lab stopped cleanly"
    return done


def _explain(done: subprocess.CompletedProcess[str], tmp_path: Path) -> str:
    return done.stdout + done.stderr + (tmp_path / "lab.log").read_text("utf-8")


def _published(job: Job, tmp_path: Path) -> list[str]:
    """The report files the job's publishing steps pick up; each must exist when its step runs."""
    chosen = [path for condition, path in job.publish if _holds(condition, tmp_path)]
    assert all((tmp_path / path).is_file() for path in chosen), chosen
    return chosen


JOBS = pytest.mark.parametrize("job", [_github, _gitlab], ids=["github-actions", "gitlab-ci"])


@JOBS
def test_ci_job_is_green_on_the_healthy_fleet(job: Any, tmp_path: Path) -> None:
    spec: Job = job()
    done = _run(spec, tmp_path, fleet=None, secrets=SECRETS)
    assert done.returncode == 0, _explain(done, tmp_path)
    assert "Hosts: 2 of 2 scanned" in done.stdout
    junit = ET.fromstring((tmp_path / "hvbpa-junit.xml").read_bytes())  # noqa: S314 - our own report
    assert (junit.get("failures"), junit.get("errors")) == ("0", "0") and int(junit.get("tests", "0")) > 0
    sarif = json.loads((tmp_path / "hvbpa.sarif").read_text("utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] == []
    assert _published(spec, tmp_path) == [p for _, p in spec.publish]


@JOBS
def test_ci_job_fails_on_findings_and_publishes_reports_code_scanning_accepts(job: Any, tmp_path: Path) -> None:
    spec: Job = job()
    done = _run(spec, tmp_path, fleet=_findings_fleet(tmp_path), secrets=SECRETS)
    assert done.returncode == 1, _explain(done, tmp_path)  # Error findings: the job fails, as it should
    assert "Hosts: 2 of 2 scanned" in done.stdout and "HVR001" in done.stdout
    junit = ET.fromstring((tmp_path / "hvbpa-junit.xml").read_bytes())  # noqa: S314 - our own report
    assert int(junit.get("failures", "0")) > 0 and junit.get("errors") == "0"
    sarif = json.loads((tmp_path / "hvbpa.sarif").read_text("utf-8"))
    results = sarif["runs"][0]["results"]
    assert sum(r["kind"] == "fail" for r in results) >= 10
    assert github_problems(sarif) == []
    # Each host's results open at its entry in the inventory the job scans.
    lines = (tmp_path / "examples" / "ci" / "inventory.yml").read_text("utf-8").split("\n")
    for result in results:
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": "examples/ci/inventory.yml", "uriBaseId": "%SRCROOT%"}
        named = lines[physical["region"]["startLine"] - 1]
        assert named.strip() == f"{result['properties']['target']}:", named
    assert _published(spec, tmp_path) == [p for _, p in spec.publish]


@JOBS
def test_ci_job_without_its_secrets_says_why_and_publishes_nothing(job: Any, tmp_path: Path) -> None:
    """A fork's pull request gets no secrets: the job fails on that alone, in one line."""
    spec: Job = job()
    done = _run(spec, tmp_path, fleet=None, secrets={"HVBPA_USERNAME": "", "HVBPA_PASSWORD": ""})
    assert done.returncode == 2, _explain(done, tmp_path)
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("hvbpa:")]
    assert "HVBPA_USERNAME" in line
    assert not any((tmp_path / report).exists() for report in REPORTS)
    assert _published(spec, tmp_path) == []


def test_sarif_multitool_accepts_the_ci_jobs_sarif(tmp_path: Path) -> None:
    tool = require_multitool()
    done = _run(_github(), tmp_path, fleet=_findings_fleet(tmp_path), secrets=SECRETS)
    assert done.returncode == 1, _explain(done, tmp_path)
    assert multitool_problems(tool, tmp_path / "hvbpa.sarif", tmp_path / "validation") == []


def test_github_windows_job_runs_the_windows_tests_on_windows() -> None:
    """The same tests as .ci/run's Wine lane, on a real Windows runner, with nothing to skip them."""
    jobs = _workflow()["jobs"]
    assert set(jobs) == {"hvbpa", "windows"}
    job = jobs["windows"]
    assert job["runs-on"] == "windows-latest"
    assert job["env"]["HVBPA_REQUIRE_WINDOWS"] == "1"
    steps = job["steps"]
    (python,) = [s for s in steps if s.get("uses", "").startswith("actions/setup-python")]
    assert python["with"]["python-version"] == "3.13"  # the version the Wine lane runs
    script = "\n".join(s["run"] for s in steps if "run" in s)
    assert "py -3.13 -m venv .venv" in script and ".venv\\Scripts\\python -m pip install" in script
    assert "pytest tests/windows" in script and "wine" not in script.lower()
    assert (Path(__file__).resolve().parents[1] / "windows" / "test_windows_scan.py").exists()
    assert "secrets" not in json.dumps(job), "the tests need no secrets: a fork's pull request runs them too"
