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
        (["hv01"], {"HVBPA_USERNAME": ""}, "hv01: no user name: set HVBPA_USERNAME or pass --username"),
        (["hv01", "--transport", "certificate"], {}, "--cert-pem"),
        (["hv01", "--timeout", "soon"], {}, "expected a duration"),
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


def test_missing_user_name_names_no_transport_the_admin_did_not_choose(cli: Invoke) -> None:
    result = cli("scan", "hv01", env={"HVBPA_USERNAME": "", "HVBPA_PASSWORD": "x"})
    assert result.exit_code == ExitCode.USAGE
    assert "ntlm" not in result.output


def test_limit_matching_nothing_says_so(cli: Invoke, tmp_path: Path) -> None:
    inventory = tmp_path / "inv.ini"
    inventory.write_text("[hyperv]\nhv[01:12]\n", "utf-8")
    result = cli("scan", "-i", str(inventory), "--limit", "nomatch", env={"HVBPA_USERNAME": "a", "HVBPA_PASSWORD": "x"})
    assert result.exit_code == ExitCode.USAGE
    assert result.output == "hvbpa: error: --limit 'nomatch' matched none of the 12 inventory hosts\n"


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


def test_bad_hosts_file_entry_names_file_and_line(cli: Invoke, tmp_path: Path) -> None:
    hosts = tmp_path / "hosts.txt"
    hosts.write_text("# lab\nhv01\nhv02:70000\n", "utf-8")
    result = cli("scan", "--hosts-file", str(hosts), env={"HVBPA_USERNAME": "admin", "HVBPA_PASSWORD": "x"})
    assert result.exit_code == ExitCode.USAGE
    assert f"{hosts}:3" in result.output


