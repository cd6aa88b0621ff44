"""`python.exe -m hvbpa` on Windows' CPython (under Wine) against lab hosts served by this process."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path, PureWindowsPath
from typing import Any

import pytest

from hvbpa.exit_codes import ExitCode
from hvbpa.lab import DEFAULT_PASSWORD, HostConfig, RunningFleet, demo_fleet_path
from hvbpa.snapshot.synthetic import host_snapshot_json
from tests.windows.conftest import WindowsPython, windows_path

pytestmark = pytest.mark.timeout(240)

StartFleet = Callable[..., RunningFleet]
LAB_ENV = {"HVBPA_USERNAME": "labadmin", "HVBPA_PASSWORD": DEFAULT_PASSWORD}
DEMO = demo_fleet_path().parent
# VM names of the demo's primary host, as a Korean admin names them.
KOREAN = ("데이터베이스", "웹서버-01")


def _text(data: bytes) -> str:
    """What a Windows program wrote, read strictly: hvbpa's output is UTF-8 whatever the code page."""
    return data.decode("utf-8")


def _no_traceback(done: subprocess.CompletedProcess[bytes]) -> None:
    stderr = done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr


Folder = tuple[Path, PureWindowsPath]


def _copy(source: str | None, folder: Folder, name: str) -> str:
    assert source is not None
    (folder[0] / name).write_bytes(Path(source).read_bytes())
    return str(folder[1] / name)


def _korean_fleet(lab_fleet: StartFleet) -> RunningFleet:
    # NTLM with message encryption (pyspnego through Windows' SSPI, sspilib) and Basic over HTTPS.
    return lab_fleet(
        HostConfig("HV-PRI-01", transport="ntlm", snapshot=DEMO / "hv-pri-01.json"),
        HostConfig("HV-REP-01", transport="basic-https", snapshot=DEMO / "hv-rep-01.json"),
    )


def _hosts_line(host: Any, **paths: str) -> str:
    fields = [host.endpoint, f"name={host.name}"]
    fields += [f"{key}='{value}'" for key, value in paths.items()]
    return " ".join(fields)


def test_reports_with_korean_names_to_a_pipe_and_to_files(
    windows: WindowsPython, lab_fleet: StartFleet, profile_folder: Folder
) -> None:
    running = _korean_fleet(lab_fleet)
    folder = profile_folder
    ntlm, https = running.hosts
    ca = _copy(https.ca_trust_path, folder, "lab ca.pem")
    hosts = folder[0] / "hosts.txt"
    hosts.write_text(
        "# a Windows admin's hosts file: backslashes, and a space in the CA's path\r\n"
        f"{_hosts_line(ntlm)} transport=ntlm user=labadmin\r\n"
        f"{_hosts_line(https, ca_trust_path=ca)} transport=basic user=labadmin\r\n",
        encoding="utf-8",
    )
    reports = {fmt: folder[1] / f"report.{fmt}" for fmt in ("json", "sarif", "junit", "csv", "table")}
    outputs = [arg for fmt, path in reports.items() for arg in ("-o", f"{fmt}:{path}")]
    done = windows.run(
        windows.hvbpa("scan", "--hosts-file", str(folder[1] / "hosts.txt"), "-o", "table", *outputs),
        env={"HVBPA_PASSWORD": DEFAULT_PASSWORD},
    )
    _no_traceback(done)
    assert done.returncode == ExitCode.FINDINGS, done.stderr.decode("utf-8", "replace")
    # The table to a pipe: UTF-8 with box drawing and Korean, where cp1252 (Wine's ANSI code page,
    # as an English Windows') can encode neither.
    table = _text(done.stdout)
    assert "┌" in table and all(name in table for name in KOREAN), table[:2000]
    files = {fmt: folder[0] / path.name for fmt, path in reports.items()}
    # The table to a file is the table on stdout.
    assert _text(files["table"].read_bytes()).replace("\r\n", "\n") == table.replace("\r\n", "\n")
    report = json.loads(_text(files["json"].read_bytes()))
    assert sorted((h["name"], h["status"]) for h in report["hosts"]) == [("HV-PRI-01", "ok"), ("HV-REP-01", "ok")]
    assert report["run"]["exit_code"] == ExitCode.FINDINGS
    names = {vm["name"] for result in report["results"] for vm in result["vms"]}
    assert set(KOREAN) <= names, names
    sarif = json.loads(_text(files["sarif"].read_bytes()))
    located = json.dumps(sarif, ensure_ascii=False)
    assert all(name in located for name in KOREAN)
    assert sarif["runs"][0]["results"], "no SARIF results"
    junit = ET.fromstring(files["junit"].read_bytes())  # noqa: S314 - our own output
    assert all(name in ET.tostring(junit, encoding="unicode") for name in KOREAN)
    rows = list(csv.DictReader(io.StringIO(_text(files["csv"].read_bytes()).lstrip("\ufeff"))))
    assert set(KOREAN) <= {row["vm_name"] for row in rows}, rows[:3]


