"""Scans over Kerberos, end to end: the real CLI in a subprocess, pywinrm, a real MIT KDC and
lab hosts that accept only Kerberos with message encryption."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from hvbpa.exit_codes import ExitCode
from hvbpa.lab import RunningFleet
from hvbpa.lab.kdc import OTHER_HOST, Realm, start_realm
from tests.kerberos.conftest import hvbpa_command, require_faketime


def hosts_file(tmp_path: Path, fleet: RunningFleet, *, address: str = "localhost", user: str | None = None) -> Path:
    lines = []
    for host in fleet.hosts:
        line = f"http://{address}:{host.port}/wsman transport=kerberos name={host.name}"
        lines.append(line + (f" user={user}" if user else ""))
    path = tmp_path / "hosts.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ini_inventory(tmp_path: Path, fleet: RunningFleet, *group_vars: str) -> Path:
    """The fleet's hosts, reached as localhost, with variables for the whole group."""
    lines = ["[hyperv]"]
    lines += [f"{host.name} ansible_host=localhost ansible_port={host.port}" for host in fleet.hosts]
    lines += ["[hyperv:vars]", *group_vars]
    path = tmp_path / "inv.ini"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def scan(env: dict[str, str], *args: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    report = tmp_path / "report.json"
    report.unlink(missing_ok=True)
    done = subprocess.run(
        [*hvbpa_command(), "scan", *args, "-o", f"json:{report}", "-o", "table"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in done.stderr
    loaded: dict[str, Any] = json.loads(report.read_text("utf-8")) if report.exists() else {}
    return done, loaded


def reasons(report: dict[str, Any]) -> list[str]:
    return [host.get("reason") or "" for host in report["hosts"]]


def test_scan_from_a_kinit_ticket_cache_with_no_password_anywhere(
    realm: Realm, kerberos_fleet: RunningFleet, client_env: dict[str, str], tmp_path: Path
) -> None:
    realm.kinit(client_env["KRB5CCNAME"])
    done, report = scan(client_env, "--hosts-file", str(hosts_file(tmp_path, kerberos_fleet)), tmp_path=tmp_path)
    assert done.returncode == ExitCode.OK, done.stderr
    assert [h["status"] for h in report["hosts"]] == ["ok", "ok"]
    for stats in kerberos_fleet.stats().values():
        # Authentication rides on the first request: the same 4 WS-Man requests as any transport.
        assert stats["by_action"] == {"Create": 1, "Command": 1, "Receive": 1, "Delete": 1}
        assert stats["auth_challenges"] == 0


def test_scan_from_username_and_password_gets_its_own_ticket_and_leaves_none_behind(
    realm: Realm, kerberos_fleet: RunningFleet, client_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**client_env, "HVBPA_USERNAME": realm.principal, "HVBPA_PASSWORD": realm.password}
    done, report = scan(env, "--hosts-file", str(hosts_file(tmp_path, kerberos_fleet)), tmp_path=tmp_path)
    assert done.returncode == ExitCode.OK, done.stderr
    assert [h["status"] for h in report["hosts"]] == ["ok", "ok"]
    # The ticket stayed in the scanning processes' memory: the user's cache was never written.
    assert not Path(client_env["KRB5CCNAME"].removeprefix("FILE:")).exists()
    everything = done.stdout + done.stderr + json.dumps(report)
    assert realm.password not in everything


def test_a_lower_case_realm_in_the_user_name_is_the_domain_s_realm(
    realm: Realm, kerberos_fleet: RunningFleet, client_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**client_env, "HVBPA_USERNAME": realm.principal.lower(), "HVBPA_PASSWORD": realm.password}
    done, _ = scan(env, "--hosts-file", str(hosts_file(tmp_path, kerberos_fleet)), tmp_path=tmp_path)
    assert done.returncode == ExitCode.OK, done.stderr


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong-password", "the domain refused the password of hvadmin@HVBPA.TEST"),
        ("unknown-user", "the domain does not know the user nobody@HVBPA.TEST"),
        ("no-ticket", "no Kerberos ticket for hvadmin@HVBPA.TEST in the ticket cache"),
        ("no-ticket-no-user", "no Kerberos ticket: run kinit"),
        ("ip-address", "Kerberos needs the host's name, not an IP address (127.0.0.1)"),
        ("other-realm", "no KDC is known for realm OTHER.TEST"),
        ("expired", "the Kerberos ticket has expired"),
    ],
)
def test_each_failure_is_one_sentence_and_exit_3(
    case: str, expected: str, realm: Realm, kerberos_fleet: RunningFleet, client_env: dict[str, str], tmp_path: Path
) -> None:
    env = dict(client_env)
    address = "localhost"
    user: str | None = realm.principal
    if case == "wrong-password":
        env["HVBPA_PASSWORD"] = "not-the-password"
    elif case == "unknown-user":
        user, env["HVBPA_PASSWORD"] = "nobody@HVBPA.TEST", "whatever"
    elif case == "no-ticket-no-user":
        user = None
    elif case == "ip-address":
        address = "127.0.0.1"
        realm.kinit(env["KRB5CCNAME"])
    elif case == "other-realm":
        user, env["HVBPA_PASSWORD"] = "hvadmin@other.test", realm.password
    elif case == "expired":
        user = "shortlife@HVBPA.TEST"
        realm.kinit(env["KRB5CCNAME"], principal=user, password="Short-Passw0rd!")
        time.sleep(4)
    done, report = scan(
        env, "--hosts-file", str(hosts_file(tmp_path, kerberos_fleet, address=address, user=user)), tmp_path=tmp_path
    )
    assert done.returncode == ExitCode.INCOMPLETE, done.stderr
    assert all(expected in reason for reason in reasons(report)), reasons(report)
    assert all(host["status"] == "auth_failed" for host in report["hosts"])
    assert expected in done.stdout


def test_a_wrong_password_is_tried_once_per_scanning_process_not_once_per_host(
    realm: Realm, kerberos_fleet: RunningFleet, client_env: dict[str, str], tmp_path: Path
) -> None:
    log = realm.folder / "kdc.log"
    before = log.read_text(errors="replace").count("PREAUTH_FAILED")
    env = {**client_env, "HVBPA_USERNAME": realm.principal, "HVBPA_PASSWORD": "not-the-password"}
    done, _ = scan(env, "--hosts-file", str(hosts_file(tmp_path, kerberos_fleet)), "--jobs", "1", tmp_path=tmp_path)
    assert done.returncode == ExitCode.INCOMPLETE
    # Domains lock accounts out after a few failures: two hosts, one attempt.
    assert log.read_text(errors="replace").count("PREAUTH_FAILED") - before == 1


def test_a_realm_less_domain_user_name_is_refused_before_any_host(
    kerberos_fleet: RunningFleet, client_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**client_env, "HVBPA_USERNAME": "HVBPA\\hvadmin", "HVBPA_PASSWORD": "x"}
    done, report = scan(env, "--hosts-file", str(hosts_file(tmp_path, kerberos_fleet)), tmp_path=tmp_path)
    assert done.returncode == ExitCode.USAGE
    # No host was asked; the JSON report says the run failed, and why (a scheduled run's marker).
    assert (report["hosts"], report["results"], report["run"]["exit_code"]) == ([], [], ExitCode.USAGE)
    (line,) = done.stderr.strip().splitlines()
    assert "names no realm" in line and "user@YOUR.DOMAIN" in line
    assert "names no realm" in report["run"]["error"]


def test_kdc_unreachable(
    realm: Realm, kerberos_fleet: RunningFleet, client_env: dict[str, str], tmp_path: Path
) -> None:
    conf = tmp_path / "krb5.conf"
    # A port nothing listens on: the realm's own KDC, moved.
    conf.write_text(realm.krb5_conf.read_text().replace(f":{realm.port}", ":9"), encoding="utf-8")
    env = {**client_env, "KRB5_CONFIG": str(conf), "HVBPA_USERNAME": realm.principal, "HVBPA_PASSWORD": "x"}
    done, report = scan(env, "--hosts-file", str(hosts_file(tmp_path, kerberos_fleet)), tmp_path=tmp_path)
    assert done.returncode == ExitCode.INCOMPLETE
    assert all("no Kerberos domain controller (KDC) answers for realm HVBPA.TEST" in r for r in reasons(report))


def test_a_clock_skewed_past_the_realm_s_limit(client_env: dict[str, str], tmp_path: Path) -> None:
    library = require_faketime()
    # The domain controller's clock is 10 minutes ahead of this machine's (the limit is 5).
    with start_realm(kdc_env={"LD_PRELOAD": str(library), "FAKETIME": "+600"}) as skewed:
        from hvbpa.lab import HostConfig, build_fleet, start_fleet

        host = HostConfig(name="HV-K1", transport="kerberos", keytab=skewed.keytab, username=skewed.principal)
        with start_fleet(build_fleet([host]), processes=False) as fleet:
            env = {**client_env, **skewed.env(client_env["KRB5CCNAME"])}
            env.update(HVBPA_USERNAME=skewed.principal, HVBPA_PASSWORD=skewed.password)
            done, report = scan(env, "--hosts-file", str(hosts_file(tmp_path, fleet)), tmp_path=tmp_path)
    assert done.returncode == ExitCode.INCOMPLETE
    assert "this machine's clock and the domain's differ by more than Kerberos allows" in reasons(report)[0]


@pytest.mark.parametrize("offset", ["+600", "+39600"], ids=["skewed-10-minutes", "ticket-expired-for-the-host"])
def test_the_lab_host_refuses_what_windows_refuses(
    offset: str, realm: Realm, client_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host whose clock is 10 minutes ahead sees a skewed authenticator; 11 hours ahead, an
    expired ticket (the realm's tickets live 10 hours). Either way: HTTP 401, as Windows answers."""
    library = require_faketime()
    from hvbpa.lab import HostConfig, build_fleet, start_fleet

    monkeypatch.setenv("LD_PRELOAD", str(library))
    monkeypatch.setenv("FAKETIME", offset)
    host = HostConfig(name="HV-K1", transport="kerberos", keytab=realm.keytab, username=realm.principal)
    fleet = start_fleet(build_fleet([host]), processes=True, workers=1)
    monkeypatch.delenv("LD_PRELOAD")
    try:
        realm.kinit(client_env["KRB5CCNAME"])
        done, report = scan(client_env, "--hosts-file", str(hosts_file(tmp_path, fleet)), tmp_path=tmp_path)
    finally:
        fleet.stop()
    assert done.returncode == ExitCode.INCOMPLETE
    assert "the host refused the Kerberos ticket for HTTP/localhost (HTTP 401)" in reasons(report)[0]


def test_a_ticket_for_another_host_s_principal_is_refused_by_the_host(
    realm: Realm, kerberos_fleet: RunningFleet, client_env: dict[str, str], tmp_path: Path
) -> None:
    realm.kinit(client_env["KRB5CCNAME"])
    inventory = ini_inventory(
        tmp_path,
        kerberos_fleet,
        "ansible_winrm_scheme=http",
        "ansible_winrm_transport=kerberos",
        f"ansible_user={realm.principal}",
        f"ansible_winrm_kerberos_hostname_override={OTHER_HOST}",
    )
    done, report = scan(client_env, "-i", str(inventory), tmp_path=tmp_path)
    assert done.returncode == ExitCode.INCOMPLETE
    assert all(f"refused the Kerberos ticket for HTTP/{OTHER_HOST}" in r for r in reasons(report))


def test_an_spn_the_domain_lacks_is_named(
    realm: Realm, kerberos_fleet: RunningFleet, client_env: dict[str, str], tmp_path: Path
) -> None:
    realm.kinit(client_env["KRB5CCNAME"])
    inventory = tmp_path / "inv.yml"
    hosts = {
        h.name: {
            "ansible_host": "localhost",
            "ansible_port": h.port,
            "ansible_winrm_kerberos_hostname_override": "nosuch.hvbpa.test",
        }
        for h in kerberos_fleet.hosts
    }
    inventory.write_text(
        json.dumps(
            {
                "all": {
                    "hosts": hosts,
                    "vars": {"ansible_winrm_transport": "kerberos", "ansible_winrm_scheme": "http"},
                }
            }
        ),
        encoding="utf-8",
    )
    done, report = scan(client_env, "-i", str(inventory), tmp_path=tmp_path)
    assert done.returncode == ExitCode.INCOMPLETE
    assert all("the domain has no service principal HTTP/nosuch.hvbpa.test" in r for r in reasons(report))


def test_inventory_kerberos_variables_hvbpa_cannot_honour_are_named_in_one_warning(
    realm: Realm, kerberos_fleet: RunningFleet, client_env: dict[str, str], tmp_path: Path
) -> None:
    realm.kinit(client_env["KRB5CCNAME"])
    inventory = ini_inventory(
        tmp_path,
        kerberos_fleet,
        "ansible_winrm_transport=kerberos",
        "ansible_winrm_scheme=http",
        "ansible_winrm_kinit_cmd=/usr/bin/kinit",
        "ansible_winrm_realm=HVBPA.TEST",
        "ansible_winrm_kinit_mode=manual",
        f"ansible_user={realm.principal}",
        "ansible_password=ignored-in-manual-mode",
    )
    done, _ = scan(client_env, "-i", str(inventory), tmp_path=tmp_path)
    # kinit_mode=manual: the ticket cache is used and the inventory's (wrong) password is not.
    assert done.returncode == ExitCode.OK, done.stdout + done.stderr
    warnings = [line for line in done.stderr.splitlines() if "not honoured" in line]
    assert len(warnings) == 1
    assert "ansible_winrm_kinit_cmd, ansible_winrm_realm" in warnings[0]


def test_lab_serve_kerberos_prints_what_a_client_needs(tmp_path: Path, realm: Realm) -> None:
    del realm  # only for the skip: lab serve starts a realm of its own
    hosts = tmp_path / "hosts.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HVBPA_", "KRB5"))}
    server = subprocess.Popen(
        [*hvbpa_command(), "lab", "serve", "healthy", "--kerberos", "--hosts-out", str(hosts)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        printed = []
        for line in server.stdout:
            printed.append(line)
            if line.startswith("hvbpa lab: ready"):
                break
        text = "".join(printed)
        conf = next(line.split("=", 1)[1].strip() for line in printed if "export KRB5_CONFIG=" in line)
        password = text.split("password ", 1)[1].split()[0]
        assert "user hvadmin@HVBPA.TEST" in text
        client = {**env, "KRB5_CONFIG": conf, "KRB5CCNAME": f"FILE:{tmp_path}/cc"}
        client.update(HVBPA_USERNAME="hvadmin@HVBPA.TEST", HVBPA_PASSWORD=password)
        done, report = scan(client, "--hosts-file", str(hosts), tmp_path=tmp_path)
        assert done.returncode == ExitCode.OK, done.stdout + done.stderr
        assert len(report["hosts"]) == 2
    finally:
        server.terminate()
        server.wait(timeout=30)
