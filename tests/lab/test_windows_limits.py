"""The lab is faithful to Windows where clients break."""

from __future__ import annotations

import json
import random
import time

import pytest
from winrm.exceptions import WinRMOperationTimeoutError, WSManFaultError

from hvbpa.collect import delivery
from hvbpa.lab import HostConfig, minimal_snapshot

from .conftest import TEST_SCRIPT, StartLab, protocol, receive_all, run_collection

pytestmark = pytest.mark.timeout(60)

KOREAN = "웹서버-01"


def test_codepage_437_turns_korean_into_question_marks(start_lab: StartLab) -> None:
    p = protocol(start_lab(HostConfig(name="HV-LAB-01")).host("HV-LAB-01"))
    for codepage, expected in ((437, b"???-01\r\n"), (65001, (KOREAN + "\r\n").encode("utf-8"))):
        shell_id = p.open_shell(codepage=codepage)
        command_id = p.run_command(shell_id, "echo", [KOREAN])
        assert receive_all(p, shell_id, command_id).stdout == expected
        p.close_shell(shell_id)


def test_powershell_errors_use_the_console_code_page(start_lab: StartLab) -> None:
    p = protocol(start_lab(HostConfig(name="HV-LAB-01")).host("HV-LAB-01"))
    shell_id = p.open_shell(codepage=437)
    command_id = p.run_command(shell_id, "powershell -enc " + delivery.encode_command(KOREAN))
    output = receive_all(p, shell_id, command_id)
    assert output.exit_code == 1
    assert output.stderr.startswith(b"#< CLIXML\r\n")
    assert b"The term '???-01' is not recognized" in output.stderr


