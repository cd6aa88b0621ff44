"""SIGTERM is handled like Ctrl-C, and neither leaves shells open or worker processes behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hvbpa.exit_codes import ExitCode
from hvbpa.lab import HostConfig, RunningFleet
from hvbpa.snapshot.synthetic import host_snapshot_json
from tests.e2e.conftest import LAB_ENV
from tests.support import read_terminal

StartFleet = Callable[..., RunningFleet]
BASIC_HTTP = ["--transport", "basic", "--scheme", "http", "--allow-unencrypted"]
OPERATION_TIMEOUT = 2


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def _is_resource_tracker(pid: int) -> bool:
    try:
        return b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# Workers started as on Windows, where "spawn" is the only way: a fresh interpreter, nothing inherited.
SPAWN = "import hvbpa.collect.fleet_processes as f; f._start_method = lambda: 'spawn'; from hvbpa.cli import run; run()"


def _start_scan(running: RunningFleet, out: Path, processes: str, start: str = "fork") -> subprocess.Popen[str]:
    launcher = ["-c", SPAWN] if start == "spawn" else ["-m", "hvbpa"]
    return subprocess.Popen(
        [
            sys.executable, *launcher, "scan", *(f"127.0.0.1:{h.port}" for h in running.hosts), "-q",
            "--operation-timeout", f"{OPERATION_TIMEOUT}s", "--processes", processes, "-o", f"json:{out}", *BASIC_HTTP,
        ],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **LAB_ENV},
    )  # fmt: skip


def _wait_for_open_shells(running: RunningFleet, scan: subprocess.Popen[Any], count: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        stats = running.stats()
        # FAST finished (its shell deleted after its four requests): the signal must not race it.
        fast_done = stats["FAST"].get("requests", 0) >= 4 and stats["FAST"].get("open_shells", 0) == 0
        if fast_done and sum(stats[f"SLOW{i}"].get("open_shells", 0) for i in range(3)) == count:
            return
        time.sleep(0.05)
    scan.kill()
    raise AssertionError("the slow hosts never started their commands")


def _fleet(lab_fleet: StartFleet) -> RunningFleet:
    hosts = [HostConfig("FAST", snapshot_text=host_snapshot_json("FAST", 3, mix=False))]
    hosts += [HostConfig(f"SLOW{i}", slow_command=600.0) for i in range(3)]
    return lab_fleet(*hosts, processes=True)


@pytest.mark.parametrize("processes", ["1", "2"])
@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGTERM, ExitCode.TERMINATED), (signal.SIGINT, ExitCode.INTERRUPTED)]
)
def test_signal_stops_within_the_operation_timeout(
    lab_fleet: StartFleet, tmp_path: Path, processes: str, signum: int, code: int
) -> None:
    running = _fleet(lab_fleet)
    out = tmp_path / "stopped.json"
    scan = _start_scan(running, out, processes)
    _wait_for_open_shells(running, scan, 3)
    workers = _children(scan.pid)
    assert len(workers) == (2 if processes == "2" else 0), workers
    sent = time.monotonic()
    scan.send_signal(signum)
    _, stderr = scan.communicate(timeout=30)
    took = time.monotonic() - sent
    assert scan.returncode == code, stderr
    # The acknowledgement at once, then one line saying where the finished hosts are.
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 2, stderr
    assert stderr.startswith(f"hvbpa: stopping: 3 hosts still running, up to {OPERATION_TIMEOUT}s\n"), stderr
    assert ("terminated (SIGTERM)" if signum == signal.SIGTERM else "interrupted") in stderr
    # -q and every report in a file: the message names the file, not "the report above".
    assert f"{out} cover the hosts that finished" in stderr and "above" not in stderr
    # Within the operation timeout, and some room for writing the report and Python's exit on a busy machine.
    assert took < OPERATION_TIMEOUT + 1.5, took
    report = json.loads(out.read_text("utf-8"))
    assert sorted(h["status"] for h in report["hosts"]) == ["interrupted", "interrupted", "interrupted", "ok"]
    assert report["run"]["exit_code"] == code
    assert all(s.get("open_shells", 0) == 0 for s in running.stats().values()), running.stats()
    assert not [pid for pid in workers if _alive(pid)], "worker processes outlived the scan"


# The stop lands while the parent reads a finished host's answer: the first answer read sends the
# signal to the scan itself, so the real handler interrupts that read, every run.
STOP_WHILE_READING = """
import os, signal
import hvbpa.collect.fleet_processes as f
real = f.interpret
def interpret(target, raw):
    if interpret.first:
        interpret.first = False
        os.kill(os.getpid(), signal.SIGNUM)
    return real(target, raw)
