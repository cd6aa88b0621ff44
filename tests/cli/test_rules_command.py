"""Rule files: shipped, listed, shown, and rejected clearly when malformed."""

from __future__ import annotations

from pathlib import Path

import pytest

from hvbpa.evaluate.ruleset import shipped_rules_dir
from hvbpa.exit_codes import ExitCode
from tests.conftest import CASES, Invoke

SHIPPED = shipped_rules_dir() / "HVR001-integration-services-for-failover-ip.toml"


def test_rules_list_and_show(cli: Invoke) -> None:
    listed = cli("rules", "list")
    assert listed.exit_code == 0
    assert listed.output.startswith("HVR001\terror\tconfiguration\tIntegration services must be installed")
    shown = cli("rules", "show", "hvr001")
    assert shown.exit_code == 0
    assert "learn.microsoft.com" in shown.output
    assert "Resolution" in shown.output
    assert "Judged per: virtual machine" in " ".join(shown.output.split())
    assert "Judged per: host" in " ".join(cli("rules", "show", "HVR002").output.split())
    korean = cli("rules", "show", "HVR001", "--lang", "ko")
    assert "Integration Services를 설치" in korean.output


def test_rules_list_groups_by_severity(cli: Invoke) -> None:
    lines = [line.split("\t") for line in cli("rules", "list").output.splitlines()]
    severities = [line[1] for line in lines]
    assert severities == sorted(severities, key=["error", "warning", "information"].index)
    errors = [line[0] for line in lines if line[1] == "error"]
    assert errors == sorted(errors) and {"HVR002", "HVR003", "HVR004", "HVR005", "HVX001"} <= set(errors)
    assert {line[0] for line in lines if line[1] == "warning"} >= {"HVR006", "HVR010", "HVX002"}


def test_rules_show_unknown_exits_2(cli: Invoke) -> None:
    result = cli("rules", "show", "NOPE001")
    assert result.exit_code == ExitCode.USAGE
    assert "unknown rule id" in result.output


def _user_rule(tmp_path: Path, replace: tuple[str, str] | None = None, name: str = "mine.toml") -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    text = SHIPPED.read_text("utf-8").replace('id = "HVR001"', 'id = "ACME101"')
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    (folder / name).write_text(text, "utf-8")
    return folder


def test_user_rules_dir_adds_rules(cli: Invoke, tmp_path: Path) -> None:
    folder = _user_rule(tmp_path)
    listed = cli("rules", "list", "--rules-dir", str(folder))
    ids = [line.split("\t")[0] for line in listed.output.splitlines()]
    assert ids[:2] == ["ACME101", "HVR001"] and "HVR008" in ids
    only = cli(
        "evaluate",
        str(CASES / "absent-with-failover-ip" / "hv01.json"),
        "--rules-dir",
        str(folder),
        "--rule",
        "ACME101",
        "-o",
        "json",
    )
    assert '"rule_id": "ACME101"' in only.output
    assert '"rule_id": "HVR001"' not in only.output


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        (('model = "', 'colour = "red"\nmodel = "'), "unknown key 'colour'"),
        (('severity = "error"\n', ""), "missing key 'severity'"),
        (('check = "failover_ip_needs_integration_services"', 'check = "guess"'), "unknown check 'guess'"),
        (('severity = "error"', 'severity = "fatal"'), "severity 'fatal'"),
        (('id = "ACME101"', 'id = "acme"'), "must look like HVR001"),
        (("[text.ko]", "[text.fr]"), "[text.fr]: unknown language"),
        (('help_url = "https://', 'help_url = "http://'), "https://"),
        (("[text.en]\ntitle", "[text.en]\ntitel"), "[text.en]: unknown key 'titel'"),
        (('id = "ACME101"', "id = "), "not valid TOML"),
        (("[reasons.kvp-enabled]", "[reasons.Kvp_Enabled]"), "a reason code is lower-case words"),
        (("[reasons.kvp-enabled]\n", "[reasons.kvp-enabled]\nfr = 'x'\n"), "[reasons.kvp-enabled]: unknown key 'fr'"),
        (("bpa_rule = 230", 'bpa_rule = "230"'), "bpa_rule '230' must be the BPA script's rule number"),
        (('en = "the Data Exchange (KVP) integration service is enabled', 'en = "other words'), "already defined"),
    ],
)
def test_bad_rule_files_exit_2_with_one_line(
    cli: Invoke, tmp_path: Path, replace: tuple[str, str], message: str
) -> None:
    folder = _user_rule(tmp_path, replace)
    result = cli("rules", "list", "--rules-dir", str(folder))
    assert result.exit_code == ExitCode.USAGE
    assert message in result.output
    assert "mine.toml" in result.output
    assert result.output.count("\n") == 1


def test_duplicate_rule_id_exits_2(cli: Invoke, tmp_path: Path) -> None:
    folder = _user_rule(tmp_path, ('id = "ACME101"', 'id = "HVR001"'))
    result = cli("rules", "list", "--rules-dir", str(folder))
    assert result.exit_code == ExitCode.USAGE
    assert "duplicate rule id HVR001" in result.output


def test_missing_rules_dir_exits_2(cli: Invoke, tmp_path: Path) -> None:
    result = cli("rules", "list", "--rules-dir", str(tmp_path / "absent"))
    assert result.exit_code == ExitCode.USAGE


def test_rules_show_says_which_bpa_rule_a_rule_decides_as(cli: Invoke) -> None:
    bpa = cli("rules", "show", "HVR013")
    assert bpa.exit_code == 0 and "rule 234 of its discovery script" in bpa.output
    own = cli("rules", "show", "HVX003", "--lang", "ko")
    assert own.exit_code == 0 and "hvbpa 전용(BPA 규칙 아님)" in own.output


def test_rules_show_in_korean_leaves_no_applies_to_in_english(cli: Invoke) -> None:
    korean = cli("rules", "show", "HVR001", "--lang", "ko")
    assert "Windows Server 2016 이상" in korean.output and "and later" not in korean.output
    assert "Windows Server 2016 and later" in cli("rules", "show", "HVR001").output


def test_schema_help_names_the_file_the_schema_prints(cli: Invoke) -> None:
    import json
    import re

    shown = re.search(r"hvbpa schema json > (\S+)", cli("schema", "--help").output)
    printed = json.loads(cli("schema", "json").output)
    assert shown is not None and printed["$id"].endswith("/" + shown.group(1))
