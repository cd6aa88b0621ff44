"""Exclusions, baselines, merged reports and configuration, through the CLI: the
exit-code matrix a CI job or scheduled task relies on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hvbpa.exit_codes import ExitCode
from tests.conftest import CASES, Invoke, validate_report

ABSENT = str(CASES / "absent-with-failover-ip" / "hv01.json")
NO_MODULE = str(CASES / "no-hyperv-module" / "hv01.json")
PAIR = CASES / "replica-off-with-primary"
BEFORE = "2026-09-15T00:00:00+00:00"
AFTER = "2026-10-15T00:00:00+00:00"


def _exclusions(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "exclusions.toml"
    path.write_text(body, "utf-8")
    return path


EXCLUDE_APP01 = """
[[exclusion]]
rule = "HVX003"
host = "hv0*"
vm = "app01"
justification = "Legacy appliance; failover IP set by hand (CHG-1234)"
expires = 2026-10-01
"""


@pytest.mark.parametrize(("now", "code"), [(BEFORE, ExitCode.OK), (AFTER, ExitCode.FINDINGS)])
def test_exclusion_applies_until_it_expires(cli: Invoke, tmp_path: Path, now: str, code: ExitCode) -> None:
    path = _exclusions(tmp_path, EXCLUDE_APP01)
    out = tmp_path / "r.json"
    result = cli("evaluate", ABSENT, "--exclusions", str(path), "--now", now, "-o", "table", "-o", f"json:{out}")
    assert result.exit_code == code, result.output
    report = json.loads(out.read_text("utf-8"))
    validate_report(report)
    if code is ExitCode.OK:
        assert report["summary"]["excluded"] == 1
        assert "No findings." in result.output
    else:
        assert "expired on 2026-10-01" in result.output
        assert any("expired" in note for note in report["notes"])


def test_show_excluded_lists_them(cli: Invoke, tmp_path: Path) -> None:
    path = _exclusions(tmp_path, EXCLUDE_APP01)
    result = cli("evaluate", ABSENT, "--exclusions", str(path), "--now", BEFORE, "--show-excluded")
    assert result.exit_code == ExitCode.OK
    assert "app01" in result.output and "Excluded" in result.output


def test_exclusion_never_hides_an_incomplete_run(cli: Invoke, tmp_path: Path) -> None:
    path = _exclusions(tmp_path, EXCLUDE_APP01)
    result = cli("evaluate", ABSENT, NO_MODULE, "--exclusions", str(path), "--now", BEFORE)
    assert result.exit_code == ExitCode.INCOMPLETE


def test_malformed_exclusions_exit_2_naming_the_line(cli: Invoke, tmp_path: Path) -> None:
    path = _exclusions(tmp_path, '[[exclusion]]\nrule = "HVX003"\nvm = "app01"\n')
    result = cli("evaluate", ABSENT, "--exclusions", str(path))
    assert result.exit_code == ExitCode.USAGE
    assert f"{path}:1" in result.output and "justification" in result.output
    unknown = _exclusions(tmp_path, '[[exclusion]]\nrule = "HVR999"\nvm = "x"\njustification = "y"\n')
    assert "HVR999" in cli("evaluate", ABSENT, "--exclusions", str(unknown)).output


def test_baseline_known_findings_pass_new_ones_fail(cli: Invoke, tmp_path: Path) -> None:
    first = tmp_path / "first.json"
    assert cli("evaluate", ABSENT, "-o", f"json:{first}").exit_code == ExitCode.FINDINGS
    base = tmp_path / "base.json"
    created = cli("baseline", "create", str(first), "-o", str(base))
    assert created.exit_code == 0 and "1 finding(s)" in created.output
    assert cli("evaluate", ABSENT, "--baseline", str(base)).exit_code == ExitCode.OK
    # A new finding elsewhere still fails the run.
    korean = str(CASES / "korean-names-bom-crlf" / "hv-kr.json")
    assert cli("evaluate", ABSENT, korean, "--baseline", str(base)).exit_code == ExitCode.FINDINGS
    # A fixed finding is reported as such.
    clean = str(CASES / "single-vm-installed-enum-names" / "hv01.json")
    fixed = cli("evaluate", clean, "--baseline", str(base), "-o", "json")
    assert fixed.exit_code == ExitCode.OK


def test_bad_baseline_exits_2(cli: Invoke, tmp_path: Path) -> None:
    bad = tmp_path / "b.json"
    bad.write_text("{}", "utf-8")
    assert cli("evaluate", ABSENT, "--baseline", str(bad)).exit_code == ExitCode.USAGE
    assert cli("baseline", "create", str(bad), "-o", str(tmp_path / "x.json")).exit_code == ExitCode.USAGE


def test_merge_joins_partners_across_reports(cli: Invoke, tmp_path: Path) -> None:
    primary, replica = tmp_path / "site-a.json", tmp_path / "site-b.json"
    cli("evaluate", str(PAIR / "hv-pri.json"), "-o", f"json:{primary}")
    alone = cli("evaluate", str(PAIR / "hv-rep.json"), "-o", f"json:{replica}")
    assert alone.exit_code == ExitCode.OK  # off replicas alone: undetermined, not findings
    merged = tmp_path / "merged.json"
    result = cli("report", "merge", str(primary), str(replica), "-o", f"json:{merged}")
    assert result.exit_code == ExitCode.FINDINGS
    report = json.loads(merged.read_text("utf-8"))
    validate_report(report)
    hvx003 = [r for r in report["results"] if r["rule_id"] == "HVX003"]
    inferred = {(v["host"], v["name"]): v["inferred_from"] for r in hvx003 for v in r["vms"]}
    assert inferred[("HV-REP", "pair-bad")] == "HV-PRI/pair-bad"
    assert len(report["hosts"]) == 2


def test_merge_rejects_what_is_not_a_report(cli: Invoke, tmp_path: Path) -> None:
    result = cli("report", "merge", ABSENT)
    assert result.exit_code == ExitCode.USAGE
    assert "a host snapshot file, not a JSON report" in result.output
    other = tmp_path / "other.json"
    other.write_text('{"schema": "something/1"}', "utf-8")
    result = cli("report", "merge", str(other))
    assert result.exit_code == ExitCode.USAGE
    assert "not an hvbpa JSON report file" in result.output


def test_config_file_and_environment(cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "hvbpa.toml").write_text('fail-on = "never"\n', "utf-8")
    assert cli("evaluate", ABSENT).exit_code == ExitCode.OK
    # The environment beats the file, the command line beats both.
    assert cli("evaluate", ABSENT, env={"HVBPA_FAIL_ON": "error"}).exit_code == ExitCode.FINDINGS
    assert cli("evaluate", ABSENT, "--fail-on", "never", env={"HVBPA_FAIL_ON": "error"}).exit_code == ExitCode.OK
    (tmp_path / "hvbpa.toml").write_text('colour = "blue"\n', "utf-8")
    broken = cli("evaluate", ABSENT)
    assert broken.exit_code == ExitCode.USAGE and "colour" in broken.output


def test_json_without_snapshots_is_smaller_and_cannot_be_merged(cli: Invoke, tmp_path: Path) -> None:
    full, lean = tmp_path / "full.json", tmp_path / "lean.json"
    cli("evaluate", ABSENT, "-o", f"json:{full}")
    cli("evaluate", ABSENT, "-o", f"json:{lean}", "--no-json-snapshots")
    assert json.loads(full.read_text("utf-8"))["hosts"][0]["snapshot"]["host"]["name"] == "HV01"
    validate_report(json.loads(lean.read_text("utf-8")))
    assert json.loads(lean.read_text("utf-8"))["hosts"][0]["snapshot"] is None
    assert lean.stat().st_size < full.stat().st_size
    refused = cli("report", "merge", str(lean))
    assert refused.exit_code == ExitCode.USAGE
    assert "no snapshot" in refused.output


UNMATCHED = """
[[exclusion]]
rule = "HVX003"
vm = "app01"
justification = "matches: no warning"

