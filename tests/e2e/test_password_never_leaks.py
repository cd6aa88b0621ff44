"""A scan with a known password, through successes and every kind of failure, never
writes that password (or its Basic encoding) to any output, report or log."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from hvbpa.lab import HostConfig, RunningFleet
from hvbpa.snapshot.synthetic import host_snapshot_json

StartFleet = Callable[..., RunningFleet]
SECRET = "Lab-Passw0rd!"


def test_password_appears_nowhere(lab_fleet: StartFleet, tmp_path: Path) -> None:
    running = lab_fleet(
        HostConfig("OK", snapshot_text=host_snapshot_json("OK", 10)),
        HostConfig("OKNTLM", transport="ntlm", snapshot_text=host_snapshot_json("OKNTLM", 10)),
        HostConfig("DENIED", reject_credentials=True),
        HostConfig("REFUSED", refuse=True),
        HostConfig("BROKEN", output="truncated"),
        HostConfig("ERR", output="clixml-error"),
        processes=True,
    )
    inventory = running.write_ansible_inventory(tmp_path / "inv.ini")
    # The lab's own inventory carries its password; hvbpa must not echo it back.
    clean = "\n".join(
        " ".join(w for w in line.split() if not w.startswith("ansible_password="))
        for line in inventory.read_text("utf-8").splitlines()
    )
    inventory.write_text(clean + "\n", "utf-8")
    outputs = {fmt: tmp_path / f"report.{fmt}" for fmt in ("json", "table", "csv", "sarif", "junit")}
    args = ["-i", str(inventory), "--retries", "0", "--timeout", "10s", "--allow-unencrypted"]
    for fmt, path in outputs.items():
        args += ["-o", f"{fmt}:{path}"]
    env = {**os.environ, "HVBPA_PASSWORD": SECRET, "HVBPA_USERNAME": "labadmin", "PYTHONWARNINGS": "always"}
    scan = subprocess.run([sys.executable, "-m", "hvbpa", "scan", *args], capture_output=True, env=env, timeout=120)
    assert scan.returncode == 3, scan.stderr
    # A bad option after the secret is in the environment: the error path too.
    bad = subprocess.run(
        [sys.executable, "-m", "hvbpa", "scan", "-i", str(inventory), "--transport", "basic", "--scheme", "http"],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert bad.returncode == 2
    written = [scan.stdout, scan.stderr, bad.stdout, bad.stderr]
    written += [p.read_bytes() for p in outputs.values() if p.exists()]
    assert outputs["json"].exists() and outputs["table"].exists()
    forms = [
        SECRET.encode(),
        SECRET.encode("utf-16-le"),
        base64.b64encode(f"labadmin:{SECRET}".encode()),
    ]
    for blob in written:
        for form in forms:
            assert form not in blob
    # The failures were real: the reports name them.
    report = outputs["json"].read_text("utf-8")
    for status in ("auth_failed", "unreachable", "bad_output", "script_failed"):
        assert status in report
