"""Connection options checked before any host is contacted: exit 2, one line, no prompt."""

from __future__ import annotations

from pathlib import Path

import pytest

from hvbpa.exit_codes import ExitCode
from tests.conftest import Invoke


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["hv01", "--transport", "basic", "--scheme", "http"], {}, "clear text"),
        (["hv01"], {"HVBPA_USERNAME": ""}, "needs a user name"),
        (["hv01", "--transport", "certificate"], {}, "--cert-pem"),
        (["hv01", "--timeout", "soon"], {}, "not a duration"),
        ([], {}, "no hosts to scan"),
        (["bad host"], {}, "must not contain spaces"),
        (["hv01:99999"], {}, "port must be 1-65535"),
        (["hv01", "--limit", "web*"], {}, "--limit applies to --inventory"),
    ],
)
def test_bad_connection_settings_exit_2(cli: Invoke, args: list[str], env: dict[str, str], message: str) -> None:
    result = cli("scan", *args, env={"HVBPA_USERNAME": "admin", "HVBPA_PASSWORD": "x", **env})
    assert result.exit_code == ExitCode.USAGE, result.output
    assert message in result.output
    assert result.output.strip().count("\n") == 0


def test_inventory_cannot_smuggle_basic_over_http(cli: Invoke, tmp_path: Path) -> None:
    inventory = tmp_path / "inv.ini"
    inventory.write_text("[hv]\nhv01 ansible_winrm_transport=basic ansible_winrm_scheme=http\n", "utf-8")
    result = cli("scan", "-i", str(inventory), env={"HVBPA_USERNAME": "admin", "HVBPA_PASSWORD": "x"})
    assert result.exit_code == ExitCode.USAGE
    assert "hv01" in result.output and "clear text" in result.output


def test_no_password_and_no_terminal_is_a_usage_error(cli: Invoke) -> None:
    result = cli("scan", "hv01", env={"HVBPA_USERNAME": "admin", "HVBPA_PASSWORD": ""})
    assert result.exit_code == ExitCode.USAGE
    assert "HVBPA_PASSWORD" in result.output


def test_password_is_not_an_option(cli: Invoke) -> None:
    result = cli("scan", "hv01", "--password", "hunter2")
    assert result.exit_code == ExitCode.USAGE
    assert "No such option" in result.output
    assert "never an option" in cli("scan", "--help").output


def test_skipping_tls_validation_warns(cli: Invoke) -> None:
    # Port 9 on loopback refuses at once: the warning comes first, the host fails.
    result = cli(
        "scan",
        "127.0.0.1:9",
        "--transport",
        "basic",
        "--insecure-skip-tls-verify",
        "--retries",
        "0",
        "-q",
        env={"HVBPA_USERNAME": "admin", "HVBPA_PASSWORD": "x"},
    )
    assert "WARNING: TLS certificate validation is OFF" in result.output
    assert result.exit_code == ExitCode.INCOMPLETE


def test_cli_messages_follow_the_locale(cli: Invoke) -> None:
    korean = cli("scan", env={"LANG": "ko_KR.UTF-8", "HVBPA_USERNAME": "admin"})
    assert korean.exit_code == ExitCode.USAGE
    assert korean.output.startswith("hvbpa: 오류: 검사할 호스트가 없습니다")
    english = cli("scan", env={"LANG": "en_US.UTF-8", "HVBPA_USERNAME": "admin"})
    assert english.output.startswith("hvbpa: error: no hosts to scan")
