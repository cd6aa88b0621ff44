"""Every way a host can fail reads as one plain sentence with the detail that helps, never
exception text; the same sentence in every report format, and in Korean."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from hvbpa.collect.host import collect_host
from hvbpa.collect.settings import ConnectionSettings, Secret
from hvbpa.exit_codes import ExitCode
from hvbpa.lab import CommandFault, HostConfig, LabHost, RunningFleet, make_tls_material
from hvbpa.targets import Target, parse_target
from tests.conftest import Invoke
from tests.e2e.conftest import LAB_ENV, PASSWORD

StartFleet = Callable[..., RunningFleet]
RAW = ("Error(", "Exception", "(104,", "_ssl.c", "urllib3", "<", "Traceback")


def _settings(**changes: object) -> ConnectionSettings:
    base = ConnectionSettings(username="labadmin", password=Secret(PASSWORD), retries=0, connect_timeout=3)
    return replace(base, **changes)  # type: ignore[arg-type]


def _plain(reason: str) -> None:
    assert reason and "\n" not in reason
    assert not any(word in reason for word in RAW), reason


def test_the_failures_an_admin_meets_each_read_as_one_sentence(lab_fleet: StartFleet) -> None:
    running = lab_fleet(
        HostConfig("TLS", transport="basic-https"),
        HostConfig("NTLM", transport="ntlm"),
        HostConfig("DENIED", transport="ntlm", fault=CommandFault(5, "Access is denied. ")),
    )
    tls, ntlm, denied = (running.host(n) for n in ("TLS", "NTLM", "DENIED"))
    basic = _settings(transport="basic", ca_trust_path=tls.ca_trust_path)
    cases: list[tuple[str, ConnectionSettings, str, str]] = [
        (
            f"127.0.0.1:{tls.port}",
            _settings(),
            "unreachable",
            f"port {tls.port} closed the connection: it may expect HTTPS or another transport "
            "(--scheme/--transport, or scheme=/transport= in the hosts file)",
        ),
        (
            f"https://127.0.0.1:{tls.port}",
            replace(basic, ca_trust_path=None),
            "tls_error",
            "the host's TLS certificate is not trusted (unable to get local issuer certificate): "
            "give its CA with --ca-trust-path",
        ),
        (
            f"https://127.0.0.1:{ntlm.port}",
            basic,
            "tls_error",
            f"port {ntlm.port} does not speak TLS (is it an http port?)",
        ),
        (
            f"https://127.0.0.1:{tls.port}",
            replace(basic, password=Secret("암호")),
            "auth_failed",
            "the user name or password has characters Basic authentication cannot send (Latin-1 only): "
            "use NTLM or Kerberos",
        ),
        (
            f"127.0.0.1:{ntlm.port}",
            _settings(password=Secret("wrong")),
            "auth_failed",
            "the host rejected the credentials of labadmin (HTTP 401)",
        ),
        (
            f"127.0.0.1:{denied.port}",
            _settings(),
            "auth_failed",
            "access denied (WinRM fault 5): labadmin logged on but may not use WinRM here; make it a local "
            "administrator, or a member of Remote Management Users and Hyper-V Administrators",
        ),
    ]
    for text, settings, status, reason in cases:
        outcome = collect_host(parse_target(text), settings).outcome
        assert (outcome.status.value, outcome.reason) == (status, reason), text
        _plain(outcome.reason)


def test_a_bad_host_name_is_named_not_a_parse_error() -> None:
    outcome = collect_host(Target("exa_mple..com", "exa_mple..com"), _settings()).outcome
    assert (outcome.status.value, outcome.reason) == (
        "unreachable",
        "exa_mple..com is not a valid host name or address",
    )


def test_a_certificate_for_another_name_says_which_name(tmp_path: Path) -> None:
    tls = make_tls_material(tmp_path / "tls", names=("127.0.0.1",))
    lab = LabHost(HostConfig("TLS", transport="basic-https"), tls=tls).start()
    try:
        target = Target("TLS", "localhost", port=lab.port, scheme="https")
        outcome = collect_host(target, _settings(transport="basic", ca_trust_path=str(tls.ca_pem))).outcome
    finally:
        lab.stop()
    assert outcome.status.value == "tls_error"
    assert outcome.reason == "the host's TLS certificate is not valid for the name localhost that was used to connect"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_one_sentence_in_every_format(cli: Invoke, lab_fleet: StartFleet, tmp_path: Path, lang: str) -> None:
    running = lab_fleet(HostConfig("GONE", transport="ntlm", refuse=True))
    port = running.hosts[0].port
    outputs = {fmt: tmp_path / f"r.{fmt}" for fmt in ("table", "json", "sarif", "junit", "csv")}
    result = cli(
        "scan",
        f"127.0.0.1:{port}",
        "-q",
        "--retries",
        "0",
        "--lang",
        lang,
        *(arg for fmt, path in outputs.items() for arg in ("-o", f"{fmt}:{path}")),
        env=LAB_ENV,
    )
    assert result.exit_code == ExitCode.INCOMPLETE
    sentence = {"en": f"connection refused on port {port}", "ko": f"포트 {port}에서 연결을 거부했습니다"}[lang]
    table = outputs["table"].read_text("utf-8")
    assert sentence in table
    report = json.loads(outputs["json"].read_text("utf-8"))
    assert report["hosts"][0]["reason"] == sentence
    assert report["hosts"][0]["why"]["code"] == "host-refused"
    sarif = json.loads(outputs["sarif"].read_text("utf-8"))
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any(sentence in n["message"]["text"] for n in notes)
    junit = ET.fromstring(outputs["junit"].read_bytes())  # noqa: S314 - our own report
    assert any(sentence in (e.get("message") or "") for e in junit.iter("error"))
    rows = list(csv.reader(io.StringIO(outputs["csv"].read_text("utf-8-sig"))))
    assert any(sentence in cell for row in rows for cell in row)
    if lang == "ko":
        assert "연결 불가" in table, "the status is translated too"


def test_a_web_server_that_is_not_winrm_says_so() -> None:
    """A real HTTP server on loopback that is not WinRM (Python's, which answers a POST with 501)."""
    import http.server
    import threading

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        target = Target("WEB", "127.0.0.1", port=server.server_address[1])
        outcome = collect_host(target, _settings()).outcome
    finally:
        server.shutdown()
        server.server_close()
    _plain(outcome.reason)
    assert outcome.reason == "no WinRM service at this address (HTTP 501): wrong port or path?", outcome.reason
    assert outcome.status.value == "unreachable"  # no WinRM answered, so it is no WinRM fault