interpret.first = True
f.interpret = interpret
from hvbpa.cli import run; run()
"""


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGTERM, ExitCode.TERMINATED), (signal.SIGINT, ExitCode.INTERRUPTED)]
)
def test_a_stop_while_an_answer_is_read_keeps_that_host(
    lab_fleet: StartFleet, tmp_path: Path, signum: int, code: int
) -> None:
    running = _fleet(lab_fleet)
    out = tmp_path / "stopped.json"
    launcher = STOP_WHILE_READING.replace("SIGNUM", signal.Signals(signum).name)
    scan = subprocess.run(
        [
            sys.executable, "-c", launcher, "scan", *(f"127.0.0.1:{h.port}" for h in running.hosts), "-q",
            "--operation-timeout", f"{OPERATION_TIMEOUT}s", "--processes", "2", "-o", f"json:{out}", *BASIC_HTTP,
        ],
        capture_output=True, text=True, env={**os.environ, **LAB_ENV}, timeout=60, check=False,
    )  # fmt: skip
    assert scan.returncode == code, scan.stderr
    # FAST's answer was being read: it finished, so only the three slow hosts are still running.
    assert scan.stderr.startswith("hvbpa: stopping: 3 hosts still running"), scan.stderr
    report = json.loads(out.read_text("utf-8"))
    names = {f"127.0.0.1:{h.port}": h.name for h in running.hosts}
    statuses = {names[h["target"]]: h["status"] for h in report["hosts"]}
    assert statuses == {"FAST": "ok", "SLOW0": "interrupted", "SLOW1": "interrupted", "SLOW2": "interrupted"}
    assert all(s.get("open_shells", 0) == 0 for s in running.stats().values()), running.stats()


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_workers_stop_and_delete_their_shells_when_the_parent_is_killed(
    lab_fleet: StartFleet, tmp_path: Path, start: str
) -> None:
    """The workers read a pipe only the parent writes to: its death ends the read, on every system
    and however the workers were started (a forked worker closes its inherited copy)."""
    running = _fleet(lab_fleet)
    scan = _start_scan(running, tmp_path / "never.json", "2", start)
    _wait_for_open_shells(running, scan, 3)
    workers = _children(scan.pid)
    # spawn may also start multiprocessing's resource tracker (not always by now), which must go
    # too; a worker whose hosts all finished (FAST's) may already have left.
    assert 1 <= len({pid for pid in workers if not _is_resource_tracker(pid)}) <= 2, workers
    scan.kill()
    scan.wait(timeout=10)
    deadline = time.monotonic() + OPERATION_TIMEOUT + 5
    while time.monotonic() < deadline and [pid for pid in workers if _alive(pid)]:
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)], "orphaned workers kept running"
    assert all(s.get("open_shells", 0) == 0 for s in running.stats().values()), running.stats()


def _first_line(stream: Any, within: float) -> tuple[str, float]:
    """The next line on ``stream`` and how long it took, or "" if none came ``within`` seconds."""
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(stream.readline()), daemon=True)
    began = time.monotonic()
    reader.start()
    reader.join(within)
    return (got[0] if got else ""), time.monotonic() - began


@pytest.mark.parametrize("processes", ["1", "2"])
@pytest.mark.parametrize(
    ("first", "second", "code"),
    [
        (signal.SIGINT, signal.SIGINT, ExitCode.INTERRUPTED),  # `timeout 120 hvbpa scan` and a Ctrl-C at a terminal
        (signal.SIGTERM, signal.SIGINT, ExitCode.TERMINATED),
        (signal.SIGINT, signal.SIGTERM, ExitCode.INTERRUPTED),
    ],
)
def test_the_first_signal_is_acknowledged_and_a_second_still_writes_the_report(
    lab_fleet: StartFleet, tmp_path: Path, processes: str, first: int, second: int, code: int
) -> None:
    running = _fleet(lab_fleet)
    out = tmp_path / "stopped.json"
    scan = subprocess.Popen(
        [
            sys.executable, "-m", "hvbpa", "scan", *(f"127.0.0.1:{h.port}" for h in running.hosts), "-q",
            "--operation-timeout", f"{OPERATION_TIMEOUT}s", "--processes", processes,
            "-o", "table", "-o", f"json:{out}", *BASIC_HTTP,
        ],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **LAB_ENV, "COLUMNS": "200"},
    )  # fmt: skip
    _wait_for_open_shells(running, scan, 3)
    scan.send_signal(first)
    line, took = _first_line(scan.stderr, 5)
    # At once, not after the grace: that silence is what makes people press Ctrl-C again.
    assert line.strip() == f"hvbpa: stopping: 3 hosts still running, up to {OPERATION_TIMEOUT}s", line
    assert took < 1.0, took
    scan.send_signal(second)
    stdout, stderr = scan.communicate(timeout=30)
    assert scan.returncode == code, stderr
    assert "Traceback" not in stderr and "error" not in stderr, stderr
    report = json.loads(out.read_text("utf-8"))
    assert sorted(h["status"] for h in report["hosts"]) == ["interrupted", "interrupted", "interrupted", "ok"]
    assert report["run"]["exit_code"] == code
    assert "Hosts: 1 of 4 scanned, 3 not scanned" in stdout, stdout  # the table, on stdout as asked
    assert all(s.get("open_shells", 0) == 0 for s in running.stats().values()), running.stats()


def test_the_acknowledgement_is_in_korean(lab_fleet: StartFleet, tmp_path: Path) -> None:
    running = _fleet(lab_fleet)
    scan = subprocess.Popen(
        [
            sys.executable, "-m", "hvbpa", "scan", *(f"127.0.0.1:{h.port}" for h in running.hosts), "-q",
            "--lang", "ko", "--operation-timeout", f"{OPERATION_TIMEOUT}s", "--processes", "1",
            "-o", f"json:{tmp_path / 'r.json'}", *BASIC_HTTP,
        ],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **LAB_ENV},
    )  # fmt: skip
    _wait_for_open_shells(running, scan, 3)
    scan.send_signal(signal.SIGINT)
    line, _ = _first_line(scan.stderr, 5)
    scan.communicate(timeout=30)
    assert line.strip() == f"hvbpa: 멈추는 중: 아직 실행 중인 호스트 3대, 최대 {OPERATION_TIMEOUT}초", line


def test_the_acknowledgement_shows_beside_the_progress_bar(lab_fleet: StartFleet, tmp_path: Path) -> None:
    """At a terminal the progress bar is drawing on stderr: the line must still reach it, whole."""
    import pty

    running = _fleet(lab_fleet)
    out = tmp_path / "r.json"
    main, secondary = pty.openpty()
    scan = subprocess.Popen(
        [
            sys.executable, "-m", "hvbpa", "scan", *(f"127.0.0.1:{h.port}" for h in running.hosts),
            "--operation-timeout", f"{OPERATION_TIMEOUT}s", "--processes", "1", "-o", f"json:{out}", *BASIC_HTTP,
        ],
        stdout=subprocess.DEVNULL, stderr=secondary, env={**os.environ, **LAB_ENV, "NO_COLOR": "1", "COLUMNS": "120"},
    )  # fmt: skip
    os.close(secondary)
    shown: list[bytes] = []
    reader = threading.Thread(target=read_terminal, args=(main, shown), daemon=True)
    reader.start()
    try:
        _wait_for_open_shells(running, scan, 3)
        scan.send_signal(signal.SIGINT)
        scan.send_signal(signal.SIGINT)
        assert scan.wait(timeout=30) == ExitCode.INTERRUPTED
        reader.join(timeout=5)
    finally:
        os.close(main)
    terminal = b"".join(shown).decode("utf-8", "replace")
    assert f"hvbpa: stopping: 3 hosts still running, up to {OPERATION_TIMEOUT}s" in terminal, terminal[-2000:]
    assert "Traceback" not in terminal
    assert json.loads(out.read_text("utf-8"))["run"]["exit_code"] == ExitCode.INTERRUPTED
