"""Two hosts with the same Windows name, in two domains, scanned through the CLI and the lab.

They are two hosts wherever identity matters: their findings have their own fingerprints and
baseline entries (the FQDN), the table, JUnit, CSV and SARIF tell them apart, and an exclusion
can name one by its FQDN.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hvbpa.exit_codes import ExitCode
from hvbpa.lab import HostConfig, RunningFleet
from hvbpa.policy import FINGERPRINT_KEY
from hvbpa.snapshot.synthetic import host_snapshot
from tests.conftest import Invoke, validate_report
from tests.e2e.conftest import LAB_ENV

StartFleet = Callable[..., RunningFleet]

DOMAINS = ("contoso.test", "fabrikam.test")


def _hv01(domain: str) -> str:
    document: dict[str, Any] = host_snapshot("HV01", 6, seed=domain)
    document["host"]["fqdn"] = f"HV01.{domain}"
    document["qos_policies"] = []  # HVR014, judged per host: nothing throttles replication traffic
    return json.dumps(document)


@pytest.fixture
def twins(lab_fleet: StartFleet) -> dict[str, str]:
    """domain -> target of its HV01, both answering with a snapshot named HV01."""
    running = lab_fleet(*(HostConfig(f"HV01-{d}", transport="ntlm", snapshot_text=_hv01(d)) for d in DOMAINS))
    return {d: f"127.0.0.1:{h.port}" for d, h in zip(DOMAINS, running.hosts, strict=True)}


def _scan(cli: Invoke, targets: list[str], tmp_path: Path, name: str, *args: str) -> tuple[Any, dict[str, Any]]:
    out = tmp_path / f"{name}.json"
    result = cli("scan", *targets, "-q", "-o", f"json:{out}", "--rule", "HVR014", *args, env=LAB_ENV)
    report = json.loads(out.read_text("utf-8"))
    validate_report(report)
    return result, report


def test_a_baseline_of_one_hv01_does_not_hide_the_others_finding(
    cli: Invoke, twins: dict[str, str], tmp_path: Path
) -> None:
    first, report = _scan(cli, [twins["contoso.test"]], tmp_path, "first")
    assert first.exit_code == ExitCode.FINDINGS  # HVR014: no QoS policy throttles replication
    assert [h["fqdn"] for h in report["hosts"]] == ["HV01.contoso.test"]
    base = tmp_path / "base.json"
    assert cli("baseline", "create", str(tmp_path / "first.json"), "-o", str(base)).exit_code == 0
    (entry,) = json.loads(base.read_text("utf-8"))["fingerprints"]
    assert (entry["host"], entry["host_id"]) == ("HV01", "hv01.contoso.test")
    again, _ = _scan(cli, [twins["contoso.test"]], tmp_path, "again", "--baseline", str(base))
    assert again.exit_code == ExitCode.OK
    both, report = _scan(cli, list(twins.values()), tmp_path, "both", "--baseline", str(base))
    assert both.exit_code == ExitCode.FINDINGS, "fabrikam's HV01 has a finding of its own"
    assert any("1 known finding(s), 1 new, 0 fixed" in note for note in report["notes"]), report["notes"]


def test_an_exclusion_names_one_hv01_by_its_fqdn(cli: Invoke, twins: dict[str, str], tmp_path: Path) -> None:
    exclusions = tmp_path / "exclusions.toml"
    exclusions.write_text(
        '[[exclusion]]\nrule = "HVR014"\nhost = "hv01.fabrikam.test"\njustification = "lab"\n', "utf-8"
    )
    result, report = _scan(cli, list(twins.values()), tmp_path, "r", "--exclusions", str(exclusions))
    assert result.exit_code == ExitCode.FINDINGS
    excluded = {r["target"]: bool(r["excluded_by"]) for r in report["results"] if r["rule_id"] == "HVR014"}
    assert excluded == {twins["contoso.test"]: False, twins["fabrikam.test"]: True}


def test_every_report_tells_the_two_apart(cli: Invoke, twins: dict[str, str], tmp_path: Path) -> None:
    paths = {fmt: tmp_path / f"r.{fmt}" for fmt in ("sarif", "junit", "csv", "json")}
    outputs = [f"{fmt}:{path}" for fmt, path in paths.items()]
    result = cli("scan", *twins.values(), "--rule", "HVR014", *(x for o in outputs for x in ("-o", o)), "-o", "table",
                 env={**LAB_ENV, "COLUMNS": "200"})  # fmt: skip
    assert result.exit_code == ExitCode.FINDINGS
    labels = [f"HV01 (hv01.{d})" for d in DOMAINS]
    assert all(label in result.output for label in labels), result.output

    (run,) = json.loads(paths["sarif"].read_text("utf-8"))["runs"]
    assert sorted(r["message"]["text"].split(":")[0] for r in run["results"]) == labels
    assert len({r["partialFingerprints"][FINGERPRINT_KEY] for r in run["results"]}) == 2
    assert sorted(loc["fullyQualifiedName"] for loc in run["logicalLocations"]) == labels

    junit = ET.fromstring(paths["junit"].read_bytes())  # noqa: S314 - our own report
    assert sorted(s.get("name", "") for s in junit.iter("testsuite")) == labels

    rows = list(csv.DictReader(io.StringIO(paths["csv"].read_text("utf-8-sig"))))
    assert {(row["host"], row["target"]) for row in rows} == {("HV01", t) for t in twins.values()}

    summary = json.loads(paths["json"].read_text("utf-8"))["summary"]
    assert summary["host_verdicts_noncompliant"] == 2
