"""Exclusions: loading with file:line errors, matching, partial splits, expiry."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hvbpa.errors import ConfigError
from hvbpa.evaluate.results import RuleResult, Status
from hvbpa.policy.exclusions import Exclusion, apply_exclusions, load_exclusions
from hvbpa.policy.threshold import exit_code, summarize
from tests.support import ABSENT, KOREAN, make_run, outcomes

APP01 = "44ab73ce-3959-5d30-a813-0f00e3d0eb9d"
BEFORE = datetime(2026, 9, 30, 23, 59, tzinfo=UTC)
AFTER = datetime(2026, 10, 1, 0, 1, tzinfo=UTC)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exclusions.toml"
    path.write_text(text, "utf-8")
    return path


def results() -> tuple[RuleResult, ...]:
    return make_run(outcomes(ABSENT, KOREAN)).results


GOOD = f"""
# accepted risks
[[exclusion]]
rule = "HVX003"
host = "hv0*"
vm_id = "{APP01.upper()}"
vm = "app01"
justification = "appliance; vendor ticket 4411"
expires = 2026-10-01

[[exclusion]]
rule = "hvx003"
host = "하이퍼V-*"
vm = "*"
justification = "lab host"
"""


def test_loads_with_lines_and_defaults(tmp_path: Path) -> None:
    first, second = load_exclusions(write(tmp_path, GOOD), rule_ids={"HVX003"})
    expires = datetime(2026, 10, 1, tzinfo=UTC)
    assert (first.rule, first.vm_id, first.line, first.expires) == ("HVX003", APP01, 3, expires)
    assert first.label == f"{tmp_path / 'exclusions.toml'}:3: appliance; vendor ticket 4411"
    assert (second.rule, second.host, second.vm, second.line, second.expires) == ("HVX003", "하이퍼V-*", "*", 11, None)


def test_applies_before_expiry_and_notes_after(tmp_path: Path) -> None:
    exclusions = load_exclusions(write(tmp_path, GOOD))
    before, notes = apply_exclusions(results(), exclusions, BEFORE)
    assert notes == ()
    assert all(r.excluded_by for r in before if r.status is Status.NONCOMPLIANT)
    assert exit_code(replace(make_run(outcomes(ABSENT, KOREAN)), results=before)) == 0

    after, notes = apply_exclusions(results(), exclusions, AFTER)
    assert notes == (f"{tmp_path / 'exclusions.toml'}:3: exclusion for HVX003 on hv0*/app01 expired on 2026-10-01",)
    hv01 = next(r for r in after if r.host == "HV01")
    assert hv01.excluded_by is None
    assert exit_code(replace(make_run(outcomes(ABSENT, KOREAN)), results=after)) == 1


def test_vm_id_survives_a_rename() -> None:
    renamed = tuple(
        replace(r, vms=tuple(replace(v, vm_name="renamed") for v in r.vms)) for r in results() if r.host == "HV01"
    )
    rule = Exclusion(rule="HVX003", justification="j", vm_id=APP01, source="x.toml", line=1)
    applied, _ = apply_exclusions(renamed, (rule,), BEFORE)
    (excluded,) = applied
    assert excluded.excluded_by == "x.toml:1: j" and [v.vm_id for v in excluded.affected] == [APP01]
    run = replace(make_run(outcomes(ABSENT)), results=renamed)
    counted, accepted = summarize(run), summarize(replace(run, results=applied))
    assert accepted.vms_compliant == counted.vms_compliant > 0, "the host's compliant VMs stay counted"
    assert (accepted.vms_excluded, accepted.excluded, accepted.noncompliant) == (1, 1, 0)
    by_old_name = Exclusion(rule="HVX003", justification="j", vm="app01", source="x.toml", line=1)
    assert not any(r.excluded_by for r in apply_exclusions(renamed, (by_old_name,), BEFORE)[0])


def test_no_match_on_other_rule_host_or_vm() -> None:
    for exclusion in (
        Exclusion(rule="HVR002", justification="j", vm="*"),
        Exclusion(rule="HVX003", justification="j", host="hv02", vm="*"),
        Exclusion(rule="HVX003", justification="j", vm="app02"),
    ):
        applied, _ = apply_exclusions(results(), (exclusion,), BEFORE)
        assert applied == results()


def test_partial_exclusion_keeps_one_result_and_the_rest_still_fails() -> None:
    base = next(r for r in results() if r.host == "HV01")
    second = replace(base.vms[0], vm_name="app03", vm_id="00000000-0000-0000-0000-000000000003")
    result = replace(base, vms=(*base.vms, second))
    by_name = Exclusion(rule="HVX003", justification="j", vm="APP01", source="x.toml", line=7)
    applied, _ = apply_exclusions((result,), (by_name,), BEFORE)
    (partial,) = applied  # one (rule, host), one result
    assert {v.vm_name for v in partial.vms} == {"app01", "app02", "app03"}
    assert [(v.vm_name, partial.accepted_by(v)) for v in partial.affected] == [
        ("app01", "x.toml:7: j"),
        ("app03", None),
    ]
    assert [v.vm_name for v in partial.failing] == ["app03"]
    assert (partial.status, partial.excluded_by) == (Status.NONCOMPLIANT, None)
    run = replace(make_run(outcomes(ABSENT)), results=applied)
    assert exit_code(run) == 1
    summary = summarize(run)
    assert (summary.noncompliant, summary.excluded, summary.vms_noncompliant, summary.vms_excluded) == (1, 0, 1, 1)


def test_undetermined_is_never_excluded() -> None:
    undetermined = replace(results()[0], status=Status.UNDETERMINED, vms=())
    applied, _ = apply_exclusions((undetermined,), (Exclusion(rule="HVX003", justification="j", vm="*"),), BEFORE)
    assert applied[0].excluded_by is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[exclusion]]\nrule = "HVX003"\nvm = "a"\njustification = \n', ":4: not valid TOML: Invalid value"),
        ('[[exclusion]]\nrule = "HVX003"\nvm = "a"\n', ":1: missing 'justification'"),
        ('\n[[exclusion]]\nvm = "a"\njustification = "j"\n', ":2: missing 'rule'"),
        ('[[exclusion]]\nrule = "HVX003"\njustification = "j"\n', ":1: name the VM with 'vm' or 'vm_id'"),
        ('[[exclusion]]\nrule = "HVX003"\nvm = "a"\njustification = "  "\n', ":4: 'justification' must be a non-empty"),
        ('[[exclusion]]\nrule = "HVX003"\nvm = "a"\njustification = "j"\ncolour = 1\n', ":5: unknown key 'colour'"),
        ('[[exclusion]]\nrule = "no"\nvm = "a"\njustification = "j"\n', ":2: rule 'no' is not a rule id"),
        ('[[exclusion]]\nrule = "HVR009"\nvm = "a"\njustification = "j"\n', ":2: unknown rule HVR009"),
        ('[[exclusion]]\nrule = "HVX003"\nvm_id = "web01"\njustification = "j"\n', ":3: vm_id 'web01' is not a GUID"),
        ('[[exclusion]]\nrule = "HVX003"\nvm = "a"\njustification = "j"\nexpires = "soon"\n', ":5: 'expires' must"),
        ('[[exclusion]]\nrule = "HVX003"\nvm = "a"\njustification = "j"\nexpires = 12:00:00\n', ":5: 'expires' must"),
        ('rule = "HVX003"\n', ":1: unknown key 'rule': write [[exclusion]] tables"),
        (
            '[[exclusion]]\nrule = "HVX003"\nvm = "a"\njustification = "j"\n\n[[exclusion]]\nrule = "HVX003"\n'
            'justification = "j"\n',
            ":6: name the VM",
        ),
    ],
)
def test_malformed_files_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_exclusions(path, rule_ids={"HVX003"})
    error = str(caught.value)
    assert error.startswith(f"{path}{message}"), error
    assert "\n" not in error


def test_inline_array_form_names_the_entry(tmp_path: Path) -> None:
    path = write(tmp_path, 'exclusion = [{ rule = "HVX003", justification = "j" }]\n')
    with pytest.raises(ConfigError, match=r"exclusions\.toml: exclusion #1: name the VM"):
        load_exclusions(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="exclusions file not found"):
        load_exclusions(tmp_path / "nope.toml")
