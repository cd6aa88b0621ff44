"""A bug in one rule's check costs that rule only: undetermined everywhere, exit 3, the report written."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import Result

from hvbpa.evaluate import load_rules
from hvbpa.evaluate.checks import CHECKS, CheckContext, HostCheck, register
from hvbpa.exit_codes import ExitCode
from hvbpa.snapshot import HostSnapshot
from tests.conftest import CASES, FIXED_NOW, Invoke, validate_report

RULES = Path(__file__).resolve().parents[2] / "rules"
HOSTS = (
    CASES / "replica-off-with-primary" / "hv-pri.json",
    CASES / "replica-off-with-primary" / "hv-rep.json",
    CASES / "absent-with-failover-ip" / "hv01.json",
)
SECRET = "line one\nline two " + "x" * 500  # a message with a newline, longer than a report should carry


def _broken(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> Sequence[HostCheck]:
    raise RuntimeError(SECRET)


def _short(ctx: CheckContext, snapshots: Sequence[HostSnapshot]) -> Sequence[HostCheck]:
    return [HostCheck()]  # one result whatever the number of hosts: a bug too


def _rule_file(directory: Path, rule_id: str, check: str) -> None:
    text = (RULES / "HVR007-replication-compression.toml").read_text("utf-8")
    text = re.sub(r'(?m)^id = ".*"$', f'id = "{rule_id}"', text)
    text = re.sub(r'(?m)^slug = ".*"$', f'slug = "broken-{rule_id.lower()}"', text)
    text = re.sub(r'(?m)^check = ".*"$', f'check = "{check}"', text)
    (directory / f"{rule_id}.toml").write_text(text, "utf-8")


@pytest.fixture
def broken_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the traceback file goes
    register("test_broken_check")(_broken)
    register("test_short_check")(_short)
    directory = tmp_path / "rules"
    directory.mkdir()
    _rule_file(directory, "HVT900", "test_broken_check")
    try:
        yield directory
    finally:
        del CHECKS["test_broken_check"], CHECKS["test_short_check"]


def _evaluate(
    cli: Invoke, rules: Path, tmp_path: Path, *extra: str, env: dict[str, str] | None = None
) -> tuple[Result, Path]:
    report = tmp_path / "report.json"
    result = cli("evaluate", *map(str, HOSTS), "--rules-dir", str(rules), "--now", FIXED_NOW,
                 "-o", f"json:{report}", *extra, env=env)  # fmt: skip
    return result, report


def test_a_raising_check_is_undetermined_on_every_host_and_the_report_is_written(
    cli: Invoke, broken_rules: Path, tmp_path: Path
) -> None:
    result, report = _evaluate(cli, broken_rules, tmp_path)
    assert result.exit_code == ExitCode.INCOMPLETE
    document = json.loads(report.read_text("utf-8"))
    validate_report(document)
    results = document["results"]
    broken = [r for r in results if r["rule_id"] == "HVT900"]
    assert sorted(r["host"] for r in broken) == ["HV-PRI", "HV-REP", "HV01"]
    for r in broken:
        assert r["status"] == "undetermined"
        assert r["reason"]["code"] == "rule-internal-error"
        error = r["reason"]["params"]["error"]
        assert error.startswith("RuntimeError: line one line two x")  # one line
        assert len(error) < 250  # bounded
        assert "Traceback" not in json.dumps(r)
    # Every other rule was judged as if nothing had happened: HVX003's findings are there.
    others = {r["rule_id"] for r in results} - {"HVT900"}
    assert len(others) == len(load_rules())
    assert {r["host"] for r in results if r["rule_id"] == "HVX003" and r["status"] == "noncompliant"} == {
        "HV-PRI", "HV-REP", "HV01",
    }  # fmt: skip
    assert not any(r["reason"] for r in results if r["rule_id"] != "HVT900")
    assert document["summary"]["hosts_undetermined"] == 0  # the hosts were judged, one rule was not
    # One line on stderr: the rule, what it raised, where its traceback went; no traceback itself.
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "HVT900" in lines[0] and "RuntimeError: line one line two" in lines[0]
    assert "Traceback" not in result.stdout + result.stderr
    (saved,) = tmp_path.glob("hvbpa-traceback-*.txt")
    assert str(saved) in lines[0]
    written = saved.read_text("utf-8")
    assert "Traceback" in written and "HVT900" in written and "_broken" in written


def test_the_findings_of_the_others_do_not_turn_it_into_exit_0_or_1(
    cli: Invoke, broken_rules: Path, tmp_path: Path
) -> None:
    # Only the broken rule and a clean one: without it the run would pass; --exit-zero does not hide it.
    clean = CASES / "single-vm-installed-enum-names" / "hv01.json"
    result = cli("evaluate", str(clean), "--rules-dir", str(broken_rules), "--rule", "HVT900", "--rule", "HVX003",
                 "--now", FIXED_NOW, "--exit-zero", "-q")  # fmt: skip
    assert result.exit_code == ExitCode.INCOMPLETE
    assert "HVT900" in result.stdout  # the table names the rule that could not be determined
    assert "Traceback" not in result.stdout + result.stderr
    assert len(result.stderr.splitlines()) == 1  # said even with --quiet


def test_hvbpa_debug_prints_the_traceback_instead(cli: Invoke, broken_rules: Path, tmp_path: Path) -> None:
    result, report = _evaluate(cli, broken_rules, tmp_path, env={"HVBPA_DEBUG": "1"})
    assert result.exit_code == ExitCode.INCOMPLETE
    assert "Traceback" in result.stderr and "_broken" in result.stderr
    assert "Traceback" not in result.stdout
    assert not list(tmp_path.glob("hvbpa-traceback-*.txt"))
    validate_report(json.loads(report.read_text("utf-8")))


def test_a_check_returning_the_wrong_number_of_results_is_a_failure_too(
    cli: Invoke, broken_rules: Path, tmp_path: Path
) -> None:
    _rule_file(broken_rules, "HVT901", "test_short_check")
    result, report = _evaluate(cli, broken_rules, tmp_path)
    assert result.exit_code == ExitCode.INCOMPLETE
    results = json.loads(report.read_text("utf-8"))["results"]
    for rule_id in ("HVT900", "HVT901"):
        mine = [r for r in results if r["rule_id"] == rule_id]
        assert len(mine) == 3 and all(r["reason"]["code"] == "rule-internal-error" for r in mine)
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and "HVT900" in lines[0] and "HVT901" in lines[1]
    assert "ValueError: check test_short_check returned 1 results for 3 hosts" in lines[1]


def test_evaluation_returns_the_failure_as_a_value_and_writes_nothing(
    broken_rules: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime

    from hvbpa.collect import load_snapshot_file
    from hvbpa.evaluate import EvaluationOptions, analyze

    rules = [r for r in load_rules((broken_rules,)) if r.id in ("HVT900", "HVX003")]
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    run = analyze([load_snapshot_file(p) for p in HOSTS], rules, started=now, finished=now, now=now,
                  options=EvaluationOptions())  # fmt: skip
    (failure,) = run.failures
    assert (failure.rule_id, failure.check) == ("HVT900", "test_broken_check")
    assert failure.summary.startswith("RuntimeError: line one line two")
    assert "Traceback" in failure.detail and "Traceback" not in repr(failure)
    assert capsys.readouterr() == ("", "")
    assert not list(tmp_path.glob("hvbpa-traceback-*"))
