"""Every command and exit code of the offline path, through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hvbpa.exit_codes import ExitCode
from hvbpa.snapshot.synthetic import host_snapshot
from tests.conftest import CASES, FIXED_NOW, Invoke, validate_report

ABSENT = CASES / "absent-with-failover-ip" / "hv01.json"
CLEAN = CASES / "single-vm-installed-enum-names" / "hv01.json"
NO_MODULE = CASES / "no-hyperv-module" / "hv01.json"


def test_exit_0_when_clean(cli: Invoke) -> None:
    result = cli("evaluate", str(CLEAN))
    assert result.exit_code == ExitCode.OK
    assert "No findings." in result.output


def test_exit_1_on_findings_and_table_lists_vm_and_reason(cli: Invoke) -> None:
    # This snapshot predates the replication sections: the other rules could not determine its VMs.
    result = cli("evaluate", str(ABSENT), "--rule", "HVX003")
    assert result.exit_code == ExitCode.FINDINGS
    assert "HVX003" in result.output
    assert "app01" in result.output
    assert "192.0.2.50" in result.output  # the failover address that will not be applied
    assert "app02" not in result.output  # compliant VMs are not findings


def test_exit_3_beats_1_when_a_host_cannot_be_judged(cli: Invoke) -> None:
    result = cli("evaluate", str(ABSENT), str(NO_MODULE))
    assert result.exit_code == ExitCode.INCOMPLETE
    assert "Hyper-V PowerShell module" in result.output


def test_exit_2_beats_everything_on_bad_input(cli: Invoke, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "hvbpa.snapshot/1"}', "utf-8")
    result = cli("evaluate", str(ABSENT), str(NO_MODULE), str(bad))
    assert result.exit_code == ExitCode.USAGE
    assert result.output.count("\n") == 1, "one line"
    assert "host: missing" in result.output


def test_exit_zero_and_fail_on(cli: Invoke) -> None:
    assert cli("evaluate", str(ABSENT), "--exit-zero").exit_code == ExitCode.OK
    assert cli("evaluate", str(ABSENT), "--fail-on", "never").exit_code == ExitCode.OK
    assert cli("evaluate", str(ABSENT), "--fail-on", "error").exit_code == ExitCode.FINDINGS
    # --exit-zero never hides an incomplete run
    assert cli("evaluate", str(NO_MODULE), "--exit-zero").exit_code == ExitCode.INCOMPLETE


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["vms"][0].update(state="Flying"), "vms[0].state: 'Flying' is not a known VMState name"),
        (lambda d: d["vms"][0].update(id="not-a-guid"), "vms[0].id: 'not-a-guid' is not a GUID"),
        (lambda d: d["vms"][0].update(colour="blue"), "vms[0].colour: unknown field"),
        (lambda d: d["vms"][0]["replication"].update(mode=None), "vms[0].replication.mode: must be a ReplicationMode"),
        (lambda d: d["host"].update(is_admin="yes"), "host.is_admin: expected true or false, got a string"),
        (lambda d: d.update(vms={}), "vms: expected an array, got an object"),
        (lambda d: d.update(schema="hvbpa.snapshot/9"), "schema: expected 'hvbpa.snapshot/1'"),
        (lambda d: d["vms"][0]["integration_services"][0].update(primary_status="Sleepy"), "primary_status"),
    ],
)
def test_bad_snapshot_names_host_and_field(cli: Invoke, tmp_path: Path, mutate: object, message: str) -> None:
    document = host_snapshot("HV-BAD", 1, mix=False)
    assert callable(mutate)
    mutate(document)
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(document), "utf-8")
    result = cli("evaluate", str(path))
    assert result.exit_code == ExitCode.USAGE
    line = result.output.strip()
    assert "\n" not in line
    assert "HV-BAD" in line
    assert message in line


def test_not_json_and_missing_file(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("PS C:\\> oops", "utf-8")
    result = cli("evaluate", str(path))
    assert result.exit_code == ExitCode.USAGE
    assert f"{path}: not a snapshot file or a raw capture (it begins 'PS C:\\\\> oops')" in result.output
    missing = cli("evaluate", str(tmp_path / "nope.json"))
    assert missing.exit_code == ExitCode.USAGE
    assert "cannot read" in missing.output


def test_a_report_and_a_snapshot_are_not_mistaken_for_each_other(cli: Invoke, tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    cli("evaluate", str(ABSENT), "-q", "-o", f"json:{report}")
    result = cli("evaluate", str(report))
    assert result.output == f"hvbpa: error: {report}: a JSON report, not a snapshot file: to judge it again, " \
        f"hvbpa report merge {report}\n"  # fmt: skip
    for command in (("report", "merge", str(ABSENT)), ("baseline", "create", str(ABSENT), "-o", str(tmp_path / "b"))):
        result = cli(*command)
        assert result.exit_code == ExitCode.USAGE
        assert f"{ABSENT}: a host snapshot file, not a JSON report: evaluate it with hvbpa evaluate" in result.output


def test_json_and_table_in_one_run_files_written(cli: Invoke, tmp_path: Path) -> None:
    json_out, table_out = tmp_path / "r.json", tmp_path / "r.txt"
    result = cli("evaluate", str(ABSENT), "-o", f"json:{json_out}", "-o", f"table:{table_out}", "--now", FIXED_NOW)
    assert result.exit_code == ExitCode.FINDINGS
    assert result.stdout == ""
    assert result.stderr == f"hvbpa: findings at or above warning on 1 virtual machine(s), 1 host(s); see {json_out}\n"
    report = json.loads(json_out.read_text("utf-8"))
    validate_report(report)
    assert report["run"]["exit_code"] == 1
    assert report["summary"]["vms_noncompliant"] == 1
    (guest,) = [r for r in report["results"] if r["rule_id"] == "HVX003"]
    assert guest["affected_vms"] == ["app01"]
    assert "app01" in table_out.read_text("utf-8")
    assert not list(tmp_path.glob(".*.tmp")), "no temporary files left behind"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "yaml"], "unknown format 'yaml'"),
        (["-o", "json", "-o", "table"], "only one report can go to standard output"),
        (["-o", "json:/nonexistent-dir/r.json"], "does not exist"),
        (["--grace-period", "soon"], "expected a duration"),
        (["--rule", "HVR999"], "unknown rule id 'HVR999'"),
    ],
)
def test_usage_errors_exit_2(cli: Invoke, args: list[str], message: str) -> None:
    result = cli("evaluate", str(CLEAN), *args)
    assert result.exit_code == ExitCode.USAGE
    assert message in result.output


def test_skip_rule_leaves_nothing_to_find(cli: Invoke) -> None:
    result = cli("evaluate", str(ABSENT), "--skip-rule", "HVX003")
    assert result.exit_code == ExitCode.OK


def test_korean_table(cli: Invoke) -> None:
    result = cli("evaluate", str(CASES / "korean-names-bom-crlf" / "hv-kr.json"), env={"LANG": "ko_KR.UTF-8"})
    assert result.exit_code == ExitCode.FINDINGS
    assert "데이터베이스" in result.output
    assert "가상 머신" in result.output and "이유" in result.output
    english = cli("evaluate", str(CASES / "korean-names-bom-crlf" / "hv-kr.json"), "--lang", "en")
    assert "Virtual machine" in english.output and "Why" in english.output


def test_version_and_help(cli: Invoke) -> None:
    from hvbpa import __version__

    assert __version__ in cli("--version").output
    helptext = cli("--help").output
    assert "Exit codes" in helptext
    for command in ("evaluate", "rules"):
        assert command in helptext


def test_format_names_match_registry() -> None:
    from hvbpa.cli.common import FORMAT_NAMES
    from hvbpa.report.formats import FORMATS

    assert tuple(FORMATS) == FORMAT_NAMES


def test_korean_table_lines_up(cli: Invoke) -> None:
    """Hangul takes two terminal cells: every row of a table must still be as wide as its border."""
    from rich.cells import cell_len

    result = cli("evaluate", str(CASES / "korean-names-bom-crlf" / "hv-kr.json"), "--lang", "ko")
    rows = [line for line in result.output.splitlines() if line and line[0] in "┏┃┡│└"]
    assert any("데이터베이스" in row for row in rows)
    widths = {cell_len(row.rstrip()) for row in rows}
    assert len(widths) == 1, widths


def test_summary_counts_the_vms_behind_the_verdicts(cli: Invoke) -> None:
    pair = sorted(str(p) for p in (CASES / "replica-off-with-primary").glob("*.json"))
    result = cli("evaluate", *pair, "--rule", "HVX003")
    judged = "Virtual machines judged: 4; their verdicts, one per rule: 4 (2 with findings, 0 undetermined, 2 "
    assert judged + "compliant)" in result.output
    # Every rule: still 4 VMs, each judged by several rules (these snapshots predate the
    # replication settings, so most replication rules could not determine them).
    every = cli("evaluate", *pair)
    every_rule = "Virtual machines judged: 4; their verdicts, one per rule: 32 (2 with findings, 20 undetermined"
    assert every_rule in every.output
    none = cli("evaluate", str(CASES / "out-of-scope" / "hv01.json"))
    assert "Virtual machines judged: 0;" in none.output


def test_evaluate_places_sarif_results_at_the_snapshot_file(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "snapshots").mkdir()
    (tmp_path / "snapshots" / "hv01.json").write_bytes(ABSENT.read_bytes())
    monkeypatch.chdir(tmp_path)
    result = cli(
        "evaluate", "snapshots/hv01.json", "--rule", "HVX003", "-q", "-o", "sarif:r.sarif", "-o", "json:r.json"
    )
    assert result.exit_code == ExitCode.FINDINGS
    (run,) = json.loads((tmp_path / "r.sarif").read_text("utf-8"))["runs"]
    places = {json.dumps(loc["physicalLocation"]) for r in run["results"] for loc in r["locations"]}
    assert places == {
        json.dumps(
            {"artifactLocation": {"uri": "snapshots/hv01.json", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 1}}
        )
    }
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    validate_report(report)
    assert [h["origin"] for h in report["hosts"]] == [{"path": "snapshots/hv01.json", "line": 1}]
