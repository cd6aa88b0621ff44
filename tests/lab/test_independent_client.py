"""pypsrp, a WinRM client the lab was not built around, against lab hosts: what a Windows host
serves works, and what a host without it refuses is refused the Windows way, leaking nothing."""

from __future__ import annotations

import pytest

from hvbpa.collect import delivery
from hvbpa.lab import HostConfig

from .conftest import TEST_SCRIPT, StartLab

pypsrp_client = pytest.importorskip("pypsrp.client")
pypsrp_wsman = pytest.importorskip("pypsrp.wsman")
pypsrp_exceptions = pytest.importorskip("pypsrp.exceptions")
pypsrp_powershell = pytest.importorskip("pypsrp.powershell")
pypsrp_shell = pytest.importorskip("pypsrp.shell")

pytestmark = pytest.mark.timeout(60)


def _wsman(host: object) -> object:
    from hvbpa.lab import HostEndpoint

    assert isinstance(host, HostEndpoint)
    return pypsrp_wsman.WSMan(
        host.address, port=host.port, ssl=False, auth="basic", encryption="never",
        username=host.username, password=host.password, operation_timeout=5, connection_timeout=5,
    )  # fmt: skip


def test_plain_commands_and_the_config_get(start_lab: StartLab) -> None:
    lab = start_lab(HostConfig(name="HV-PSRP"))
    wsman = _wsman(lab.host("HV-PSRP"))
    # The WS-Transfer Get of winrm/config, as Windows answers it (pypsrp reads the envelope size so).
    wsman.update_max_payload_size()  # type: ignore[attr-defined]
    assert wsman.max_envelope_size == 500 * 1024  # type: ignore[attr-defined]
    client = pypsrp_client.Client(
        "127.0.0.1", port=lab.host("HV-PSRP").port, ssl=False, auth="basic", encryption="never",
        username="labadmin", password=lab.host("HV-PSRP").password,
    )  # fmt: skip
    stdout, _stderr, rc = client.execute_cmd("echo hello")
    assert (stdout.strip(), rc) == ("hello", 0)
    assert lab.stats()["HV-PSRP"]["open_shells"] == 0


def test_hvbpa_delivery_through_pypsrp(start_lab: StartLab) -> None:
    lab = start_lab(HostConfig(name="HV-PSRP"))
    plan = delivery.plan_delivery(TEST_SCRIPT)
    with pypsrp_shell.WinRS(_wsman(lab.host("HV-PSRP")), codepage=65001) as shell:
        process = pypsrp_shell.Process(shell, plan.command, list(plan.arguments), no_shell=True)
        process.invoke()
        process.signal(pypsrp_shell.SignalCode.CTRL_C)
    assert process.rc == 0
    assert '"HV-PSRP"' in delivery.decode_answer(process.stdout)
    assert lab.stats()["HV-PSRP"]["open_shells"] == 0


def test_a_powershell_remoting_shell_is_refused_at_create_and_leaks_nothing(start_lab: StartLab) -> None:
    lab = start_lab(HostConfig(name="HV-PSRP"))
    for _ in range(3):
        with (
            pytest.raises(pypsrp_exceptions.WSManFaultError) as caught,
            pypsrp_powershell.RunspacePool(_wsman(lab.host("HV-PSRP"))),
        ):
            pass
        assert caught.value.code == 2150858811
        assert "http://schemas.microsoft.com/powershell/Microsoft.PowerShell" in caught.value.reason
        assert "was not found in the WS-Management catalog" in caught.value.reason
    stats = lab.stats()["HV-PSRP"]
    assert stats["open_shells"] == 0
    assert stats["by_action"] == {"Create": 3}