def test_table_redirected_to_a_file_by_cmd(
    windows: WindowsPython, lab_fleet: StartFleet, profile_folder: Folder
) -> None:
    """``hvbpa scan ... > scan.txt`` at a cmd prompt or in a scheduled task's action: stdout is a
    Windows file handle, not a console and not a pipe, and its code page cannot encode the table."""
    running = _korean_fleet(lab_fleet)
    ntlm = running.hosts[0]
    folder = profile_folder
    script = folder[0] / "scan.cmd"
    script.write_bytes(
        (
            "@echo off\r\n"
            f'"{windows.python_name}" -m hvbpa scan {ntlm.address}:{ntlm.port} '
            f'-o table > "{folder[1]}\\scan.txt" 2> "{folder[1]}\\scan.err"\r\n'
            "echo exit %ERRORLEVEL%\r\n"
        ).encode("ascii")
    )
    done = windows.run(windows.cmd(folder[1] / "scan.cmd"), env=LAB_ENV)
    assert b"exit 1" in done.stdout, (done.stdout, done.stderr, (folder[0] / "scan.err").read_bytes())
    table = _text((folder[0] / "scan.txt").read_bytes())
    assert "┌" in table and all(name in table for name in KOREAN), table[:2000]
    assert (folder[0] / "scan.err").read_bytes() == b""


def test_client_certificate_from_a_path_with_a_space(
    windows: WindowsPython, lab_fleet: StartFleet, profile_folder: Folder
) -> None:
    running = lab_fleet(
        HostConfig("HV-CERT", transport="certificate-https", snapshot_text=host_snapshot_json("HV-CERT", 3))
    )
    (host,) = running.hosts
    folder = profile_folder
    paths = {
        "ca_trust_path": _copy(host.ca_trust_path, folder, "lab ca.pem"),
        "cert_pem": _copy(host.client_cert_pem, folder, "labadmin cert.pem"),
        "cert_key_pem": _copy(host.client_key_pem, folder, "labadmin key.pem"),
    }
    assert all("\\Some One\\" in path for path in paths.values())
    (folder[0] / "hosts.txt").write_text(f"{_hosts_line(host, **paths)} transport=certificate\n", encoding="utf-8")
    json_path = folder[1] / "report.json"
    # No password anywhere: the certificate authenticates.
    done = windows.run(
        windows.hvbpa("scan", "--hosts-file", str(folder[1] / "hosts.txt"), "-q", "-o", f"json:{json_path}")
    )
    _no_traceback(done)
    report = json.loads((folder[0] / "report.json").read_text("utf-8"))
    (scanned,) = report["hosts"]
    assert scanned["status"] == "ok", scanned["reason"]
    assert done.returncode in (ExitCode.OK, ExitCode.FINDINGS)
    assert running.stats()["HV-CERT"]["auth_challenges"] == 0


