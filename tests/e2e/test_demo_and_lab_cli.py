"""`hvbpa demo` and `hvbpa lab serve`, each through the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hvbpa.exit_codes import ExitCode
from tests.conftest import Invoke, validate_report
from tests.e2e.conftest import LAB_ENV, free_port_pair


def test_demo_runs_as_designed(cli: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "demo.json"
    result = cli("demo", "-q", "-o", "table", "-o", f"json:{out}")
    assert result.exit_code == ExitCode.OK, result.output
    assert "ran as designed" in result.output
    assert "HV-DR-03" in result.output and "connection refused" in result.output
    report = json.loads(out.read_text("utf-8"))
    validate_report(report)
    statuses = {h["name"]: h["status"] for h in report["hosts"]}
    assert statuses == {"HV-PRI-01": "ok", "HV-REP-01": "ok", "HV-DR-02": "ok", "HV-DR-03": "unreachable"}
    names = {vm["name"] for r in report["results"] for vm in r["vms"]}
    assert any(any("\uac00" <= ch <= "\ud7a3" for ch in name) for name in names), "Korean VM names survive"
    assert any(vm["inferred_from"] for r in report["results"] for vm in r["vms"])
    # The demo reports the scan's real exit code in the document.
    assert report["run"]["exit_code"] == ExitCode.INCOMPLETE
    # Every shipped rule shows at least one finding, on a VM or, for host-level rules, on a host.
    found = {r["rule_id"] for r in report["results"] if r["status"] == "noncompliant"}
    assert found == {r["id"] for r in report["rules"]} and len(found) == 24
    host_level = {r["rule_id"] for r in report["results"] if r["scope"] == "host" and r["status"] == "noncompliant"}
    assert host_level == {"HVR002", "HVR003", "HVR004", "HVR008", "HVR012", "HVR014", "HVX002", "HVX006"}


def _start_lab(*args: str, env: dict[str, str], ignore_sigint: bool = False) -> subprocess.Popen[str]:
    def ignore() -> None:
        # What a shell does to a background job of a non-interactive script.
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    return subprocess.Popen(
        [sys.executable, "-m", "hvbpa", "lab", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        preexec_fn=ignore if ignore_sigint else None,
    )


def _wait_for(path: Path, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while not path.exists() and time.monotonic() < deadline and server.poll() is None:
        time.sleep(0.1)
    assert path.exists(), "lab serve wrote no file"


def test_readme_pairing_lab_serve_hosts_out_then_scan_hosts_file(tmp_path: Path) -> None:
    """README: `hvbpa lab serve --hosts-out hosts.txt` then `hvbpa scan --hosts-file hosts.txt`, as written.

    The demo fleet mixes NTLM over HTTP and Basic over HTTPS with the lab's own CA: each hosts-file
    line carries its host's transport, user and CA. Only the password comes from the environment.
    """
    hosts = tmp_path / "hosts.txt"
    inventory = tmp_path / "inventory.ini"
    env = {**os.environ, "HVBPA_PASSWORD": LAB_ENV["HVBPA_PASSWORD"], "NO_COLOR": "1"}
    env.pop("HVBPA_USERNAME", None)
    server = _start_lab("--hosts-out", str(hosts), "--inventory-out", str(inventory), env=env)
    try:
        _wait_for(inventory, server)
        for source in (["--hosts-file", str(hosts)], ["-i", str(inventory)]):
            scan = subprocess.run(
                [sys.executable, "-m", "hvbpa", "scan", *source, "-q", "-o", "json", "--retries", "0"],
                capture_output=True,
                text=True,
                env=env,
                timeout=60,
            )
            assert scan.returncode == ExitCode.INCOMPLETE, scan.stderr
            report = json.loads(scan.stdout)
            assert {h["target"]: h["status"] for h in report["hosts"]} == {
                "HV-PRI-01": "ok",
                "HV-REP-01": "ok",
                "HV-DR-02": "ok",
                "HV-DR-03": "unreachable",
            }
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=20)
    assert server.returncode == 0, output
    assert "hvbpa lab: ready" in output
    assert not hosts.exists() and not inventory.exists(), "files naming a stopped lab are removed"


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_lab_serve_in_the_background_of_a_script_stops_cleanly(tmp_path: Path, stop: signal.Signals) -> None:
    """Started with SIGINT ignored (`hvbpa lab serve &` in a script), it still stops on SIGINT and SIGTERM."""
    hosts = tmp_path / "hosts.txt"
    server = _start_lab("--hosts-out", str(hosts), env=dict(os.environ), ignore_sigint=True)
    try:
        _wait_for(hosts, server)
        ca = next(word for word in hosts.read_text("utf-8").split() if word.startswith("ca_trust_path="))
        workdir = Path(ca.partition("=")[2]).parents[1]
        assert workdir.is_dir()
        time.sleep(0.3)
        server.send_signal(stop)
        output, _ = server.communicate(timeout=20)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert server.returncode == 0, output
    assert "stopping" in output
    assert not workdir.exists(), "the lab's temporary folder and keys are removed"


def test_lab_serve_bind_address_and_first_port(tmp_path: Path) -> None:
    hosts = tmp_path / "hosts.txt"
    first = free_port_pair()
    server = _start_lab(
        "healthy", "--hosts-out", str(hosts), "--address", "127.0.0.1", "--port", str(first), env=dict(os.environ)
    )
    try:
        _wait_for(hosts, server)
        urls = [line.split()[0] for line in hosts.read_text("utf-8").splitlines() if not line.startswith("#")]
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=20)
    assert urls == [f"http://127.0.0.1:{first}/wsman", f"http://127.0.0.1:{first + 1}/wsman"]


def test_lab_serve_output_in_a_missing_folder_fails_before_starting(cli: Invoke, tmp_path: Path) -> None:
    result = cli("lab", "serve", "--hosts-out", str(tmp_path / "no" / "hosts.txt"))
    assert result.exit_code == ExitCode.USAGE
    assert result.output == f"hvbpa: error: {tmp_path / 'no' / 'hosts.txt'}: folder {tmp_path / 'no'} does not exist\n"


def test_lab_serve_unknown_fleet_is_one_line(cli: Invoke) -> None:
    result = cli("lab", "serve", "nonesuch")
    assert result.exit_code == ExitCode.USAGE
    assert result.output.strip() == ("hvbpa: error: nonesuch: no such fleet file (or bundled fleet: demo, healthy)")


def test_lab_serve_help_shows_a_fleet_file_that_loads(cli: Invoke, tmp_path: Path) -> None:
    from hvbpa.lab import load_fleet

    example = Path(__file__).resolve().parents[2] / "src" / "hvbpa" / "lab" / "fleet_example.toml"
    fleet = load_fleet(example)
    assert [h.name for h in fleet.hosts] == ["HV-01", "HV-02", "HV-SLOW", "HV-DOWN"]
    text = example.read_text("utf-8")
    help_text = cli("lab", "serve", "--help").output
    assert all(line.strip() in help_text for line in text.splitlines())
    readme = (example.parent / "README.md").read_text("utf-8")
    assert text in readme, "src/hvbpa/lab/README.md shows the same example"


def test_readme_lab_lines_run_verbatim(tmp_path: Path) -> None:
    """The README's `lab serve` + `scan --hosts-file` block, copied as a reader would, in a script."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    block = readme.split("Or run the lab hosts yourself", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    assert "--hosts-out hosts.txt" in block and "--hosts-file hosts.txt" in block
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "hvbpa").symlink_to(Path(sys.executable).parent / "hvbpa")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HVBPA_")}
    done = subprocess.run(
        ["bash", "-c", block], cwd=tmp_path, env={**env, "NO_COLOR": "1"}, capture_output=True, text=True, timeout=90
    )
    # The demo fleet's third host refuses connections by design: the scan reports it and exits 3,
    # after scanning the NTLM host and the Basic-over-HTTPS host.
    assert "Hosts: 3 of 4 scanned, 1 not scanned" in done.stdout, done.stdout + done.stderr
    assert "HV-REP-01" in done.stdout and "connection refused" in done.stdout
    for _ in range(50):
        if not (tmp_path / "hosts.txt").exists():
            break
        time.sleep(0.1)
    assert not (tmp_path / "hosts.txt").exists(), "the lab stopped and removed its hosts file"


def test_the_demo_fleet_shows_a_finding_for_every_rule(cli: Invoke, tmp_path: Path) -> None:
    """Every shipped rule, BPA's and hvbpa's own, finds something in the demo fleet's hosts."""
    from hvbpa.evaluate import load_rules
    from hvbpa.lab.fleet import demo_fleet_path

    out = tmp_path / "demo.json"
    snapshots = sorted(str(p) for p in demo_fleet_path().parent.glob("*.json"))
    result = cli("evaluate", *snapshots, "-o", f"json:{out}", "-q")
    assert result.exit_code == ExitCode.FINDINGS, result.output
    report = json.loads(out.read_text("utf-8"))
    found = {r["rule_id"] for r in report["results"] if r["status"] == "noncompliant"}
    assert sorted({r.id for r in load_rules()} - found) == []
