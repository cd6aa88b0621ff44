"""Exit codes mean what the README says: 1 is findings only, a bug is 4, every error one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from hvbpa.exit_codes import ExitCode
from tests.conftest import CASES, Invoke

SNAPSHOT = str(CASES / "single-vm-installed-enum-names" / "hv01.json")


def _boom(*args: object, **kwargs: object) -> None:
    raise ZeroDivisionError("a bug with a long\nmessage")


def test_an_unexpected_exception_is_one_line_and_exit_4(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("hvbpa.pipeline.analyze", _boom)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = cli("evaluate", SNAPSHOT)
    assert result.exit_code == 4 == int(ExitCode.INTERNAL)
    (line,) = result.output.strip().splitlines()
    assert line.startswith("hvbpa: internal error") and "ZeroDivisionError: a bug with a long message" in line
    (saved,) = tmp_path.glob("hvbpa-traceback-*.txt")
    assert str(saved) in line and "HVBPA_DEBUG=1" in line
    assert "Traceback (most recent call last)" in saved.read_text("utf-8")


def test_hvbpa_debug_prints_the_traceback(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("hvbpa.pipeline.analyze", _boom)
    result = cli("evaluate", SNAPSHOT, env={"HVBPA_DEBUG": "1"})
    assert result.exit_code == ExitCode.INTERNAL
    assert "Traceback (most recent call last)" in result.output and "traceback above" in result.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["scan", "--jbos", "3", "h"], "No such option '--jbos'."),
        (["scan", "-j", "x", "h"], "'x' is not a valid integer"),
        (["scan", "--fail-on", "bad", "h"], "'bad' is not one of"),
        (["scna"], "No such command 'scna'"),
        (["rules", "show"], "Missing argument"),
    ],
)
def test_click_usage_errors_are_one_line_in_hvbpa_form(cli: Invoke, args: list[str], words: str) -> None:
    result = cli(*args)
    assert result.exit_code == ExitCode.USAGE
    (line,) = result.output.strip().splitlines()
    assert line.startswith("hvbpa: error: ") and words in line, line


@pytest.mark.parametrize("option", ["--timeout", "--connect-timeout", "--operation-timeout"])
@pytest.mark.parametrize("value", ["0", "0s", "-5", "inf", "nan", "1e400s", "-1m", "9999999999h", "soon", ""])
def test_bad_connection_durations_are_usage_errors(cli: Invoke, option: str, value: str) -> None:
    result = cli("scan", "127.0.0.1:1", option, value, env={"HVBPA_PASSWORD": "x", "HVBPA_USERNAME": "u"})
    assert result.exit_code == ExitCode.USAGE, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("hvbpa: error: ") and option in line


@pytest.mark.parametrize("value", ["0", "inf", "nan", "1e400s", "-1m"])
def test_bad_grace_periods_are_usage_errors(cli: Invoke, value: str) -> None:
    result = cli("evaluate", SNAPSHOT, "--grace-period", value)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "--grace-period" in result.output and len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("option", ["--timeout", "--connect-timeout", "--operation-timeout"])
@pytest.mark.parametrize("value", ["10s", "10", "0.5m", "1h"])
def test_every_duration_option_accepts_the_same_forms(option: str, value: str) -> None:
    from hvbpa.cli.connection_options import build_settings
    from hvbpa.cli.scan_commands import scan

    with scan.make_context("scan", ["h", option, value]) as ctx:
        settings = build_settings(ctx.params)
    got = {"--timeout": settings.deadline, "--connect-timeout": settings.connect_timeout}.get(
        option, settings.operation_timeout
    )
    assert got == {"10s": 10, "10": 10, "0.5m": 30, "1h": 3600}[value]


@pytest.mark.parametrize("value", ["0", "inf", "nan", "1e400"])
def test_duration_variables_are_checked_alike(cli: Invoke, value: str) -> None:
    result = cli("evaluate", SNAPSHOT, env={"HVBPA_GRACE_PERIOD": value})
    assert result.exit_code == ExitCode.USAGE
    assert "HVBPA_GRACE_PERIOD" in result.output


def test_ctrl_c_at_the_password_prompt_is_an_interruption(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    import click

    def aborted(*args: object, **kwargs: object) -> str:
        raise click.exceptions.Abort  # what click.prompt raises on Ctrl-C

    monkeypatch.setattr("hvbpa.cli.connection_options._password", aborted)
    result = cli("scan", "hv01", "-u", "someone")
    assert result.exit_code == ExitCode.INTERRUPTED, result.output
    assert "interrupted" in result.output and "internal error" not in result.output