def test_workers_are_spawned_processes(windows: WindowsPython, lab_fleet: StartFleet, tmp_path: Path) -> None:
    """Windows has only ``spawn``: each worker is a fresh python.exe that imports hvbpa again and
    gets the targets and settings pickled."""
    probe = windows.run(windows.command("-c", "import multiprocessing as m; print(m.get_all_start_methods())"))
    assert _text(probe.stdout).strip() == "['spawn']"
    names = [f"HV-{n:02d}" for n in range(6)]
    running = lab_fleet(*(HostConfig(name, snapshot_text=host_snapshot_json(name, 2)) for name in names))
    out = tmp_path / "report.json"
    done = windows.run(
        windows.hvbpa(
            "scan", *(f"{h.address}:{h.port}" for h in running.hosts), "--transport", "basic", "--scheme", "http",
            "--allow-unencrypted", "--processes", "2", "-j", "6", "-q", "-o", f"json:{windows_path(out)}",
        ),
        env=LAB_ENV,
    )  # fmt: skip
    _no_traceback(done)
    report = json.loads(out.read_text("utf-8"))
    assert sorted(h["name"] for h in report["hosts"] if h["status"] == "ok") == names, report["hosts"]
    assert done.returncode in (ExitCode.OK, ExitCode.FINDINGS)


def _interruptible_fleet(lab_fleet: StartFleet) -> RunningFleet:
    return lab_fleet(
        HostConfig("FAST", snapshot_text=host_snapshot_json("FAST", 2, mix=False)),
        HostConfig("SLOW", slow_command=600.0),
    )


def _wait_for_slow_shell(running: RunningFleet, scan: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        stats = running.stats()
        fast_done = stats["FAST"].get("requests", 0) >= 4 and stats["FAST"].get("open_shells", 0) == 0
        if fast_done and stats["SLOW"].get("open_shells", 0) == 1:
            return
        if scan.poll() is not None:
            break
        time.sleep(0.1)
    scan.kill()
    raise AssertionError(f"the slow host never started its command: {scan.communicate()}")


# A stop key the test cannot press as a console would is raised in the scan through the C
# runtime once the test says go: the same Python handler the console's key runs.
RAISE_LAUNCHER = """
import os, signal, sys, threading, time
go, name = sys.argv.pop(1), sys.argv.pop(1)
def wait_then_raise():
    while not os.path.exists(go):
        time.sleep(0.05)
    signal.raise_signal(getattr(signal, name))
threading.Thread(target=wait_then_raise, daemon=True).start()
from hvbpa.cli import run
run()
"""


def _delivered_by_console(key: str, wine: bool) -> bool:
    # Under Wine, SIGINT to the process becomes the console's CTRL_C_EVENT; Wine 8's
    # GenerateConsoleCtrlEvent refuses CTRL_BREAK_EVENT (ERROR_INVALID_HANDLE, with or without a
    # console), so Ctrl-Break is raised. On Windows, CTRL_BREAK_EVENT goes to the scan's own process
    # group; CTRL_C_EVENT cannot be sent to one group (it reaches the whole console, pytest too).
    return key == ("ctrl-c" if wine else "ctrl-break")


@pytest.mark.parametrize("key", ["ctrl-c", "ctrl-break"])
def test_ctrl_c_and_ctrl_break_stop_a_scan(
    windows: WindowsPython, lab_fleet: StartFleet, tmp_path: Path, key: str
) -> None:
    running = _interruptible_fleet(lab_fleet)
    out = tmp_path / "stopped.json"
    go = tmp_path / "go"
    wine = windows.wine is not None
    console = _delivered_by_console(key, wine)
    signame = "SIGINT" if key == "ctrl-c" else "SIGBREAK"
    launcher = ["-m", "hvbpa"] if console else ["-c", RAISE_LAUNCHER, windows_path(go), signame]
    scan = subprocess.Popen(
        windows.command(
            *launcher, "scan", *(f"{h.address}:{h.port}" for h in running.hosts), "--transport", "basic",
            "--scheme", "http", "--allow-unencrypted", "--operation-timeout", "2s", "-q", "-o",
            f"json:{windows_path(out)}",
        ),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=windows.env(LAB_ENV),
        creationflags=0 if wine else getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0),
    )  # fmt: skip
    _wait_for_slow_shell(running, scan)
    if not console:
        go.touch()
    elif wine:
        scan.send_signal(signal.SIGINT)
    else:
        scan.send_signal(getattr(signal, "CTRL_BREAK_EVENT", 0))
    _, stderr_bytes = scan.communicate(timeout=60)
    stderr = stderr_bytes.decode("utf-8", "replace")
    assert scan.returncode == ExitCode.INTERRUPTED, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr, stderr
    report = json.loads(out.read_text("utf-8"))
    assert [h["status"] for h in report["hosts"] if h.get("name") == "FAST"] == ["ok"], report["hosts"]
    assert sorted(h["status"] for h in report["hosts"]) == ["interrupted", "ok"]
    assert report["run"]["exit_code"] == ExitCode.INTERRUPTED
    # The scan deleted the slow host's shell on its way out.
    assert running.stats()["SLOW"].get("open_shells", 0) == 0, running.stats()


