"""pywinrm, unchanged, against each lab transport."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
import winrm
from winrm.exceptions import InvalidCredentialsError

from hvbpa.collect import delivery
from hvbpa.lab import HostConfig, make_tls_material

from .conftest import StartLab, protocol, run_collection, snapshot_text

pytestmark = pytest.mark.timeout(60)

TRANSPORTS = ["basic-http", "basic-https", "ntlm"]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_protocol_collects_snapshot(start_lab: StartLab, transport: str) -> None:
    lab = start_lab(HostConfig(name="HV-LAB-01", transport=transport, snapshot_text=snapshot_text()))
    host = lab.host("HV-LAB-01")
    if transport == "basic-https":
        assert host.ca_trust_path and Path(host.ca_trust_path).is_file()
    output = run_collection(protocol(host))
    assert output.exit_code == 0
    assert output.stderr == b""
    assert json.loads(delivery.decode_answer(output.stdout))["host"]["name"] == "HV-LAB-01"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_session_run_ps_gets_a_clean_powershell_error(start_lab: StartLab, transport: str) -> None:
    lab = start_lab(HostConfig(name="HV-LAB-01", transport=transport))
    host = lab.host("HV-LAB-01")
    kwargs = host.protocol_kwargs()
    endpoint = kwargs.pop("endpoint")
    session = winrm.Session(endpoint, auth=(kwargs.pop("username"), kwargs.pop("password")), **kwargs)
    result = session.run_ps("Get-VMReplication -ComputerName hv01")
    assert result.status_code == 1
    assert result.std_out == b""
    # pywinrm turned the CLIXML into text, so the error has Windows' shape.
    assert result.std_err.startswith(b"Get-VMReplication : The term 'Get-VMReplication' is not recognized")
    assert b"CommandNotFoundException" in result.std_err
    # run_ps: Create, Command, Receive, Signal, Delete.
    assert lab.stats()[host.name]["by_action"] == {"Create": 1, "Command": 1, "Receive": 1, "Signal": 1, "Delete": 1}


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_bad_password_is_401(start_lab: StartLab, transport: str) -> None:
    host = start_lab(HostConfig(name="HV-LAB-01", transport=transport)).host("HV-LAB-01")
    with pytest.raises(InvalidCredentialsError):
        protocol(host, password="wrong").open_shell()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_reject_credentials_knob(start_lab: StartLab, transport: str) -> None:
    host = start_lab(HostConfig(name="HV-LAB-01", transport=transport, reject_credentials=True)).host("HV-LAB-01")
    with pytest.raises(InvalidCredentialsError):
        protocol(host).open_shell()


def test_basic_challenge_names_the_realm(start_lab: StartLab) -> None:
    host = start_lab(HostConfig(name="HV-LAB-01")).host("HV-LAB-01")
    response = requests.post(host.endpoint, data=b"<x/>", timeout=5)
    assert response.status_code == 401
    assert 'Basic realm="WSMAN"' in response.headers["WWW-Authenticate"]
    assert "Negotiate" in response.headers["WWW-Authenticate"]


def test_https_with_another_ca_fails_validation(start_lab: StartLab, tmp_path: Path) -> None:
    host = start_lab(HostConfig(name="HV-LAB-01", transport="basic-https")).host("HV-LAB-01")
    other = make_tls_material(tmp_path)
    with pytest.raises(requests.exceptions.SSLError):
        protocol(host, ca_trust_path=str(other.ca_pem)).open_shell()


def test_ntlm_without_encryption_is_refused(start_lab: StartLab) -> None:
    host = start_lab(HostConfig(name="HV-LAB-01", transport="ntlm")).host("HV-LAB-01")
    # Like a default Windows listener: unencrypted NTLM over HTTP gets nowhere.
    with pytest.raises(InvalidCredentialsError):
        protocol(host, message_encryption="never").open_shell()
