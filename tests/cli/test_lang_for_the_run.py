"""One language for the whole run: `hvbpa --lang ko COMMAND`, HVBPA_LANG and the settings
file reach every command, its rule texts and the CLI's own messages; a command's --lang wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from hvbpa.exit_codes import ExitCode
from tests.conftest import Invoke

KO_TITLE = "복제본 서버는 복제 요청을 받도록 구성되어야 합니다"  # HVR002's Korean title
EN_TITLE = "A Replica server must be configured to accept replication requests"
KO_ERROR = "hvbpa: 오류: "
EN_ERROR = "hvbpa: error: "


@pytest.mark.parametrize(
    ("args", "env", "title"),
    [
        (["--lang", "ko", "rules", "list"], {}, KO_TITLE),
        (["--lang=ko", "rules", "show", "HVR002"], {}, KO_TITLE),
        (["rules", "list"], {"HVBPA_LANG": "ko"}, KO_TITLE),
        (["--lang", "en", "rules", "list"], {"HVBPA_LANG": "ko"}, EN_TITLE),  # the command line wins
        (["--lang", "ko", "rules", "list", "--lang", "en"], {}, EN_TITLE),  # the command's own wins
        (["rules", "list"], {"LANG": "ko_KR.UTF-8"}, KO_TITLE),
        (["rules", "list"], {}, EN_TITLE),
    ],
)
def test_rule_texts_follow_the_runs_language(cli: Invoke, args: list[str], env: dict[str, str], title: str) -> None:
    result = cli(*args, env=env)
    assert result.exit_code == 0, result.output
    assert title in result.output
    other = EN_TITLE if title == KO_TITLE else KO_TITLE
    assert other not in result.output


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (["-o", "out.json"], "--allow-unencrypted"),  # refused inside the command: the CLI's own message
        ([], "'--output'"),  # a usage error, found while click parses the command's options
    ],
)
def test_the_settings_files_language_reaches_a_command_without_lang(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: list[str], said: str
) -> None:
    (tmp_path / "hvbpa.toml").write_text('lang = "ko"\n', "utf-8")
    monkeypatch.chdir(tmp_path)
    args = ["collect", "127.0.0.1", "--transport", "basic", "--scheme", "http", *extra]
    result = cli(*args, env={"HVBPA_PASSWORD": "x"})  # collect has no --lang of its own
    assert result.exit_code == ExitCode.USAGE
    assert result.output.startswith(KO_ERROR) and said in result.output, result.output
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize(("env", "prefix"), [({"HVBPA_LANG": "ko"}, KO_ERROR), ({}, EN_ERROR)])
def test_a_usage_error_speaks_hvbpa_lang(cli: Invoke, env: dict[str, str], prefix: str) -> None:
    result = cli("scan", "--jbos", "3", env=env)
    assert result.exit_code == ExitCode.USAGE
    assert result.output.startswith(prefix) and "--jbos" in result.output, result.output


def test_the_run_language_is_in_the_help(cli: Invoke) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    assert "--lang [en|ko]" in result.output


def test_an_unknown_run_language_is_a_usage_error(cli: Invoke) -> None:
    result = cli("--lang", "fr", "rules", "list")
    assert result.exit_code == ExitCode.USAGE
    assert result.output.startswith(EN_ERROR) and "'fr'" in result.output, result.output