[[exclusion]]
rule = "HVX003"
vm = "app10"
justification = "a typo in the VM name"

[[exclusion]]
rule = "HVX003"
host = "hv-typo"
vm = "*"
justification = "a typo in the host"

[[exclusion]]
rule = "HVR001"
vm = "*"
justification = "a rule this run skips: no warning"

[[exclusion]]
rule = "HVX003"
host = "hv01"
vm = "app02"
justification = "fixed since: app02 is compliant"
"""


@pytest.mark.parametrize("quiet", [False, True])
def test_an_exclusion_that_accepts_nothing_is_said_in_one_line_each(cli: Invoke, tmp_path: Path, quiet: bool) -> None:
    path = _exclusions(tmp_path, UNMATCHED)
    out = tmp_path / "r.json"
    args = ["evaluate", ABSENT, "--rule", "HVX003", "--exclusions", str(path), "--now", BEFORE, "-o", f"json:{out}"]
    result = cli(*args, *(["-q"] if quiet else []))
    assert result.exit_code == ExitCode.OK, result.output
    expected = [
        f"{path}:7: exclusion for HVX003 on */app10 accepted nothing: no finding matches it",
        f"{path}:12: exclusion for HVX003 on hv-typo/* accepted nothing: no host of this run matches host 'hv-typo'",
        f"{path}:23: exclusion for HVX003 on hv01/app02 accepted nothing: no finding matches it",
    ]
    warnings = [line for line in result.stderr.splitlines() if line.startswith("hvbpa: warning: ")]
    assert warnings == ([] if quiet else [f"hvbpa: warning: {line}" for line in expected])
    notes = json.loads(out.read_text("utf-8"))["notes"]
    assert [n for n in notes if "accepted nothing" in n] == expected


def test_no_warning_where_a_host_could_not_be_judged(cli: Invoke, tmp_path: Path) -> None:
    """HV01 without its Hyper-V module: the excluded finding may well still be there."""
    path = _exclusions(tmp_path, '[[exclusion]]\nrule = "HVX003"\nvm = "app01"\njustification = "j"\n')
    result = cli("evaluate", NO_MODULE, "--exclusions", str(path), "--now", BEFORE)
    assert result.exit_code == ExitCode.INCOMPLETE
    assert "accepted nothing" not in result.output
