"""Operation timeouts are retried within the host's deadline, and never beyond it."""

from __future__ import annotations

import time
from collections.abc import Callable

from hvbpa.collect.host import collect_host
from hvbpa.collect.settings import ConnectionSettings, Secret
from hvbpa.lab import HostConfig, RunningFleet
from hvbpa.snapshot.synthetic import host_snapshot_json
from hvbpa.targets import Target
from tests.e2e.conftest import PASSWORD

StartFleet = Callable[..., RunningFleet]


def _settings(**changes: object) -> ConnectionSettings:
    base = ConnectionSettings(username="labadmin", password=Secret(PASSWORD), retries=0)
    from dataclasses import replace

    return replace(base, **changes)  # type: ignore[arg-type]


def test_slow_command_survives_operation_timeouts(lab_fleet: StartFleet) -> None:
    running = lab_fleet(
        HostConfig("SLOW", transport="ntlm", slow_command=2.5, snapshot_text=host_snapshot_json("SLOW", 4))
    )
    target = Target("SLOW", "127.0.0.1", port=running.hosts[0].port)
    outcome = collect_host(target, _settings(operation_timeout=1)).outcome
    assert outcome.status.value == "ok", outcome.reason
    # Create, Command, Delete, and one Receive per second of the command's run.
    assert outcome.requests is not None and outcome.requests >= 5


def test_deadline_ends_a_command_that_never_finishes(lab_fleet: StartFleet) -> None:
    running = lab_fleet(HostConfig("STUCK", transport="ntlm", slow_command=600.0))
    target = Target("STUCK", "127.0.0.1", port=running.hosts[0].port)
    started = time.monotonic()
    outcome = collect_host(target, _settings(operation_timeout=1, deadline=3.0)).outcome
    took = time.monotonic() - started
    assert outcome.status.value == "timed_out", outcome.reason
    assert "3 s deadline" in outcome.reason
    assert took < 10
    assert running.stats()["STUCK"].get("open_shells", 0) == 0, "the shell was deleted after the deadline"


def test_connection_refused_is_retried_then_reported(lab_fleet: StartFleet) -> None:
    running = lab_fleet(HostConfig("GONE", transport="ntlm", refuse=True))
    target = Target("GONE", "127.0.0.1", port=running.hosts[0].port)
    outcome = collect_host(target, _settings(retries=2, retry_backoff=0.05)).outcome
    assert outcome.status.value == "unreachable"
    assert outcome.reason == f"connection refused on port {target.port} (after 3 attempts)"


def test_unresolvable_name_is_unreachable() -> None:
    """The resolver is stubbed for every test (tests/conftest.py): no query leaves the machine."""
    outcome = collect_host(Target("nowhere", "nowhere.invalid", port=5985), _settings(connect_timeout=2.0)).outcome
    assert (outcome.status.value, outcome.reason) == ("unreachable", "the name nowhere.invalid could not be resolved")


def test_the_resolver_is_stubbed_in_tests() -> None:
    import socket

    import pytest

    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("example.com", 80)
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("192.0.2.1", 80)
    assert socket.getaddrinfo("127.0.0.1", 80)


def test_wrong_ca_is_a_tls_error(lab_fleet: StartFleet, tmp_path: object) -> None:
    from pathlib import Path

    import trustme

    running = lab_fleet(HostConfig("TLS", transport="basic-https", snapshot_text=host_snapshot_json("TLS", 1)))
    other_ca = Path(str(tmp_path)) / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    target = Target("TLS", "127.0.0.1", port=running.hosts[0].port)
    outcome = collect_host(target, _settings(transport="basic", ca_trust_path=str(other_ca))).outcome
    assert outcome.status.value == "tls_error"
    assert outcome.reason == (
        "the host's TLS certificate is not trusted (unable to get local issuer certificate): "
        "give its CA with --ca-trust-path"
    )


