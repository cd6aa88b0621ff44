"""Connection failures are classified by the system's error number, never by its words.

A Korean Windows answers a refused or reset connection in Korean, with Windows Sockets
numbers (WinError 10061, 10054 ...). Here the socket layer under urllib3 raises exactly
that, and the rest of the way (urllib3, requests, pywinrm, hvbpa) is the real one.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable

import pytest
import urllib3.util.connection

from hvbpa.collect.connect_errors import classify
from hvbpa.collect.host import collect_host
from hvbpa.collect.settings import ConnectionSettings, Secret
from hvbpa.targets import Target

PORT = 5985


def _korean_windows(number: int, words: str, kind: type[OSError] = OSError) -> Callable[..., socket.socket]:
    def create_connection(*args: object, **kwargs: object) -> socket.socket:
        raise kind(number, words)

    return create_connection


def _scan(monkeypatch: pytest.MonkeyPatch, failure: Callable[..., socket.socket]) -> tuple[str, str, str]:
    monkeypatch.setattr(urllib3.util.connection, "create_connection", failure)
    settings = ConnectionSettings(username="labadmin", password=Secret("x"), retries=0, connect_timeout=2.0)
    outcome = collect_host(Target("hv01", "127.0.0.1", port=PORT), settings).outcome
    code = outcome.why.code if outcome.why is not None else ""
    return outcome.status.value, code, outcome.reason


@pytest.mark.parametrize(
    ("number", "words", "code", "sentence"),
    [
        (10061, "대상 컴퓨터에서 연결을 거부했습니다", "host-refused", f"connection refused on port {PORT}"),
        (10054, "현재 연결은 원격 호스트에 의해 강제로 끊겼습니다", "host-reset", f"port {PORT} closed the connection"),
        (10053, "현재 연결은 소프트웨어에 의해 중단되었습니다", "host-reset", "closed the connection"),
        (10060, "응답이 없어 연결하지 못했습니다", "host-connect-timeout", "no answer to the connection"),
        (11001, "알려진 호스트가 없습니다", "host-unresolved", "could not be resolved"),
        (errno.ECONNREFUSED, "연결이 거부됨", "host-refused", "connection refused"),
        (errno.ECONNRESET, "상대편에서 연결을 끊음", "host-reset", "closed the connection"),
    ],
)
def test_localized_failures_are_classified_by_number(
    monkeypatch: pytest.MonkeyPatch, number: int, words: str, code: str, sentence: str
) -> None:
    status, got_code, reason = _scan(monkeypatch, _korean_windows(number, words))
    assert (status, got_code) == ("unreachable", code), reason
    assert sentence in reason


def test_an_unknown_failure_keeps_the_systems_words_and_number(monkeypatch: pytest.MonkeyPatch) -> None:
    status, code, reason = _scan(monkeypatch, _korean_windows(10065, "호스트에 연결할 수 없습니다."))
    assert (status, code) == ("unreachable", "host-connect-failed")
    assert reason == f"the connection to port {PORT} failed (호스트에 연결할 수 없습니다, WinError 10065)"


def test_a_real_refusal_is_still_refused() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings = ConnectionSettings(username="labadmin", password=Secret("x"), retries=0, connect_timeout=2.0)
    outcome = collect_host(Target("hv01", "127.0.0.1", port=port), settings).outcome
    assert outcome.why is not None and outcome.why.code == "host-refused", outcome.reason


def test_the_whole_chain_is_searched() -> None:
    inner = ConnectionResetError(errno.ECONNRESET, "reset")
    wrapped = RuntimeError("Connection aborted.", inner)  # urllib3 keeps the cause among the arguments
    try:
        try:
            raise wrapped
        except RuntimeError as exc:
            raise ValueError("outer") from exc
    except ValueError as outer:
        assert classify(outer).kind == "reset"
    assert classify(ValueError("no system error")).kind == "other"
    assert classify(ValueError("no system error")).detail() == "no detail from the network"
