"""Fleet fault knobs, each seen through pywinrm."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests
from winrm.exceptions import WSManFaultError

from hvbpa.collect import delivery
from hvbpa.lab import CommandFault, HostConfig

from .conftest import StartLab, protocol, run_collection

pytestmark = pytest.mark.timeout(60)


def test_refuse_means_nothing_listens(start_lab: StartLab) -> None:
    host = start_lab(HostConfig(name="HV-DOWN", refuse=True)).host("HV-DOWN")
    assert host.refuses and host.port > 0
    with pytest.raises(requests.exceptions.ConnectionError):
        protocol(host).open_shell()


def test_hang_times_out_the_client_and_does_not_block_shutdown(start_lab: StartLab) -> None:
    lab = start_lab(HostConfig(name="HV-HANG", hang=True))
    with pytest.raises(requests.exceptions.ReadTimeout):
        protocol(lab.host("HV-HANG"), operation_timeout_sec=1, read_timeout_sec=2).open_shell()
    assert lab.request_counts() == {"HV-HANG": 1}
    started = time.monotonic()
    lab.stop()
    assert time.monotonic() - started < 3


def test_latency_is_added_to_every_request(start_lab: StartLab) -> None:
    p = protocol(start_lab(HostConfig(name="HV-SLOW", latency=0.2)).host("HV-SLOW"))
    started = time.monotonic()
    p.close_shell(p.open_shell())
    assert time.monotonic() - started >= 0.4


def test_fault_on_command(start_lab: StartLab) -> None:
    fault = CommandFault(code=2147942405, message="Access is denied. ")
    p = protocol(start_lab(HostConfig(name="HV-FAULT", fault=fault)).host("HV-FAULT"))
    shell_id = p.open_shell()
    with pytest.raises(WSManFaultError) as caught:
        p.run_command(shell_id, "powershell.exe", ["-EncodedCommand", "AA=="])
    assert (caught.value.wsman_fault_code, caught.value.reason) == (2147942405, "Access is denied. ")


def test_non_json_output(start_lab: StartLab) -> None:
    p = protocol(start_lab(HostConfig(name="HV-TEXT", output="non-json")).host("HV-TEXT"))
    output = run_collection(p)
    assert output.exit_code == 0
    with pytest.raises(delivery.AnswerError, match="no snapshot"):
        delivery.decode_answer(output.stdout)


def test_truncated_output(start_lab: StartLab) -> None:
    p = protocol(start_lab(HostConfig(name="HV-CUT", output="truncated")).host("HV-CUT"))
    with pytest.raises(delivery.AnswerError, match="damaged or truncated"):
        delivery.decode_answer(run_collection(p).stdout)


def test_clixml_error_exit(start_lab: StartLab) -> None:
    p = protocol(start_lab(HostConfig(name="HV-DENY", output="clixml-error")).host("HV-DENY"))
    output = run_collection(p)
    assert output.exit_code == 1
    assert output.stdout == b""
    assert output.stderr.startswith(b"#< CLIXML\r\n<Objs ")
    assert b"PermissionDenied" in output.stderr


def test_raw_output_is_replayed_byte_for_byte(start_lab: StartLab, tmp_path: Path) -> None:
    capture = tmp_path / "capture.bin"
    capture.write_bytes(b'\xef\xbb\xbf{"schema": "hvbpa.snapshot/1"}\r\n\xff')
    p = protocol(start_lab(HostConfig(name="HV-RAW", raw_output=capture)).host("HV-RAW"))
    assert run_collection(p, codepage=437).stdout == capture.read_bytes()


def test_collect_script_override_is_what_is_recognised(start_lab: StartLab) -> None:
    lab = start_lab(HostConfig(name="HV-LAB-01"), script_text="Write-Output 'other'")
    output = run_collection(protocol(lab.host("HV-LAB-01")))
    assert output.exit_code == 1
    assert b"not recognized" in output.stderr


def test_stats_endpoint_counts_requests(start_lab: StartLab) -> None:
    lab = start_lab(HostConfig(name="HV-LAB-01"), HostConfig(name="HV-LAB-02", transport="ntlm"))
    for name in ("HV-LAB-01", "HV-LAB-02"):
        run_collection(protocol(lab.host(name)))
    # Create, Command, Receive, Signal, Delete; NTLM adds its 3-request handshake.
    assert lab.request_counts() == {"HV-LAB-01": 5, "HV-LAB-02": 8}
    host = lab.host("HV-LAB-02")
    stats = requests.get(f"http://{host.address}:{host.port}/lab/stats", timeout=5).json()
    assert stats["requests"] == 8
    assert stats["open_shells"] == 0
    assert stats["by_action"]["Receive"] == 1
    assert json.dumps(stats)


def test_replay_files_are_checked_whatever_they_hold() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from hvbpa.lab.replay import ReplayError, replay_steps

    scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
    steps = st.fixed_dictionaries(
        {}, optional={"action": st.sampled_from(["Create", "Receive", "Nope", ""]) | scalars,
                      "response": st.sampled_from(["<s:Envelope/>", "<s:Fault>", ""]) | scalars,
                      "status": st.sampled_from([200, 500, 99, True]) | scalars, "extra": scalars},
    )  # fmt: skip
    documents = scalars | st.dictionaries(st.sampled_from(["steps", "what"]), st.lists(steps | scalars, max_size=3))

    @settings(max_examples=200, deadline=None)
    @given(documents)
    def check(document: object) -> None:
        try:
            loaded = replay_steps(document, "f.yml")
        except ReplayError as exc:
            assert str(exc).startswith("f.yml: ") and "\n" not in str(exc)
        else:
            assert loaded and all(200 <= step.status <= 599 and step.response for step in loaded)

    check()
