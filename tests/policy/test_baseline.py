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
from hvbpa.policy.fingerprint import FINGERPRINT_KEY, finding_fingerprint, host_identities
from hvbpa.policy.threshold import exit_code
from hvbpa.report.json_report import document
from hvbpa.report.sarif import document as sarif_document
from tests.support import ABSENT, DOWN, KOREAN, make_ctx, make_run, outcomes

APP01 = "44ab73ce-3959-5d30-a813-0f00e3d0eb9d"
HV01_ID = "hv01.example.test"  # the case's FQDN: who HV01 is


def baseline_of(run: Run, tmp_path: Path) -> Baseline:
    report = document(replace(make_ctx(ABSENT), run=run))
    path = tmp_path / "baseline.json"
    path.write_text(write_baseline(create_baseline(report)), "utf-8")
    return load_baseline(path)


def test_created_from_a_json_report() -> None:
    made = create_baseline(document(make_ctx(ABSENT, KOREAN)))
    assert made["schema"] == BASELINE_SCHEMA
    assert made["created"] == "2026-11-25T12:00:00+00:00"
    listed = [(e["host"], e["host_id"], e["vm_name"]) for e in made["fingerprints"]]
    assert listed == [("HV01", HV01_ID, "app01"), ("하이퍼V-서울", "하이퍼v-서울.example.test", "데이터베이스")]
    app01 = made["fingerprints"][0]
    assert app01 == {
        "fingerprint": finding_fingerprint("HVX003", HV01_ID, APP01),
        "rule_id": "HVX003",
        "host": "HV01",
        "host_id": HV01_ID,
        "vm_id": APP01,
        "vm_name": "app01",
    }


def test_same_fingerprints_as_sarif() -> None:
    ctx = make_ctx(ABSENT, KOREAN)
    sarif = {r["partialFingerprints"][FINGERPRINT_KEY] for r in sarif_document(ctx)["runs"][0]["results"]}
    assert sarif == {e["fingerprint"] for e in create_baseline(document(ctx))["fingerprints"]}


def test_excluded_findings_are_not_baselined() -> None:
    ctx = make_ctx(ABSENT)
    report = document(ctx)
    report["results"][0]["excluded_by"] = "x.toml:1: j"
    assert create_baseline(report)["fingerprints"] == []


def test_known_new_and_fixed(tmp_path: Path) -> None:
    run = make_run(outcomes(ABSENT, KOREAN))
    baseline = baseline_of(run, tmp_path)
    ids = host_identities(run.hosts)
    known, new, fixed = compare(run.results, baseline, ids)
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
    comparison = compare(now, baseline, ids)
    assert comparison.known == {finding_fingerprint("HVX003", HV01_ID, APP01)}
    assert [f.vm_name for f in comparison.new] == ["app09"]
    assert [f.vm_name for f in comparison.fixed] == ["데이터베이스"]


def test_a_host_that_was_not_scanned_has_fixed_nothing(tmp_path: Path) -> None:
    baseline = baseline_of(make_run(outcomes(ABSENT)), tmp_path)
    down = replace(DOWN, target="HV01")
    known, new, fixed = compare(make_run([down]).results, baseline, {"HV01": "hv01"})
    assert (known, new, fixed) == (set(), [], [])


def test_apply_baseline_fails_only_on_new_findings(tmp_path: Path) -> None:
    run = make_run(outcomes(ABSENT, KOREAN))
    baseline = baseline_of(make_run(outcomes(ABSENT)), tmp_path)
    applied, notes = apply_baseline(run.results, baseline, host_identities(run.hosts))
    assert exit_code(replace(run, results=applied)) == 1
    assert [r.host for r in applied if r.excluded_by] == ["HV01"]
    assert notes == (f"{baseline.source}: 1 known finding(s), 1 new, 0 fixed since the baseline",)
    only_known = make_run(outcomes(ABSENT))
    applied, _ = apply_baseline(only_known.results, baseline, host_identities(only_known.hosts))
    assert exit_code(replace(only_known, results=applied)) == 0