def test_password_from_the_os_keyring(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the keyring extra, a stored password is used and never asked for."""
    keyring = pytest.importorskip("keyring")
    from keyring.backend import KeyringBackend

    asked: list[tuple[str, str]] = []

    class Memory(KeyringBackend):
        priority = 1

        def get_password(self, service: str, username: str) -> str | None:
            asked.append((service, username))
            return "from-keyring"

        def set_password(self, service: str, username: str, password: str) -> None:
            raise NotImplementedError

        def delete_password(self, service: str, username: str) -> None:
            raise NotImplementedError

    previous = keyring.get_keyring()
    keyring.set_keyring(Memory())  # type: ignore[no-untyped-call]
    try:
        # Port 9 refuses at once: getting that far means a password was found without a prompt.
        result = cli(
            "scan", "127.0.0.1:9", "--retries", "0", "-q", "-o", "json",
            env={"HVBPA_USERNAME": "CONTOSO\\admin", "HVBPA_PASSWORD": ""},
        )  # fmt: skip
    finally:
        keyring.set_keyring(previous)
    assert asked == [("hvbpa", "CONTOSO\\admin")]
    assert result.exit_code == ExitCode.INCOMPLETE
    assert "from-keyring" not in result.output


@pytest.mark.parametrize("transport", ["kerberos", "credssp"])
def test_a_transport_pywinrm_cannot_speak_says_what_to_install(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch, transport: str
) -> None:
    from winrm import transport as winrm_transport

    monkeypatch.setattr(winrm_transport, f"HAVE_{transport.upper()}", False)
    result = cli("scan", "hv01", "--transport", transport, env={"HVBPA_USERNAME": "admin", "HVBPA_PASSWORD": "x"})
    assert result.exit_code == ExitCode.USAGE, result.output
    assert f"the {transport} transport is not available" in result.output
    assert f"pip install '.[{transport}]'" in result.output
    assert "hvbpa[" not in result.output, "hvbpa is not on PyPI: no install line may name it there"
    assert result.output.strip().count("\n") == 0


@pytest.mark.parametrize("transport", ["kerberos", "credssp"])
def test_the_transport_check_asks_pywinrm(monkeypatch: pytest.MonkeyPatch, transport: str) -> None:
    """Where pywinrm can speak the transport, the settings pass (the old check looked for a
    package name that pywinrm 0.5 vendors, so Kerberos could never run)."""
    from winrm import transport as winrm_transport

    from hvbpa.collect.settings import ConnectionSettings, Secret
    from hvbpa.errors import ConfigError

    # Kerberos from the ticket cache (no password): python-gssapi, needed only for a password,
    # is not in the README's test install.
    password = None if transport == "kerberos" else Secret("x")
    settings = ConnectionSettings(transport=transport, username="admin", password=password)
    monkeypatch.setattr(winrm_transport, f"HAVE_{transport.upper()}", True)
    settings.check()
    monkeypatch.setattr(winrm_transport, f"HAVE_{transport.upper()}", False)
    with pytest.raises(ConfigError, match="is not available"):
        settings.check()


def test_an_inventory_host_error_names_the_host_once(cli: Invoke, tmp_path: Path) -> None:
    inventory = tmp_path / "inv.ini"
    inventory.write_text("[hyperv]\nhv01 ansible_winrm_transport=certificate\n", "utf-8")
    result = cli("scan", "-i", str(inventory), env={"HVBPA_USERNAME": "admin", "HVBPA_PASSWORD": "x"})
    assert result.exit_code == ExitCode.USAGE
    assert "inv.ini: host hv01: certificate transport needs" in result.output
    assert result.output.count("hv01") == 1, result.output


def test_no_prompt_without_a_console_to_answer_it() -> None:
    """A terminal on stdin but stderr in a log (nobody would see the prompt): exit 2 with the
    hint at once, never a prompt that waits for ever (as a scheduled task's would)."""
    import os
    import pty
    import subprocess
    import sys

    main, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HVBPA_")}
    env.update(HVBPA_USERNAME="admin", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", LANG="C.UTF-8")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "hvbpa", "scan", "127.0.0.1:1"],
            stdin=secondary, capture_output=True, text=True, env=env, timeout=30, start_new_session=True,
        )  # fmt: skip
    finally:
        os.close(secondary)
        os.close(main)
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert done.stderr.count("\n") == 1 and "HVBPA_PASSWORD" in done.stderr and "keyring" in done.stderr


def test_a_hosts_file_that_turns_tls_checks_off_is_named_as_such(cli: Invoke, tmp_path: Path) -> None:
    """The warning said "in the inventory" for a hosts file: it names the file and line instead."""
    hosts = tmp_path / "hosts.txt"
    hosts.write_text("127.0.0.1:1 scheme=https server_cert_validation=ignore\n", "utf-8")
    result = cli(
        "scan", "--hosts-file", str(hosts), "-q", "--connect-timeout", "2s",
        env={"HVBPA_USERNAME": "admin", "HVBPA_PASSWORD": "x"},
    )  # fmt: skip
    (warning,) = [line for line in result.output.splitlines() if "WARNING" in line]
    assert f"certificate validation is OFF for 127.0.0.1:1 ({hosts}:1)" in warning, warning
    assert "server_cert_validation=ignore" in warning and "in the inventory" not in warning


@pytest.mark.parametrize(
    ("lang", "words"), [("ko", "hvbpa: 오류: 암호가 없습니다"), ("en", "hvbpa: error: no password")]
)
def test_an_error_inside_the_command_speaks_its_lang_option(cli: Invoke, lang: str, words: str) -> None:
    """--lang is parsed by the time the command fails: the error line follows it, not the locale."""
    other = "en_US.UTF-8" if lang == "ko" else "ko_KR.UTF-8"
    result = cli(
        "scan",
        "127.0.0.1",
        "-u",
        "labadmin",
        "--lang",
        lang,
        env=dict.fromkeys(("LC_ALL", "LC_MESSAGES", "LANG"), other),
    )
    assert result.exit_code == ExitCode.USAGE
    (line,) = result.output.strip().splitlines()
    assert line.startswith(words), line