def test_long_output_is_split_over_receives_and_reassembled(start_lab: StartLab) -> None:
    # Incompressible-ish VM names make the answer far larger than one envelope.
    vms = [
        {
            "name": f"VM-{i:05d}-{i * 7919 % 100003:06d}",
            "id": f"{i:08X}-0000-4000-8000-{i * 2654435761 % 16**12:012X}",
            "state": 2,
            "replication": {"mode": 1, "state": 4},
            "integration_services": [],
            "network_adapters": [],
        }
        for i in range(20000)
    ]
    document = json.dumps(minimal_snapshot("HV-BIG-01", vms))
    expected = delivery.encode_answer(document).encode("ascii")
    assert len(expected) > 153600
    p = protocol(start_lab(HostConfig(name="HV-BIG-01", snapshot_text=document)).host("HV-BIG-01"))
    output = run_collection(p)
    assert output.stdout == expected
    assert output.receives == -(-len(expected) // 113664) >= 2
    assert delivery.decode_answer(output.stdout) == document


def test_huge_output_knob_sends_ten_megabytes(start_lab: StartLab) -> None:
    p = protocol(start_lab(HostConfig(name="HV-LAB-01", output="huge")).host("HV-LAB-01"))
    output = run_collection(p)
    assert len(output.stdout) >= 10 * 1024 * 1024
    assert output.receives > 80
    assert json.loads(delivery.decode_answer(output.stdout))["host"]["name"] == "HV-LAB-01"


def test_slow_command_produces_operation_timeouts(start_lab: StartLab) -> None:
    host = start_lab(HostConfig(name="HV-LAB-01", slow_command=2.5)).host("HV-LAB-01")
    p = protocol(host, operation_timeout_sec=1, read_timeout_sec=3)
    started = time.monotonic()
    output = run_collection(p)
    assert output.timeouts == 2
    assert output.exit_code == 0
    assert time.monotonic() - started >= 2.5


def test_stdin_delivery_waits_for_end_of_input(start_lab: StartLab) -> None:
    # Random text does not compress, so the bootstrap cannot carry it inline.
    big_script = TEST_SCRIPT + "# " + random.Random(1).randbytes(20000).hex() + "\r\n"
    plan = delivery.plan_delivery(big_script)
    assert plan.stdin is not None
    lab = start_lab(HostConfig(name="HV-LAB-01"), script_text=big_script)
    p = protocol(lab.host("HV-LAB-01"), operation_timeout_sec=1, read_timeout_sec=3)
    shell_id = p.open_shell()
    command_id = p.run_command(shell_id, plan.command, plan.arguments, skip_cmd_shell=True)
    with pytest.raises(WinRMOperationTimeoutError):
        p.get_command_output_raw(shell_id, command_id)
    p.send_command_input(shell_id, command_id, plan.stdin, end=True)
    output = receive_all(p, shell_id, command_id)
    assert json.loads(delivery.decode_answer(output.stdout))["host"]["name"] == "HV-LAB-01"
    assert lab.stats()["HV-LAB-01"]["by_action"]["Send"] == 1


def test_another_script_gets_a_powershell_error(start_lab: StartLab) -> None:
    p = protocol(start_lab(HostConfig(name="HV-LAB-01")).host("HV-LAB-01"))
    output = run_collection(p, "Get-Date\r\n")
    assert output.exit_code == 1
    assert output.stdout == b""
    assert b"The term 'Get-Date' is not recognized" in output.stderr


def test_thirty_first_shell_is_refused(start_lab: StartLab) -> None:
    lab = start_lab(HostConfig(name="HV-LAB-01"))
    p = protocol(lab.host("HV-LAB-01"))
    shells = [p.open_shell() for _ in range(30)]
    assert lab.stats()["HV-LAB-01"]["open_shells"] == 30
    with pytest.raises(WSManFaultError) as caught:
        p.open_shell()
    # Windows sends quota faults as an MSFT_WmiError, not a WSManFault.
    assert (caught.value.wsman_fault_code, caught.value.wmierror_code) == (None, 2150859173)
    assert "maximum number of 30 concurrent shells" in caught.value.reason
    p.close_shell(shells.pop())
    shells.append(p.open_shell())
    for shell_id in shells:
        p.close_shell(shell_id)
    assert lab.stats()["HV-LAB-01"]["open_shells"] == 0


def test_cmd_exe_line_limit(start_lab: StartLab) -> None:
    p = protocol(start_lab(HostConfig(name="HV-LAB-01")).host("HV-LAB-01"))
    shell_id = p.open_shell()
    for length, too_long in ((8191, False), (8192, True)):
        command_id = p.run_command(shell_id, "echo", ["x" * (length - len("echo "))])
        output = receive_all(p, shell_id, command_id)
        if too_long:
            assert (output.stderr, output.exit_code) == (b"The command line is too long.\r\n", 1)
        else:
            assert output.exit_code == 0
            assert len(output.stdout) == length - len("echo ") + 2


def test_create_process_line_limit(start_lab: StartLab) -> None:
    p = protocol(start_lab(HostConfig(name="HV-LAB-01")).host("HV-LAB-01"))
    shell_id = p.open_shell()
    prefix = "powershell.exe -EncodedCommand "
    ok = p.run_command(shell_id, prefix + "A" * (32766 - len(prefix)), skip_cmd_shell=True)
    assert receive_all(p, shell_id, ok).exit_code == 1  # PowerShell ran; the payload is junk.
    with pytest.raises(WSManFaultError) as caught:
        p.run_command(shell_id, prefix + "A" * (32767 - len(prefix)), skip_cmd_shell=True)
    assert caught.value.wsman_fault_code == 2147942606
    assert "too long" in caught.value.reason


def test_run_ps_of_a_long_script_hits_the_cmd_limit(start_lab: StartLab) -> None:
    import winrm

    host = start_lab(HostConfig(name="HV-LAB-01")).host("HV-LAB-01")
    kwargs = host.protocol_kwargs()
    session = winrm.Session(kwargs.pop("endpoint"), auth=(kwargs.pop("username"), kwargs.pop("password")), **kwargs)
    result = session.run_ps("Get-VM # " + "x" * 4000)
    assert (result.status_code, result.std_err) == (1, b"The command line is too long.\r\n")


def test_unknown_program_without_cmd_is_a_process_creation_fault(start_lab: StartLab) -> None:
    p = protocol(start_lab(HostConfig(name="HV-LAB-01")).host("HV-LAB-01"))
    shell_id = p.open_shell()
    with pytest.raises(WSManFaultError) as caught:
        p.run_command(shell_id, "ipconfig.exe", skip_cmd_shell=True)
    assert caught.value.wsman_fault_code == 2147942402


def test_unknown_shell_and_command_faults(start_lab: StartLab) -> None:
    p = protocol(start_lab(HostConfig(name="HV-LAB-01")).host("HV-LAB-01"))
    with pytest.raises(WSManFaultError) as caught:
        p.run_command("00000000-0000-0000-0000-000000000000", "echo hi")
    assert caught.value.wsman_fault_code == 2150858813
    shell_id = p.open_shell()
    with pytest.raises(WSManFaultError) as caught:
        p.get_command_output_raw(shell_id, "00000000-0000-0000-0000-000000000000")
    assert caught.value.wsman_fault_code == 2150858843


@pytest.mark.parametrize(("asked", "used"), [(153600, 153600), (2_000_000, 512000), (None, 512000)])
def test_a_host_answers_within_its_own_envelope_size(asked: int | None, used: int) -> None:
    """MS-WSMV 3.1.4.1.7: a request naming no MaxEnvelopeSize, or a larger one than the host's
    MaxEnvelopeSizekb (500 on Windows Server 2012 and later), gets the host's."""
    from hvbpa.lab import envelopes

    size = "" if asked is None else f'<w:MaxEnvelopeSize s:mustUnderstand="true">{asked}</w:MaxEnvelopeSize>'
    request = (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header>'
        '<a:Action s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete</a:Action>'
        f"<a:MessageID>uuid:0</a:MessageID>{size}</s:Header><s:Body/></s:Envelope>"
    )
    assert envelopes.parse_request(request.encode()).max_envelope_size == used
