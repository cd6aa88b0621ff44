"""Baselines: made from a JSON report, loaded strictly, compared by fingerprint."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from hvbpa.errors import ConfigError, InputError
from hvbpa.evaluate.results import Run, Status
from hvbpa.policy.baseline import (
    BASELINE_SCHEMA,
    Baseline,
    apply_baseline,
    compare,
    create_baseline,
    load_baseline,
    write_baseline,
)
from hvbpa.policy.fingerprint import finding_fingerprint
from hvbpa.policy.threshold import exit_code
from hvbpa.report.json_report import document
from hvbpa.report.sarif import document as sarif_document
from tests.support import ABSENT, DOWN, KOREAN, make_ctx, make_run, outcomes

APP01 = "44ab73ce-3959-5d30-a813-0f00e3d0eb9d"


def baseline_of(run: Run, tmp_path: Path) -> Baseline:
    report = document(replace(make_ctx(ABSENT), run=run))
    path = tmp_path / "baseline.json"
    path.write_text(write_baseline(create_baseline(report)), "utf-8")
    return load_baseline(path)


def test_created_from_a_json_report() -> None:
    made = create_baseline(document(make_ctx(ABSENT, KOREAN)))
    assert made["schema"] == BASELINE_SCHEMA
    assert made["created"] == "2026-11-25T12:00:00+00:00"
    listed = [(e["host"], e["vm_name"]) for e in made["fingerprints"]]
    assert listed == [("HV01", "app01"), ("하이퍼V-서울", "데이터베이스")]
    app01 = made["fingerprints"][0]
    assert app01 == {
        "fingerprint": finding_fingerprint("HVX003", "HV01", APP01),
        "rule_id": "HVX003",
        "host": "HV01",
        "vm_id": APP01,
        "vm_name": "app01",
    }


def test_same_fingerprints_as_sarif() -> None:
    ctx = make_ctx(ABSENT, KOREAN)
    sarif = {r["partialFingerprints"]["hvbpaFinding/v1"] for r in sarif_document(ctx)["runs"][0]["results"]}
    assert sarif == {e["fingerprint"] for e in create_baseline(document(ctx))["fingerprints"]}


def test_excluded_findings_are_not_baselined() -> None:
    ctx = make_ctx(ABSENT)
    report = document(ctx)
    report["results"][0]["excluded_by"] = "x.toml:1: j"
    assert create_baseline(report)["fingerprints"] == []


def test_known_new_and_fixed(tmp_path: Path) -> None:
    run = make_run(outcomes(ABSENT, KOREAN))
    baseline = baseline_of(run, tmp_path)
    known, new, fixed = compare(run.results, baseline)
    assert (len(known), new, fixed) == (2, [], [])

    # The Korean host's finding is fixed; a new VM fails on HV01; app01 was renamed.
    hv01, korean = run.results
    assert hv01.host == "HV01"
    renamed = tuple(replace(v, vm_name=v.vm_name + "-new") for v in hv01.vms)
    newcomer = replace(hv01.vms[0], vm_name="app09", vm_id="00000000-0000-0000-0000-000000000009")
    now = (
        replace(hv01, vms=(*renamed, newcomer)),
        replace(korean, status=Status.COMPLIANT, vms=tuple(replace(v, status=Status.COMPLIANT) for v in korean.vms)),
    )
    comparison = compare(now, baseline)
    assert comparison.known == {finding_fingerprint("HVX003", "hv01", APP01)}
    assert [f.vm_name for f in comparison.new] == ["app09"]
    assert [f.vm_name for f in comparison.fixed] == ["데이터베이스"]


def test_a_host_that_was_not_scanned_has_fixed_nothing(tmp_path: Path) -> None:
    baseline = baseline_of(make_run(outcomes(ABSENT)), tmp_path)
    down = replace(DOWN, target="HV01")
    known, new, fixed = compare(make_run([down]).results, baseline)
    assert (known, new, fixed) == (set(), [], [])


def test_apply_baseline_fails_only_on_new_findings(tmp_path: Path) -> None:
    run = make_run(outcomes(ABSENT, KOREAN))
    baseline = baseline_of(make_run(outcomes(ABSENT)), tmp_path)
    applied, notes = apply_baseline(run.results, baseline)
    assert exit_code(replace(run, results=applied)) == 1
    assert [r.host for r in applied if r.excluded_by] == ["HV01"]
    assert notes == (f"{baseline.source}: 1 known finding(s), 1 new, 0 fixed since the baseline",)
    only_known = make_run(outcomes(ABSENT))
    applied, _ = apply_baseline(only_known.results, baseline)
    assert exit_code(replace(only_known, results=applied)) == 0


def good_entry() -> dict[str, Any]:
    return {
        "fingerprint": finding_fingerprint("HVX003", "HV01", APP01),
        "rule_id": "HVX003",
        "host": "HV01",
        "vm_id": APP01,
        "vm_name": "app01",
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"schema": "hvbpa.baseline/1",\n "fingerprints": [\n', ":3: not valid JSON"),
        ('{"schema": "hvbpa.report/1"}', ": not a baseline"),
        ('{"schema": "hvbpa.baseline/1", "fingerprints": {}}', ": 'fingerprints' must be a list"),
        ('{"schema": "hvbpa.baseline/1", "fingerprints": [{"rule_id": "HVX003"}]}', ": fingerprints[0]: needs"),
        (
            json.dumps({"schema": BASELINE_SCHEMA, "fingerprints": [{**good_entry(), "host": "HV02"}]}),
            ": fingerprints[0]: fingerprint does not match",
        ),
    ],
)
def test_bad_baseline_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(content, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_baseline(path)
    assert str(caught.value).startswith(f"{path}{message}"), str(caught.value)


def test_a_good_entry_loads(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"schema": BASELINE_SCHEMA, "created": "x", "fingerprints": [good_entry()]}), "utf-8")
    assert load_baseline(path).fingerprints == {good_entry()["fingerprint"]}
    with pytest.raises(ConfigError, match="baseline file not found"):
        load_baseline(tmp_path / "missing.json")


def test_only_json_reports_make_baselines() -> None:
    with pytest.raises(InputError, match="JSON report"):
        create_baseline({"schema": "hvbpa.snapshot/1"})
    with pytest.raises(InputError, match="malformed"):
        create_baseline({"schema": "hvbpa.report/1", "results": [{"vms": []}]})
