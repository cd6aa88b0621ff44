"""SARIF that GitHub code scanning accepts, from a real scan of lab hosts with findings.

Every result must carry a physical location with a file URI and a start line (GitHub's
GH1001 and GH1003): the hosts file or inventory line that named the host, or ``hosts/<target>``
for a host named on the command line. ``report merge`` of the JSON report must keep them.
Checked by the project's own statement of the two rules and by Microsoft's SARIF Multitool.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema
import pytest
from click.testing import CliRunner

from hvbpa.cli.main import main
from hvbpa.exit_codes import ExitCode
from hvbpa.lab import HostConfig, build_fleet, demo_fleet_path, start_fleet
from hvbpa.policy import FINGERPRINT_KEY
from hvbpa.snapshot.synthetic import host_snapshot_json
from tests.conftest import validate_report
from tests.e2e.conftest import LAB_ENV
from tests.report.sarif_checks import github_problems, multitool_problems, require_multitool
from tests.report.test_sarif import SCHEMA_PLACES

DEMO = demo_fleet_path().parent


@dataclass(frozen=True)
class Scanned:
    checkout: Path  # the working directory of the scan, as a CI job's checkout
    inventory: Path  # outside it
    cli_target: str
    sarif: dict[str, Any]
    merged: dict[str, Any]
    sarif_path: Path
    merged_path: Path


def _invoke(*args: str) -> Any:
    base = {"LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "NO_COLOR": "1", **LAB_ENV}
    return CliRunner().invoke(main, list(args), env=base, catch_exceptions=False)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scanned]:
    checkout = tmp_path_factory.mktemp("checkout")
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    running = start_fleet(
        build_fleet(
            [
                HostConfig("HV-PRI-01", transport="ntlm", snapshot=DEMO / "hv-pri-01.json"),
                HostConfig("HV-REP-01", transport="ntlm", snapshot=DEMO / "hv-rep-01.json"),
                HostConfig("HV-DR-02", transport="ntlm", snapshot=DEMO / "hv-dr-02.json"),
                HostConfig("HV-CLI", transport="ntlm", snapshot_text=host_snapshot_json("HV-CLI", 4)),
            ]
        ),
        processes=False,
    )
    try:
        port = {h.name: h.port for h in running.hosts}
        (checkout / "hosts.txt").write_text(
            "# Hyper-V hosts\n"
            f"http://127.0.0.1:{port['HV-PRI-01']}/wsman name=HV-PRI-01\n"
            f"http://127.0.0.1:{port['HV-DR-02']}/wsman name=HV-DR-02   # the second Replica server\n",
            "utf-8",
        )
        inventory = elsewhere / "site.yml"
        inventory.write_text(
            "all:\n  children:\n    hyperv:\n      hosts:\n"
            f"        HV-REP-01:\n          ansible_host: 127.0.0.1\n          ansible_port: {port['HV-REP-01']}\n"
            "          ansible_winrm_scheme: http\n",
            "utf-8",
        )
        cli_target = f"127.0.0.1:{port['HV-CLI']}"
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(checkout)
            scan = _invoke(
                "scan", cli_target, "--hosts-file", "hosts.txt", "-i", str(inventory), "-q",
                "-o", "sarif:scan.sarif", "-o", "json:scan.json",
            )  # fmt: skip
            assert scan.exit_code == ExitCode.FINDINGS, scan.output
            merge = _invoke("report", "merge", "scan.json", "-q", "-o", "sarif:merged.sarif")
            assert merge.exit_code == ExitCode.FINDINGS, merge.output
        validate_report(json.loads((checkout / "scan.json").read_text("utf-8")))
        yield Scanned(
            checkout=checkout,
            inventory=inventory,
            cli_target=cli_target,
            sarif=json.loads((checkout / "scan.sarif").read_text("utf-8")),
            merged=json.loads((checkout / "merged.sarif").read_text("utf-8")),
            sarif_path=checkout / "scan.sarif",
            merged_path=checkout / "merged.sarif",
        )
    finally:
        running.stop()


def _placed(document: dict[str, Any]) -> dict[str, tuple[str, str | None, int]]:
    """target -> (uri, uriBaseId, startLine) of its results; one place per target."""
    places: dict[str, set[tuple[str, str | None, int]]] = {}
    for result in document["runs"][0]["results"]:
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        artifact = physical["artifactLocation"]
        place = (artifact["uri"], artifact.get("uriBaseId"), physical["region"]["startLine"])
        places.setdefault(result["properties"]["target"], set()).add(place)
    assert all(len(found) == 1 for found in places.values()), places
    return {target: found.pop() for target, found in places.items()}


def test_every_result_is_placed_where_its_host_was_named(scanned: Scanned) -> None:
    run = scanned.sarif["runs"][0]
    assert sum(r["kind"] == "fail" for r in run["results"]) >= 10, "the fleet has findings on every host"
    assert github_problems(scanned.sarif) == []
    assert _placed(scanned.sarif) == {
        "HV-PRI-01": ("hosts.txt", "%SRCROOT%", 2),
        "HV-DR-02": ("hosts.txt", "%SRCROOT%", 3),
        # Outside the working directory GitHub would refuse the file: the host gets one of its own.
        "HV-REP-01": ("hosts/HV-REP-01", None, 1),
        scanned.cli_target: ("hosts/" + quote(scanned.cli_target, safe=""), None, 1),
    }
    origins = {r["properties"]["target"]: r["properties"].get("origin") for r in run["results"]}
    assert origins == {
        "HV-PRI-01": "hosts.txt:2",
        "HV-DR-02": "hosts.txt:3",
        "HV-REP-01": f"{scanned.inventory}:5",  # where the host's key is
        scanned.cli_target: None,
    }
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": scanned.checkout.as_uri() + "/"}}
    assert run["invocations"][0]["workingDirectory"] == {"uri": scanned.checkout.as_uri() + "/"}


def test_the_report_is_valid_sarif(scanned: Scanned) -> None:
    path = next((p for p in SCHEMA_PLACES if p.is_file()), None)
    assert path is not None
    schema = json.loads(path.read_text("utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    validator.validate(scanned.sarif)
    validator.validate(scanned.merged)


def test_a_merged_report_keeps_every_location(scanned: Scanned) -> None:
    def by_fingerprint(document: dict[str, Any]) -> dict[tuple[str, str], Any]:
        return {
            (r["ruleId"], r["partialFingerprints"][FINGERPRINT_KEY]): r["locations"]
            for r in document["runs"][0]["results"]
        }

    assert github_problems(scanned.merged) == []
    assert by_fingerprint(scanned.merged) == by_fingerprint(scanned.sarif)


def _without(document: dict[str, Any], key: str) -> dict[str, Any]:
    broken = copy.deepcopy(document)
    for result in broken["runs"][0]["results"]:
        for location in result["locations"]:
            if key == "physicalLocation":
                del location["physicalLocation"]
            else:
                del location["physicalLocation"][key]
    return broken


def test_the_github_checks_catch_a_report_without_file_locations(scanned: Scanned) -> None:
    count = len(scanned.sarif["runs"][0]["results"])
    unplaced = github_problems(_without(scanned.sarif, "physicalLocation"))
    assert len(unplaced) == count and all(p.startswith("GH1001 ") for p in unplaced)
    unlined = github_problems(_without(scanned.sarif, "region"))
    assert len(unlined) == count and all(p.startswith("GH1003 ") for p in unlined)


def test_sarif_multitool_accepts_the_reports(scanned: Scanned, tmp_path: Path) -> None:
    tool = require_multitool()
    assert multitool_problems(tool, scanned.sarif_path, tmp_path / "scan") == []
    assert multitool_problems(tool, scanned.merged_path, tmp_path / "merged") == []


def test_sarif_multitool_runs_the_github_rules(scanned: Scanned, tmp_path: Path) -> None:
    """The configuration really turns GH1001 and GH1003 on: reports without them are refused."""
    tool = require_multitool()
    count = len(scanned.sarif["runs"][0]["results"])
    unlined = tmp_path / "no-region.sarif"
    unlined.write_text(json.dumps(_without(scanned.sarif, "region")), "utf-8")
    problems = multitool_problems(tool, unlined, tmp_path / "no-region")
    assert sum(p.startswith("GH1003 error") for p in problems) == count, problems
    unplaced = tmp_path / "no-physical.sarif"
    unplaced.write_text(json.dumps(_without(scanned.sarif, "physicalLocation")), "utf-8")
    problems = multitool_problems(tool, unplaced, tmp_path / "no-physical")
    # GH1001 itself, or the engine's failure formatting its message (5.7.0: see sarif_checks).
    assert any(p.startswith(("GH1001 error", "ERR999")) for p in problems), problems
