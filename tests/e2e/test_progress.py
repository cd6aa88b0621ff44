"""Progress goes to stderr only when it is a terminal, and never with --quiet."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import tempfile
from collections.abc import Callable

import pytest

from hvbpa.lab import HostConfig, RunningFleet
from hvbpa.snapshot.synthetic import host_snapshot_json
from tests.e2e.conftest import LAB_ENV
from tests.support import read_terminal

StartFleet = Callable[..., RunningFleet]


def _scan_with_terminal_stderr(running: RunningFleet, *extra: str) -> tuple[str, str]:
    master, slave = pty.openpty()
    env = {**os.environ, **LAB_ENV, "NO_COLOR": "1", "COLUMNS": "100"}
    # stdout goes to a file: a report larger than a pipe's buffer would block the scanner
    # while this test drains only the terminal.
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hvbpa",
                "scan",
                *(f"127.0.0.1:{h.port}" for h in running.hosts),
                "-o",
                "json",
                "--retries",
                "0",
                *extra,
            ],
            stdout=out,
            stderr=slave,
            env=env,
        )
        os.close(slave)
        chunks: list[bytes] = []
        read_terminal(master, chunks)
        proc.wait(timeout=60)
        os.close(master)
        out.seek(0)
        stdout = out.read()
    return stdout.decode(), b"".join(chunks).decode(errors="replace")


@pytest.mark.parametrize("quiet", [False, True])
def test_progress_on_a_terminal_only(lab_fleet: StartFleet, quiet: bool) -> None:
    running = lab_fleet(
        HostConfig("P1", transport="ntlm", latency=0.2, snapshot_text=host_snapshot_json("P1", 2)),
        HostConfig("P2", transport="ntlm", refuse=True),
    )
    stdout, terminal = _scan_with_terminal_stderr(running, *(["-q"] if quiet else []))
    assert '"schema": "hvbpa.report/2"' in stdout, "the report still goes to stdout"
    if quiet:
        assert "scanning" not in terminal
    else:
        assert "scanning" in terminal and "failed" in terminal
        assert "\x1b[3" not in terminal, "NO_COLOR: no colour codes"


def test_progress_names_the_host_it_waits_for(lab_fleet: StartFleet) -> None:
    running = lab_fleet(
        HostConfig("QUICK", transport="ntlm", snapshot_text=host_snapshot_json("QUICK", 1)),
        HostConfig("SLOWPOKE", transport="ntlm", slow_command=2.5, snapshot_text=host_snapshot_json("SLOWPOKE", 1)),
    )
    _, terminal = _scan_with_terminal_stderr(running, "--operation-timeout", "1s")
    assert "waiting for 127.0.0.1:" in terminal, terminal[-2000:]
    port = running.host("SLOWPOKE").port
    assert f"waiting for 127.0.0.1:{port}" in terminal
