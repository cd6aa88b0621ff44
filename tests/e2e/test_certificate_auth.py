"""`hvbpa scan --transport certificate` against a lab host that maps client certificates."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hvbpa.exit_codes import ExitCode
from hvbpa.lab import HostConfig, RunningFleet, issue_client_certificate, make_tls_material
from hvbpa.snapshot.synthetic import host_snapshot_json
from tests.conftest import Invoke, validate_report
from tests.e2e.conftest import read_report

pytestmark = pytest.mark.timeout(60)

StartFleet = Callable[..., RunningFleet]


def _scan(cli: Invoke, port: int, out: Path, cert: str, key: str, ca: str) -> int:
    result = cli(
        "scan",
        f"127.0.0.1:{port}",
        "--transport",
        "certificate",
        "--cert-pem",
        cert,
        "--cert-key-pem",
        key,
        "--ca-trust-path",
        ca,
        "-q",
        "-o",
        f"json:{out}",
    )
    return result.exit_code


def test_scan_with_a_client_certificate(cli: Invoke, lab_fleet: StartFleet, tmp_path: Path) -> None:
    running = lab_fleet(
        HostConfig("HV-CERT", transport="certificate-https", snapshot_text=host_snapshot_json("HV-CERT", 3))
    )
    host = running.hosts[0]
    assert host.client_cert_pem and host.client_key_pem and host.ca_trust_path
    out = tmp_path / "report.json"
    # No HVBPA_PASSWORD, no username: the certificate authenticates.
    code = _scan(cli, host.port, out, host.client_cert_pem, host.client_key_pem, host.ca_trust_path)
    report = read_report(out)
    validate_report(report)
    (scanned,) = report["hosts"]
    assert scanned["status"] == "ok", scanned["reason"]
    assert scanned["name"] == "HV-CERT"
    assert code in (ExitCode.OK, ExitCode.FINDINGS)
    assert running.stats()["HV-CERT"]["auth_challenges"] == 0


def test_certificate_of_another_user_is_an_auth_failure(cli: Invoke, lab_fleet: StartFleet, tmp_path: Path) -> None:
    running = lab_fleet(HostConfig("HV-CERT", transport="certificate-https"))
    host = running.hosts[0]
    assert running.tls is not None and host.ca_trust_path
    bob = issue_client_certificate(running.tls, "bob@lab.example", tmp_path)
    out = tmp_path / "report.json"
    code = _scan(cli, host.port, out, str(bob.cert_pem), str(bob.key_pem), host.ca_trust_path)
    report = read_report(out)
    validate_report(report)
    (scanned,) = report["hosts"]
    assert scanned["status"] == "auth_failed", scanned["reason"]
    assert code != ExitCode.OK


def test_certificate_from_another_ca_is_a_tls_error(cli: Invoke, lab_fleet: StartFleet, tmp_path: Path) -> None:
    running = lab_fleet(HostConfig("HV-CERT", transport="certificate-https"))
    host = running.hosts[0]
    assert host.ca_trust_path
    stranger = issue_client_certificate(make_tls_material(tmp_path / "other"), "labadmin@lab.example", tmp_path)
    out = tmp_path / "report.json"
    code = _scan(cli, host.port, out, str(stranger.cert_pem), str(stranger.key_pem), host.ca_trust_path)
    report = read_report(out)
    validate_report(report)
    (scanned,) = report["hosts"]
    assert scanned["status"] == "tls_error", scanned["reason"]
    assert code != ExitCode.OK
    assert running.request_counts()["HV-CERT"] == 0


def test_inventory_carries_each_hosts_certificate(cli: Invoke, lab_fleet: StartFleet, tmp_path: Path) -> None:
    """ansible_winrm_cert_pem / _cert_key_pem per host: no certificate options on the command line."""
    running = lab_fleet(
        HostConfig("HV-CERT", transport="certificate-https", snapshot_text=host_snapshot_json("HV-CERT", 3)),
        HostConfig("HV-NTLM", transport="ntlm", snapshot_text=host_snapshot_json("HV-NTLM", 3)),
    )
    inventory = running.write_ansible_inventory(tmp_path / "inventory.ini")
    out = tmp_path / "report.json"
    env = {"HVBPA_PASSWORD": running.host("HV-NTLM").password}
    result = cli("scan", "-i", str(inventory), "-q", "-o", f"json:{out}", env=env)
    assert result.exit_code in (ExitCode.OK, ExitCode.FINDINGS), result.output
    statuses = {h["target"]: h["status"] for h in read_report(out)["hosts"]}
    assert statuses == {"HV-CERT": "ok", "HV-NTLM": "ok"}
