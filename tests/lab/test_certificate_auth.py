"""Certificate authentication (certificate-https): pywinrm's transport="certificate", unchanged."""

from __future__ import annotations

import json
import ssl
import time
from pathlib import Path

import pytest
import requests
import trustme
import winrm
from winrm.exceptions import InvalidCredentialsError

from hvbpa.collect import delivery
from hvbpa.lab import (
    HostConfig,
    HostEndpoint,
    RunningFleet,
    build_fleet,
    issue_client_certificate,
    load_fleet,
    make_tls_material,
    start_fleet,
)
from hvbpa.lab.auth import CERTIFICATE_AUTHORIZATION, certificate_user
from hvbpa.lab.tls import certificate_principals

from .conftest import TEST_SCRIPT, StartLab, protocol, run_collection, snapshot_text

pytestmark = pytest.mark.timeout(60)


def _start(start_lab: StartLab, *, reject_credentials: bool = False) -> tuple[RunningFleet, HostEndpoint]:
    config = HostConfig(
        name="HV-LAB-01",
        transport="certificate-https",
        snapshot_text=snapshot_text(),
        reject_credentials=reject_credentials,
    )
    lab = start_lab(config)
    return lab, lab.host("HV-LAB-01")


def test_certificate_transport_completes_a_collection(start_lab: StartLab) -> None:
    lab, host = _start(start_lab)
    assert host.scheme == "https"
    assert host.ca_trust_path and Path(host.ca_trust_path).is_file()
    assert host.client_cert_pem and Path(host.client_cert_pem).is_file()
    assert host.client_key_pem and Path(host.client_key_pem).is_file()
    kwargs = host.protocol_kwargs()
    assert kwargs["transport"] == "certificate"
    assert kwargs["password"] is None
    output = run_collection(protocol(host))
    assert output.exit_code == 0
    assert output.stderr == b""
    assert json.loads(delivery.decode_answer(output.stdout))["host"]["name"] == "HV-LAB-01"
    stats = lab.stats()[host.name]
    assert stats["auth_challenges"] == 0
    assert stats["tls_failures"] == 0


def test_issued_certificate_carries_the_upn(start_lab: StartLab) -> None:
    _, host = _start(start_lab)
    assert host.client_cert_pem
    der = ssl.PEM_cert_to_DER_cert(Path(host.client_cert_pem).read_text("ascii"))
    assert certificate_principals(der) == ["labadmin@lab.example"]
    assert certificate_user(CERTIFICATE_AUTHORIZATION, der, "LAB\\LabAdmin") == "labadmin@lab.example"
    assert certificate_user(None, der, "labadmin") is None
    assert certificate_user(CERTIFICATE_AUTHORIZATION, der, "bob") is None


def test_session_run_ps_with_certificate(start_lab: StartLab) -> None:
    _, host = _start(start_lab)
    kwargs = host.protocol_kwargs()
    endpoint = kwargs.pop("endpoint")
    session = winrm.Session(endpoint, auth=(kwargs.pop("username"), kwargs.pop("password")), **kwargs)
    result = session.run_ps("Get-VMReplication -ComputerName hv01")
    assert result.status_code == 1
    assert b"CommandNotFoundException" in result.std_err


def test_trustme_email_san_maps_too() -> None:
    # trustme writes "user@domain" identities as email subjectAltNames; the lab maps those too.
    leaf = trustme.CA().issue_cert("LabAdmin@lab.example")
    der = ssl.PEM_cert_to_DER_cert(leaf.cert_chain_pems[0].bytes().decode("ascii"))
    assert certificate_user(CERTIFICATE_AUTHORIZATION, der, "labadmin") == "LabAdmin@lab.example"
    assert certificate_user(CERTIFICATE_AUTHORIZATION, der, "other") is None
    # A certificate naming nobody in its subjectAltName maps to nobody.
    server = trustme.CA().issue_cert("labadmin.lab.example")
    der = ssl.PEM_cert_to_DER_cert(server.cert_chain_pems[0].bytes().decode("ascii"))
    assert certificate_user(CERTIFICATE_AUTHORIZATION, der, "labadmin") is None


def test_fleet_file_accepts_certificate_https(tmp_path: Path) -> None:
    path = tmp_path / "fleet.toml"
    path.write_text('[[hosts]]\nname = "C"\ntransport = "certificate-https"\nusername = "ops"\n', encoding="utf-8")
    (host,) = load_fleet(path).hosts
    assert (host.transport, host.scheme, host.principal) == ("certificate-https", "https", "ops@lab.example")


