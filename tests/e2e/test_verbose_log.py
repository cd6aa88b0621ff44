"""-v logs each host's WS-Management exchanges to stderr, redacted: no password, no token, no
Authorization header's value, in any transport; -vv adds the headers and envelopes."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

from hvbpa.lab import CommandFault, HostConfig, RunningFleet
from hvbpa.snapshot.synthetic import host_snapshot_json
from tests.conftest import Invoke
from tests.e2e.conftest import LAB_ENV, PASSWORD

StartFleet = Callable[..., RunningFleet]


def _never_secret(text: str) -> None:
    basic = base64.b64encode(f"labadmin:{PASSWORD}".encode()).decode()
    assert PASSWORD not in text
    assert basic not in text and basic[:20] not in text
    for header in ("Authorization", "WWW-Authenticate"):
        for line in text.splitlines():
            if f"{header}: " in line:
                value = line.split(f"{header}: ", 1)[1].split(";")[0]
                assert value.endswith("[redacted]"), line


def test_verbose_logs_every_request_of_every_host_redacted(cli: Invoke, lab_fleet: StartFleet, tmp_path: Path) -> None:
    running = lab_fleet(
        HostConfig("NTLM", transport="ntlm", snapshot_text=host_snapshot_json("NTLM", 2)),
        HostConfig("DENIED", transport="ntlm", fault=CommandFault(2147942405, "Access is denied. ")),
    )
    ntlm, denied = running.host("NTLM"), running.host("DENIED")
    result = cli(
        "scan", f"127.0.0.1:{ntlm.port}", f"127.0.0.1:{denied.port}", "-vv", "--retries", "0",
        "-o", f"json:{tmp_path / 'r.json'}", env=LAB_ENV,
    )  # fmt: skip
    log = result.stderr
    _never_secret(result.output + log)
    for port in (ntlm.port, denied.port):
        label = f"hvbpa: http://127.0.0.1:{port}/wsman: "
        assert f"{label}(encryption set-up) -> HTTP 200" in log
        assert f"{label}Create -> HTTP 200" in log
        assert f"{label}Delete -> HTTP 200" in log
    assert f"hvbpa: http://127.0.0.1:{ntlm.port}/wsman: Receive -> HTTP 200" in log
    assert f"hvbpa: http://127.0.0.1:{denied.port}/wsman: Command -> HTTP 500" in log
    assert "fault 2147942405: Access is denied" in log
    # -vv: the envelopes, decrypted, the long base64 (script, answer) shown by its length only.
    assert "Create request envelope:" in log and "<rsp:Shell" in log
    assert "base64 characters]" in log
    assert "Authorization: Negotiate [redacted]" in log


def test_one_v_is_one_line_per_request_and_basic_is_redacted(
    cli: Invoke, lab_fleet: StartFleet, tmp_path: Path
) -> None:
    running = lab_fleet(HostConfig("BASIC", transport="basic-https", snapshot_text=host_snapshot_json("BASIC", 1)))
    host = running.host("BASIC")
    result = cli(
        "scan", f"https://127.0.0.1:{host.port}/wsman", "--transport", "basic", "--ca-trust-path",
        str(host.ca_trust_path), "-v", "-o", f"json:{tmp_path / 'r.json'}", env=LAB_ENV,
    )  # fmt: skip
    lines = [line for line in result.stderr.splitlines() if line.startswith(f"hvbpa: https://127.0.0.1:{host.port}")]
    assert [line.split(": ", 2)[2].split(" ->")[0] for line in lines] == ["Create", "Command", "Receive", "Delete"]
    assert "<s:Envelope" not in result.stderr, "envelopes only with -vv"
    _never_secret(result.output + result.stderr)
    vv = cli(
        "scan", f"https://127.0.0.1:{host.port}/wsman", "--transport", "basic", "--ca-trust-path",
        str(host.ca_trust_path), "-vv", "-o", f"json:{tmp_path / 'r2.json'}", env=LAB_ENV,
    )  # fmt: skip
    assert "Authorization: Basic [redacted]" in vv.stderr
    _never_secret(vv.output + vv.stderr)