def good_entry() -> dict[str, Any]:
    return {
        "fingerprint": finding_fingerprint("HVX003", HV01_ID, APP01),
        "rule_id": "HVX003",
        "host": "HV01",
        "host_id": HV01_ID,
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
            json.dumps({"schema": BASELINE_SCHEMA, "fingerprints": [{**good_entry(), "host_id": "hv02.example.test"}]}),
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


def _twin(tmp_path: Path, name: str, fqdn: str | None, vm_ids: tuple[str, ...], mode: int) -> Path:
    """A snapshot of a host named HV01 (in ``fqdn``'s domain), its affected VMs ``vm_ids`` in ``mode``."""
    snapshot = json.loads(ABSENT.read_text("utf-8-sig"))
    snapshot["host"]["fqdn"] = fqdn
    (affected,) = [vm for vm in snapshot["vms"] if vm["name"] == "app01"]
    affected["replication"]["mode"] = affected["replication"]["relationships"][0]["mode"] = mode
    snapshot["vms"] = [{**affected, "id": vm_id, "name": f"app-{vm_id[-2:]}"} for vm_id in vm_ids]
    path = tmp_path / name
    path.write_text(json.dumps(snapshot), "utf-8")
    return path


def _twins(tmp_path: Path, contoso: tuple[str, ...], fabrikam: tuple[str, ...]) -> Run:
    """Two hosts named HV01 in two domains, as targets hv01.contoso.test and hv01.fabrikam.test:
    contoso's primaries replicate to fabrikam, so a VM on both has one VMId."""
    loaded = outcomes(
        _twin(tmp_path, "c.json", "HV01.contoso.test", contoso, mode=1),
        _twin(tmp_path, "f.json", "hv01.fabrikam.test.", fabrikam, mode=2),
    )
    return make_run([replace(loaded[0], target="hv01.contoso.test"), replace(loaded[1], target="hv01.fabrikam.test")])


SHARED = "00000000-0000-0000-0000-0000000000aa"  # a primary on contoso, its Replica on fabrikam
OTHER = "00000000-0000-0000-0000-0000000000bb"


def test_two_hosts_with_one_windows_name_keep_their_own_baseline_entries(tmp_path: Path) -> None:
    """A new finding on one must not be hidden by the other's baseline entry."""
    accepted = _twins(tmp_path, contoso=(SHARED,), fabrikam=())
    baseline = baseline_of(accepted, tmp_path)
    (entry,) = baseline.entries
    assert (entry.host, entry.host_id) == ("HV01", "hv01.contoso.test")
    now = _twins(tmp_path, contoso=(SHARED,), fabrikam=(SHARED,))
    known, new, fixed = compare(now.results, baseline, host_identities(now.hosts))
    assert len(known) == 1 and fixed == []
    assert [(f.host_id, f.vm_id) for f in new] == [("hv01.fabrikam.test", SHARED)]
    applied, _ = apply_baseline(now.results, baseline, host_identities(now.hosts))
    assert exit_code(replace(now, results=applied)) == 1, "fabrikam's new finding fails the run"


def test_a_finding_fixed_on_one_twin_is_fixed_there_only(tmp_path: Path) -> None:
    baseline = baseline_of(_twins(tmp_path, contoso=(SHARED,), fabrikam=(OTHER,)), tmp_path)
    now = _twins(tmp_path, contoso=(), fabrikam=(OTHER,))
    known, new, fixed = compare(now.results, baseline, host_identities(now.hosts))
    assert (len(known), new) == (1, [])
    assert [(f.host_id, f.vm_id) for f in fixed] == [("hv01.contoso.test", SHARED)]
    assert fixed[0].describe() == "HVX003 on HV01 (hv01.contoso.test)/app-aa"


def _legacy(baseline: Baseline, tmp_path: Path) -> Baseline:
    """The same findings as hvbpa.baseline/1 wrote them: the host by its Windows name."""
    entries = [
        {
            "fingerprint": finding_fingerprint(e.rule_id, e.host, e.vm_id),
            "rule_id": e.rule_id,
            "host": e.host,
            "vm_id": e.vm_id,
            "vm_name": e.vm_name,
        }
        for e in baseline.entries
    ]
    path = tmp_path / "legacy.json"
    path.write_text(json.dumps({"schema": "hvbpa.baseline/1", "created": "x", "fingerprints": entries}), "utf-8")
    return load_baseline(path)


def test_a_version_1_baseline_still_applies_where_the_name_is_one_host(tmp_path: Path) -> None:
    run = make_run(outcomes(ABSENT, KOREAN))
    legacy = _legacy(baseline_of(run, tmp_path), tmp_path)
    assert legacy.legacy
    applied, notes = apply_baseline(run.results, legacy, host_identities(run.hosts))
    assert exit_code(replace(run, results=applied)) == 0
    assert "recreate it with hvbpa baseline create" in notes[0]
    assert notes[1].endswith("2 known finding(s), 0 new, 0 fixed since the baseline")


def test_a_version_1_entry_for_a_shared_name_applies_to_neither_host(tmp_path: Path) -> None:
    legacy = _legacy(baseline_of(_twins(tmp_path, contoso=(SHARED,), fabrikam=()), tmp_path), tmp_path)
    now = _twins(tmp_path, contoso=(SHARED,), fabrikam=(SHARED,))
    applied, notes = apply_baseline(now.results, legacy, host_identities(now.hosts))
    assert exit_code(replace(now, results=applied)) == 1
    assert any("HV01 is the name of 2 hosts in this run" in note for note in notes), notes
    assert notes[-1].endswith("0 known finding(s), 2 new, 0 fixed since the baseline")
