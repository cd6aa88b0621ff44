"""Switches that lower security are never silent, and the transports follow the documented rules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hvbpa.exit_codes import ExitCode
from hvbpa.lab import HostConfig, RunningFleet
from hvbpa.snapshot.synthetic import host_snapshot_json
from tests.conftest import Invoke, validate_report
from tests.e2e.conftest import LAB_ENV, read_report

StartFleet = Callable[..., RunningFleet]


def _inventory(running: RunningFleet, path: Path, ignore: set[str]) -> Path:
    lines = ["[hyperv]"]
    for host in running.hosts:
        fields = [
            host.name, f"ansible_host={host.address}", f"ansible_port={host.port}", "ansible_winrm_transport=basic",
            "ansible_winrm_scheme=https",
        ]  # fmt: skip
        if host.name in ignore:
            fields.append("ansible_winrm_server_cert_validation=ignore")
        else:
            fields.append(f"ansible_winrm_ca_trust_path={host.ca_trust_path}")
        lines.append(" ".join(fields))
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_inventory_that_skips_certificate_checks_warns_and_is_recorded(
    cli: Invoke, lab_fleet: StartFleet, tmp_path: Path
) -> None:
    hosts = [
        HostConfig(name, transport="basic-https", snapshot_text=host_snapshot_json(name, 2))
        for name in ("HV-TRUSTED", "HV-IGNORED")
    ]
    running = lab_fleet(*hosts)
    inventory = _inventory(running, tmp_path / "inv.ini", {"HV-IGNORED"})
    out = tmp_path / "r.json"
    result = cli("scan", "-i", str(inventory), "-q", "-o", f"json:{out}", env=LAB_ENV)
    assert result.exit_code in (ExitCode.OK, ExitCode.FINDINGS), result.output
    warnings = [line for line in result.output.splitlines() if "WARNING" in line]
    assert len(warnings) == 1 and "HV-IGNORED" in warnings[0] and "HV-TRUSTED" not in warnings[0]
    assert "certificate validation is OFF" in warnings[0]
    # The warning says where the setting came from: the inventory file and its host.
    assert "inv.ini" in warnings[0] and "hosts file or inventory" in warnings[0]
    assert "ansible_winrm_server_cert_validation=ignore" in warnings[0]  # the variable as the inventory names it
    report = read_report(out)
    validate_report(report)
    assert report["run"]["tls_unverified_hosts"] == ["HV-IGNORED"]
    assert {h["status"] for h in report["hosts"]} == {"ok"}
    # A merged report keeps the record.
    merged = tmp_path / "merged.json"
    assert cli("report", "merge", str(out), "-q", "-o", f"json:{merged}").exit_code in (0, 1)
    assert read_report(merged)["run"]["tls_unverified_hosts"] == ["HV-IGNORED"]


def test_the_command_line_switch_is_recorded_too(cli: Invoke, lab_fleet: StartFleet, tmp_path: Path) -> None:
    running = lab_fleet(HostConfig("HV-TLS", transport="basic-https", snapshot_text=host_snapshot_json("HV-TLS", 1)))
    out = tmp_path / "r.json"
    target = f"127.0.0.1:{running.hosts[0].port}"
    result = cli(
        "scan", target, "-q", "--transport", "basic", "--insecure-skip-tls-verify", "-o", f"json:{out}", env=LAB_ENV
    )
    assert result.exit_code in (ExitCode.OK, ExitCode.FINDINGS), result.output
    assert "WARNING: TLS certificate validation is OFF (--insecure-skip-tls-verify)" in result.output
    assert read_report(out)["run"]["tls_unverified_hosts"] == [target]


@pytest.mark.parametrize("allow", [[], ["--allow-unencrypted"]])
def test_certificate_over_http_is_refused_even_with_allow_unencrypted(
    cli: Invoke, tmp_path: Path, allow: list[str]
) -> None:
    pem = tmp_path / "c.pem"
    pem.write_text("x", "utf-8")
    result = cli(
        "scan", "hv01", "--transport", "certificate", "--scheme", "http", "--cert-pem", str(pem), "--cert-key-pem",
        str(pem), *allow,
    )  # fmt: skip
    assert result.exit_code == ExitCode.USAGE
    assert "certificate authentication needs https" in result.output


def test_basic_over_http_needs_allow_unencrypted_also_from_an_inventory(cli: Invoke, tmp_path: Path) -> None:
    result = cli("scan", "hv01", "--transport", "basic", "--scheme", "http", env=LAB_ENV)
    assert result.exit_code == ExitCode.USAGE and "--allow-unencrypted" in result.output
    inventory = tmp_path / "inv.ini"
    inventory.write_text("hv02 ansible_winrm_transport=basic ansible_winrm_scheme=http\n", "utf-8")
    result = cli("scan", "-i", str(inventory), env=LAB_ENV)
    assert result.exit_code == ExitCode.USAGE and "hv02" in result.output and "clear text" in result.output


def test_a_password_basic_cannot_send_is_refused_before_any_connection(cli: Invoke, lab_fleet: StartFleet) -> None:
    running = lab_fleet(HostConfig("HV-B"))
    target = f"127.0.0.1:{running.hosts[0].port}"
    env = {**LAB_ENV, "HVBPA_PASSWORD": "비밀번호-Passw0rd"}
    result = cli("scan", target, "--transport", "basic", "--scheme", "http", "--allow-unencrypted", env=env)
    assert result.exit_code == ExitCode.USAGE
    assert "Latin-1" in result.output and "비밀번호" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert running.stats()["HV-B"].get("requests", 0) == 0, running.stats()


@pytest.mark.parametrize(
    "target", ["https://admin:s3cr3t-pw@hv01:5986/wsman?x=1", "admin:s3cr3t-pw@hv01", "https://admin:s3cr3t-pw@hv01"]
)
def test_a_password_in_a_target_is_never_echoed(cli: Invoke, target: str, tmp_path: Path) -> None:
    hosts = tmp_path / "hosts.txt"
    hosts.write_text(target + "\n", "utf-8")
    inventory = tmp_path / "inv.ini"
    inventory.write_text(f"hv01 ansible_host={target}\n", "utf-8")
    labelled = tmp_path / "inv.yml"  # the inventory name itself, a label with ansible_host beside it
    label = target.rpartition(":")[2]  # "s3cr3t-pw@hv01" or a part of a URL: a name of its own
    labelled.write_text(f'all:\n  hosts:\n    "{label}":\n      ansible_host: 10.0.0.1\n', "utf-8")
    commands = (["scan", target], ["scan", "--hosts-file", str(hosts)], ["scan", "-i", str(inventory)])
    for args in (*commands, ["scan", "-i", str(labelled), "--transport", "basic", "--scheme", "http"]):
        result = cli(*args, env=LAB_ENV)
        assert result.exit_code == ExitCode.USAGE, (args, result.output)
        assert "s3cr3t" not in result.output, result.output