def test_no_console_no_prompt(windows: WindowsPython, lab_fleet: StartFleet) -> None:
    """A scheduled task has no console: no password anywhere is exit 2 with a hint, never a prompt that blocks."""
    running = lab_fleet(HostConfig("HV-01"))
    (host,) = running.hosts
    done = windows.run(windows.hvbpa("scan", f"{host.address}:{host.port}", "-u", "labadmin"), timeout=60)
    _no_traceback(done)
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert "HVBPA_PASSWORD" in done.stderr.decode("utf-8", "replace")


def test_password_from_windows_credential_manager(windows: WindowsPython, lab_fleet: StartFleet) -> None:
    """A scheduled task's account keeps the password in Credential Manager (keyring's Windows
    backend, CredWrite/CredRead); no HVBPA_PASSWORD, no console."""
    # A user of this test's own, so that no other test finds its password in the store.
    user = f"vault-{time.monotonic_ns()}"
    running = lab_fleet(
        HostConfig("HV-01", transport="ntlm", username=user, snapshot_text=host_snapshot_json("HV-01", 2))
    )
    (host,) = running.hosts
    store = windows.run(
        windows.command("-c", f"import keyring; keyring.set_password('hvbpa', {user!r}, {DEFAULT_PASSWORD!r})")
    )
    assert store.returncode == 0, store.stderr
    try:
        done = windows.run(windows.hvbpa("scan", f"{host.address}:{host.port}", "-u", user, "-q", "-o", "json"))
    finally:
        windows.run(windows.command("-c", f"import keyring; keyring.delete_password('hvbpa', {user!r})"))
    _no_traceback(done)
    report = json.loads(_text(done.stdout))
    (scanned,) = report["hosts"]
    assert scanned["status"] == "ok", scanned


def test_the_lab_serves_from_windows_python(windows: WindowsPython, tmp_path: Path) -> None:
    """On a Windows runner the lab hosts run in Windows' CPython: NTLM must be the lab's own
    accounts (pyspnego's NTLM), not the machine's (SSPI)."""
    ready = tmp_path / "hosts.txt"
    lab = subprocess.Popen(
        windows.hvbpa("lab", "serve", "healthy", "--hosts-out", windows_path(ready)),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=windows.env(),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while not ready.exists() and lab.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert ready.exists(), lab.communicate(timeout=5) if lab.poll() is not None else "the lab never got ready"
        out = tmp_path / "report.json"
        done = subprocess.run(
            [sys.executable, "-m", "hvbpa", "scan", "--hosts-file", str(ready), "-q", "-o", f"json:{out}"],
            capture_output=True, text=True, env={**os.environ, **LAB_ENV}, timeout=120, check=False,
        )  # fmt: skip
        report = json.loads(out.read_text("utf-8"))
        # The healthy fleet's hosts speak NTLM.
        assert "transport=ntlm" in ready.read_text("utf-8")
        assert sorted((h["name"], h["status"]) for h in report["hosts"]) == [("HV-PRI-01", "ok"), ("HV-REP-01", "ok")]
        assert done.returncode == ExitCode.OK
    finally:
        lab.send_signal(signal.SIGINT if windows.wine else getattr(signal, "CTRL_BREAK_EVENT", signal.SIGINT))
        try:
            lab.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            lab.kill()
            lab.communicate()
