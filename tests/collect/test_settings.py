"""Which endpoint a host's settings lead to, and which settings are refused."""

from __future__ import annotations

import pytest

from hvbpa.collect.settings import ConnectionSettings, Secret
from hvbpa.errors import ConfigError


@pytest.mark.parametrize(
    ("settings", "scheme", "port"),
    [
        (ConnectionSettings(), "http", 5985),
        (ConnectionSettings(transport="basic"), "https", 5986),
        (ConnectionSettings(transport="certificate"), "https", 5986),
        (ConnectionSettings(port=5986), "https", 5986),
        (ConnectionSettings(port=8080), "http", 8080),
        (ConnectionSettings(scheme="https"), "https", 5986),
        (ConnectionSettings(transport="basic", scheme="http", allow_unencrypted=True), "http", 5985),
    ],
)
def test_scheme_and_port(settings: ConnectionSettings, scheme: str, port: int) -> None:
    assert (settings.effective_scheme(), settings.effective_port()) == (scheme, port)


def test_secret_never_prints() -> None:
    secret = Secret("hunter2")
    settings = ConnectionSettings(username="u", password=secret)
    for text in (repr(secret), str(secret), repr(settings), f"{settings}"):
        assert "hunter2" not in text
    assert secret.reveal() == "hunter2"


def test_basic_over_http_needs_consent() -> None:
    with pytest.raises(ConfigError, match="clear text"):
        ConnectionSettings(transport="basic", scheme="http", username="u").check()
    ConnectionSettings(transport="basic", scheme="http", username="u", allow_unencrypted=True).check()
