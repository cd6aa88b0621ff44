"""A password written into a target is never echoed, whatever characters it holds ('/', '@',
':' move a URL's own split points), from the command line, a hosts file or an INI inventory."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvbpa.targets import TargetError, parse_target, read_hosts_file, read_inventory

# A distinctive start so that the secret cannot turn up by chance in the message's own words.
SECRETS = st.builds(
    lambda tail: "Zq9" + tail,
    st.text(alphabet="abcXYZ019/@:!%#&=+~-_.", min_size=2, max_size=20),
)


def _forms(secret: str) -> list[str]:
    return [
        f"admin:{secret}@hv01",
        f"CORP\\admin:{secret}@hv01:5986",
        f"https://admin:{secret}@hv01/wsman",
        f"http://admin:{secret}@hv01:5985/wsman",
    ]


def _message(entry: str | Path, read: object) -> str:
    try:
        assert callable(read)
        read(entry)
    except TargetError as exc:
        return str(exc)
    pytest.fail(f"{entry!r} was accepted")


@pytest.mark.parametrize(
    "entry",
    [
        "admin:Zq9se/cret@host",
        "admin:Zq9s@cret@host",
        "https://admin:Zq9se/cret@host/wsman",
        "https://admin:Zq9s@cret@host/wsman",
    ],
)
def test_the_probed_targets_echo_nothing_of_the_secret(entry: str) -> None:
    message = _message(entry, parse_target)
    for piece in ("Zq9", "cret", "se/"):
        assert piece not in message


@given(SECRETS)
def test_command_line_targets_never_echo_a_password(secret: str) -> None:
    for entry in _forms(secret):
        assert secret not in _message(entry, parse_target)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
@given(secret=SECRETS)
def test_hosts_files_and_ini_inventories_never_echo_a_password(secret: str, tmp_path: Path) -> None:
    hosts = tmp_path / "hosts.txt"
    inventory = tmp_path / "inv.ini"
    for entry in _forms(secret):
        hosts.write_text(f"{entry}\n", encoding="utf-8")
        assert secret not in _message(hosts, read_hosts_file)
        inventory.write_text(f"[hyperv]\nhv01 ansible_host='{entry}'\n", encoding="utf-8")
        try:
            read_inventory(inventory)
        except TargetError as exc:
            assert secret not in str(exc)