def test_a_bug_on_one_host_is_that_hosts_result(lab_fleet: StartFleet, monkeypatch: object) -> None:
    import pytest

    from hvbpa.collect import host as host_module
    from hvbpa.collect.fleet import scan_hosts

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    running = lab_fleet(
        HostConfig("GOOD", transport="ntlm", snapshot_text=host_snapshot_json("GOOD", 2)),
        HostConfig("BUGGY", transport="ntlm", snapshot_text=host_snapshot_json("BUGGY", 2)),
    )
    real = host_module.interpret

    def interpret(target: Target, raw: object) -> object:
        if target.name == "BUGGY":
            raise ZeroDivisionError("division by zero")
        return real(target, raw)  # type: ignore[arg-type]

    monkeypatch.setattr(host_module, "interpret", interpret)
    targets = [Target(h.name, "127.0.0.1", port=h.port) for h in running.hosts]
    collected = scan_hosts(targets, _settings(), jobs=2, processes=1)
    statuses = {c.outcome.target: (c.outcome.status.value, c.outcome.reason) for c in collected}
    assert statuses["GOOD"][0] == "ok"
    assert statuses["BUGGY"][0] == "internal_error"
    assert "ZeroDivisionError" in statuses["BUGGY"][1]


def test_scan_workers_also_start_by_spawn(lab_fleet: StartFleet) -> None:
    """With other threads alive (here, the in-process lab) workers are spawned, as on Windows."""
    import threading

    from hvbpa.collect import fleet_processes as scan_processes
    from hvbpa.collect.fleet import scan_hosts

    running = lab_fleet(*(HostConfig(f"S{i}", snapshot_text=host_snapshot_json(f"S{i}", 2)) for i in range(4)))
    assert threading.active_count() > 1 and scan_processes._start_method() == "spawn"
    targets = [Target(h.name, "127.0.0.1", port=h.port, transport="basic", scheme="http") for h in running.hosts]
    collected = scan_hosts(targets, _settings(transport="basic", allow_unencrypted=True), jobs=4, processes=2)
    assert [c.outcome.status.value for c in collected] == ["ok"] * 4
    assert [c.outcome.snapshot.host.name for c in collected if c.outcome.snapshot] == ["S0", "S1", "S2", "S3"]


class _Drip:
    """A host that answers every request one byte every ``every`` seconds (headers first), so
    every read beats any read timeout; loopback only."""

    def __init__(self, every: float) -> None:
        import socket
        import threading

        self.every = every
        self.stop = threading.Event()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        import threading

        self.server.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: object) -> None:
        import socket

        assert isinstance(conn, socket.socket)
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(65536)
                for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nX-Slow: " + b"a" * 10_000:
                    if self.stop.wait(self.every):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        self.server.close()


def test_a_host_that_drips_its_answer_ends_at_the_deadline() -> None:
    drip = _Drip(every=0.3)
    try:
        target = Target("DRIP", "127.0.0.1", port=drip.port, transport="basic", scheme="http")
        settings = _settings(transport="basic", allow_unencrypted=True, deadline=3.0, operation_timeout=10)
        started = time.monotonic()
        outcome = collect_host(target, settings).outcome
        took = time.monotonic() - started
    finally:
        drip.close()
    assert (outcome.status.value, outcome.reason) == ("timed_out", "no answer within the 3 s deadline")
    assert took < 5, f"the 3 s deadline took {took:.1f} s"


def test_scan_timeout_is_a_deadline_on_the_whole_host(cli: object) -> None:
    from tests.conftest import Invoke
    from tests.e2e.conftest import LAB_ENV

    assert callable(cli)
    invoke: Invoke = cli
    drip = _Drip(every=0.3)
    try:
        started = time.monotonic()
        result = invoke(
            "scan", f"127.0.0.1:{drip.port}", "--timeout", "3s", "--transport", "basic", "--scheme", "http",
            "--allow-unencrypted", "--retries", "0", "-o", "table", env=LAB_ENV,
        )  # fmt: skip
        took = time.monotonic() - started
    finally:
        drip.close()
    assert result.exit_code == 3, result.output
    assert "no answer within the 3 s deadline" in result.output
    assert took < 8, f"scan --timeout 3s took {took:.1f} s"