def test_certificate_from_another_ca_fails_the_handshake(start_lab: StartLab, tmp_path: Path) -> None:
    lab, host = _start(start_lab)
    other = make_tls_material(tmp_path / "other")
    stranger = issue_client_certificate(other, "labadmin@lab.example", tmp_path / "clients")
    # Under TLS 1.3 the server's refusal may reach the client as an SSL alert or as a
    # reset connection, depending on timing: both are connection errors, never a request.
    with pytest.raises(requests.exceptions.ConnectionError):
        protocol(host, cert_pem=str(stranger.cert_pem), cert_key_pem=str(stranger.key_pem)).open_shell()
    deadline = time.monotonic() + 5
    while lab.stats()[host.name]["tls_failures"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    stats = lab.stats()[host.name]
    assert stats["tls_failures"] >= 1
    assert stats["requests"] == 0


def test_certificate_for_another_user_is_401(start_lab: StartLab, tmp_path: Path) -> None:
    lab, host = _start(start_lab)
    assert lab.tls is not None
    bob = issue_client_certificate(lab.tls, "bob@lab.example", tmp_path)
    with pytest.raises(InvalidCredentialsError):
        protocol(host, cert_pem=str(bob.cert_pem), cert_key_pem=str(bob.key_pem)).open_shell()
    assert lab.stats()[host.name]["auth_challenges"] == 1


def test_no_certificate_fails_the_handshake(start_lab: StartLab) -> None:
    lab, host = _start(start_lab)
    assert host.ca_trust_path
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(host.endpoint, data=b"<x/>", verify=host.ca_trust_path, timeout=5)
    assert lab.stats()[host.name]["requests"] == 0


def test_missing_authorization_header_is_401(start_lab: StartLab) -> None:
    _, host = _start(start_lab)
    assert host.client_cert_pem and host.client_key_pem
    cert = (host.client_cert_pem, host.client_key_pem)
    response = requests.post(host.endpoint, data=b"<x/>", verify=host.ca_trust_path, cert=cert, timeout=5)
    assert response.status_code == 401
    # Basic with the right password is not certificate authentication either.
    response = requests.post(
        host.endpoint,
        data=b"<x/>",
        verify=host.ca_trust_path,
        cert=cert,
        auth=(host.username, host.password),
        timeout=5,
    )
    assert response.status_code == 401


def test_reject_credentials_knob(start_lab: StartLab) -> None:
    _, host = _start(start_lab, reject_credentials=True)
    with pytest.raises(InvalidCredentialsError):
        protocol(host).open_shell()


def test_worker_process_serves_certificate_hosts(tmp_path: Path) -> None:
    fleet = build_fleet(
        [
            HostConfig(name="CERT-1", transport="certificate-https", snapshot_text=snapshot_text("CERT-1")),
            HostConfig(name="CERT-2", transport="certificate-https", username="LAB\\ops"),
        ],
        script_text=TEST_SCRIPT,
    )
    with start_fleet(fleet, processes=True, workers=1) as running:
        one, two = running.host("CERT-1"), running.host("CERT-2")
        output = run_collection(protocol(one))
        assert json.loads(delivery.decode_answer(output.stdout))["host"]["name"] == "CERT-1"
        assert one.client_cert_pem != two.client_cert_pem
        # CERT-1's certificate names labadmin, not ops.
        with pytest.raises(InvalidCredentialsError):
            protocol(two, cert_pem=one.client_cert_pem, cert_key_pem=one.client_key_pem).open_shell()
        protocol(two).close_shell(protocol(two).open_shell())
        # The stats page of a certificate host needs the client certificate too.
        assert running.stats()["CERT-1"]["by_action"]["Command"] == 1
        inventory = running.write_ansible_inventory(tmp_path / "inventory.ini").read_text("utf-8")
        hosts_file = running.write_hosts_file(tmp_path / "hosts.txt").read_text("utf-8")
    line = next(line for line in inventory.splitlines() if line.startswith("CERT-1 "))
    assert "ansible_winrm_transport=certificate" in line
    assert f"ansible_winrm_cert_pem={one.client_cert_pem}" in line
    assert f"ansible_winrm_cert_key_pem={one.client_key_pem}" in line
    assert "ansible_winrm_scheme=https" in line
    assert "ansible_password" not in line
    assert f"transport=certificate ca_trust_path={one.ca_trust_path} cert_pem={one.client_cert_pem}" in hosts_file
