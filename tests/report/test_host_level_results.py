"""Rules judged per host (HVR002-HVR004, HVR008, HVX002): a verdict on the host and no VM
list, through the CLI into every report, exclusions, baselines and fingerprints."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from hvbpa.exit_codes import ExitCode
from hvbpa.policy.fingerprint import FINGERPRINT_KEY, finding_fingerprint
from tests.conftest import CASES, FIXED_NOW, Invoke, validate_report

SERVERS = sorted(str(p) for p in (CASES / "hvr008-replica-names-primaries").glob("*.json"))
ANY_HOST = "RS-ANY"  # accepts replication from any server: HVR008's one finding
ANY_HOST_ID = "rs-any.example.test"  # its FQDN: who it is in fingerprints and baselines


def _run(cli: Invoke, tmp_path: Path, *extra: str) -> tuple[Any, dict[str, Any]]:
    out = tmp_path / "report.json"
    result = cli("evaluate", *SERVERS, "--rule", "HVR008", "--now", FIXED_NOW, "-o", f"json:{out}", *extra)
    return result, json.loads(out.read_text("utf-8"))


def test_json_carries_the_host_verdict_and_no_vm_list(cli: Invoke, tmp_path: Path) -> None:
    result, report = _run(cli, tmp_path)
    assert result.exit_code == ExitCode.FINDINGS
    validate_report(report)
    assert report["schema"] == "hvbpa.report/2"
    assert {r["judged_per"] for r in report["rules"]} == {"host"}
    (finding,) = [r for r in report["results"] if r["status"] == "noncompliant"]
    assert finding["host"] == ANY_HOST and finding["scope"] == "host"
    assert finding["vms"] == [] and finding["affected_vms"] == []
    assert finding["verdict"]["status"] == "noncompliant"
    assert finding["verdict"]["reason"]["code"] == "replica-accepts-any"
    # Undetermined on an old host is a verdict, not a host that could not be judged at all.
    old = next(r for r in report["results"] if r["host"] == "RS-OLD")
    assert old["status"] == "undetermined" and old["reason"] is None
    assert report["run"]["exit_code"] == ExitCode.FINDINGS


def test_version_1_schema_rejects_the_new_shape(cli: Invoke, tmp_path: Path) -> None:
    """Why the version changed: a version 1 reader cannot take host-level results."""
    from tests.conftest import shipped_schema

    _, report = _run(cli, tmp_path)
    v1 = jsonschema.Draft202012Validator(shipped_schema("report-v1.schema.json"))
    assert not v1.is_valid(report)


def test_table_lists_the_affected_host_under_its_rule(cli: Invoke) -> None:
    result = cli("evaluate", *SERVERS, "--rule", "HVR008", "--now", FIXED_NOW)
    lines = result.output.splitlines()
    assert lines[0].startswith("HVR008 [Warning] Replica servers should be configured")
    row = next(line for line in lines if ANY_HOST in line)
    assert "(the host)" in row
    # The old host's verdict is listed as could not determine, with its reason.
    assert any("RS-OLD" in line and "replication_server" in line for line in lines)


def test_table_puts_errors_before_warnings(cli: Invoke) -> None:
    both = sorted(str(p) for p in (CASES / "hvr004-replica-certificate").glob("*.json"))
    result = cli("evaluate", *both, "--rule", "HVX002", "--rule", "HVR004", "--now", FIXED_NOW)
    titles = [line.split(" ")[0] for line in result.output.splitlines() if line.startswith(("HVR", "HVX"))]
    assert titles == ["HVR004", "HVX002"]


def test_sarif_junit_and_csv(cli: Invoke, tmp_path: Path) -> None:
    sarif, junit, table = tmp_path / "out.sarif", tmp_path / "out.xml", tmp_path / "out.csv"
    result = cli(
        "evaluate", *SERVERS, "--rule", "HVR008", "--now", FIXED_NOW,
        "-o", f"sarif:{sarif}", "-o", f"junit:{junit}", "-o", f"csv:{table}",
    )  # fmt: skip
    assert result.exit_code == ExitCode.FINDINGS
    run = json.loads(sarif.read_text("utf-8"))["runs"][0]
    (failing,) = [r for r in run["results"] if r["kind"] == "fail"]
    assert failing["level"] == "warning"
    assert failing["partialFingerprints"][FINGERPRINT_KEY] == finding_fingerprint("HVR008", ANY_HOST_ID, "")
    location = run["logicalLocations"][failing["locations"][0]["logicalLocations"][0]["index"]]
    assert location == {"name": ANY_HOST, "fullyQualifiedName": ANY_HOST, "kind": "namespace"}
    assert {r["kind"] for r in run["results"]} == {"fail", "open"}  # the old hosts: open

    root = ET.fromstring(junit.read_bytes())  # noqa: S314 - our own output
    cases = {c.attrib["name"]: c for c in root.iter("testcase")}
    assert cases[f"{ANY_HOST} (the host)"].find("failure") is not None
    assert cases["RS-LISTED (the host)"].find("failure") is None
    assert root.attrib["failures"] == "1"

    rows = list(csv.DictReader(io.StringIO(table.read_text("utf-8-sig"))))
    assert {r["scope"] for r in rows} == {"host"}
    (row,) = [r for r in rows if r["status"] == "noncompliant"]
    assert (row["host"], row["vm_name"], row["reason_code"]) == (ANY_HOST, "", "replica-accepts-any")


@pytest.mark.parametrize("vm_line", ["", 'vm = "*"\n'])
def test_exclusion_by_host(cli: Invoke, tmp_path: Path, vm_line: str) -> None:
    exclusions = tmp_path / "exclusions.toml"
    exclusions.write_text(
        f'[[exclusion]]\nrule = "HVR008"\nhost = "rs-any"\n{vm_line}justification = "lab Replica server"\n', "utf-8"
    )
    result, report = _run(cli, tmp_path, "--exclusions", str(exclusions))
    assert result.exit_code == ExitCode.OK
    finding = next(r for r in report["results"] if r["host"] == ANY_HOST)
    assert "lab Replica server" in finding["excluded_by"]
    # The old hosts stay undetermined: an exclusion silences findings, never blindness.
    assert next(r for r in report["results"] if r["host"] == "RS-OLD")["excluded_by"] is None


def test_exclusion_without_vm_for_a_vm_rule_is_still_an_error(cli: Invoke, tmp_path: Path) -> None:
    exclusions = tmp_path / "exclusions.toml"
    exclusions.write_text('[[exclusion]]\nrule = "HVR007"\njustification = "j"\n', "utf-8")
    result = cli("evaluate", *SERVERS, "--exclusions", str(exclusions))
    assert result.exit_code == ExitCode.USAGE
    assert "name the VM" in result.output


def test_baseline_knows_host_findings(cli: Invoke, tmp_path: Path) -> None:
    _, report = _run(cli, tmp_path)
    made = tmp_path / "baseline.json"
    (tmp_path / "report.json").write_text(json.dumps(report), "utf-8")
    assert cli("baseline", "create", str(tmp_path / "report.json"), "-o", str(made)).exit_code == 0
    entries = json.loads(made.read_text("utf-8"))["fingerprints"]
    assert entries == [
        {
            "fingerprint": finding_fingerprint("HVR008", ANY_HOST_ID, ""),
            "rule_id": "HVR008",
            "host": ANY_HOST,
            "host_id": ANY_HOST_ID,
            "vm_id": "",
            "vm_name": "",
        }
    ]
    result, again = _run(cli, tmp_path, "--baseline", str(made))
    assert result.exit_code == ExitCode.OK
    assert any("1 known finding(s), 0 new, 0 fixed" in note for note in again["notes"])


def test_many_vms_undetermined_for_one_reason_are_one_row(cli: Invoke, tmp_path: Path) -> None:
    """An older collector leaves every VM's compression unknown: one row says so, not one per VM."""
    from hvbpa.snapshot.synthetic import host_snapshot

    document = host_snapshot("HV-OLDER", 8, mix=False)
    for vm in document["vms"]:
        del vm["replication"]["relationships"][0]["compression_enabled"]
    few = host_snapshot("HV-FEW", 2, mix=False, seed="few")
    for vm in few["vms"]:
        del vm["replication"]["relationships"][0]["compression_enabled"]
    paths = []
    for doc in (document, few):
        path = tmp_path / f"{doc['host']['name']}.json"
        path.write_text(json.dumps(doc), "utf-8")
        paths.append(str(path))
    result = cli("evaluate", *paths, "--rule", "HVR007", "--now", FIXED_NOW)
    flat = " ".join(result.output.split())
    # HV-OLDER's eight VMs are one entry; HV-FEW's two are listed one by one.
    assert flat.count("the host did not report CompressionEnabled") == 1 + 2, result.output
    assert "8 VMs (healthy-0000, healthy-0001, healthy-0002, ...)" in flat
