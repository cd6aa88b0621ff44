"""ansible_password in an inventory: a plain value logs its host on (never printed); a vaulted or
templated one is a one-line error pointing to HVBPA_PASSWORD or the keyring."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hvbpa.exit_codes import ExitCode
from hvbpa.lab import HostConfig, RunningFleet
from hvbpa.snapshot.synthetic import host_snapshot_json
from hvbpa.targets import read_inventory
from tests.conftest import Invoke

StartFleet = Callable[..., RunningFleet]
VAULT = """!vault |
          $ANSIBLE_VAULT;1.1;AES256
          62313365396662343061393464336163383764373764613633653634306231386433626436623361
          6134333665353966363534333632666535333761666131620a663537646436643839616165336130"""


def _fleet(lab_fleet: StartFleet) -> RunningFleet:
    return lab_fleet(
        # The lab's NTLM accounts are per user name, so each host gets its own user.
        HostConfig(
            "HV-A",
            transport="ntlm",
            username="opsa",
            password="Lab-A-Passw0rd!",
            snapshot_text=host_snapshot_json("HV-A", 2),
        ),
        HostConfig(
            "HV-B",
            transport="ntlm",
            username="opsb",
            password="Lab-B-Passw0rd!",
            snapshot_text=host_snapshot_json("HV-B", 2),
        ),
    )


def test_plain_inventory_passwords_log_each_host_on_and_are_never_printed(
    cli: Invoke, lab_fleet: StartFleet, tmp_path: Path
) -> None:
    running = _fleet(lab_fleet)
    inventory = tmp_path / "inv.yml"
    inventory.write_text(
        "all:\n  hosts:\n"
        + "".join(
            f"    {h.name}:\n      ansible_host: 127.0.0.1\n      ansible_port: {h.port}\n"
            f"      ansible_winrm_scheme: http\n      ansible_user: {h.username}\n"
            f"      ansible_password: {h.password}\n"
            for h in running.hosts
        ),
        "utf-8",
    )
    assert "Lab-A" not in repr(read_inventory(inventory))
    result = cli("scan", "-i", str(inventory), "-q", "-o", "json", env={"HVBPA_PASSWORD": ""})
    assert result.exit_code in (ExitCode.OK, ExitCode.FINDINGS), result.output
    assert "Passw0rd" not in result.output
    # A wrong one fails that host alone, and is not printed either.
    inventory.write_text(inventory.read_text("utf-8").replace("Lab-B-Passw0rd!", "Not-It-42"), "utf-8")
    result = cli("scan", "-i", str(inventory), "-q", "--retries", "0", env={"HVBPA_PASSWORD": ""})
    assert result.exit_code == ExitCode.INCOMPLETE
    assert "rejected the credentials of opsb" in result.output and "Not-It-42" not in result.output


def test_a_vaulted_password_needs_hvbpa_password(cli: Invoke, lab_fleet: StartFleet, tmp_path: Path) -> None:
    running = lab_fleet(HostConfig("HV-V", transport="ntlm", snapshot_text=host_snapshot_json("HV-V", 1)))
    inventory = tmp_path / "inv.yml"
    inventory.write_text(
        f"all:\n  hosts:\n    HV-V:\n      ansible_host: 127.0.0.1\n      ansible_port: {running.hosts[0].port}\n"
        f"      ansible_winrm_scheme: http\n      ansible_user: labadmin\n      ansible_password: {VAULT}\n",
        "utf-8",
    )
    result = cli("scan", "-i", str(inventory), "-q", env={"HVBPA_PASSWORD": ""})
    assert result.exit_code == ExitCode.USAGE
    assert result.output == (
        f"hvbpa: error: {inventory}:8: ansible_password is vault-encrypted, which hvbpa cannot read: set "
        "HVBPA_PASSWORD or store the password in the keyring (service hvbpa, key = user name)\n"
    )
    result = cli("scan", "-i", str(inventory), "-q", "-o", "json", env={"HVBPA_PASSWORD": "Lab-Passw0rd!"})
    assert result.exit_code in (ExitCode.OK, ExitCode.FINDINGS), result.output
