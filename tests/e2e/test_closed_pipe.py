"""A reader that stops reading (`hvbpa ... | head`, a pager quit) is the reader's choice: hvbpa
says nothing about it, still writes its report files, and exits with the run's own code.

Before, `hvbpa rules list | head` printed "hvbpa: error: Broken pipe" and exited 2, and with
stderr in the same pipe exited 1, which means findings.
"""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from hvbpa.console import ReaderMayLeave
from hvbpa.exit_codes import ExitCode
from hvbpa.lab import HostConfig, RunningFleet
from hvbpa.snapshot.synthetic import host_snapshot_json
from tests.e2e.conftest import LAB_ENV

StartFleet = Callable[..., RunningFleet]
BASIC_HTTP = ["--transport", "basic", "--scheme", "http", "--allow-unencrypted"]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes: the reader closes its end at once")


def _run_unread(args: list[str], *, stderr_too: bool, env: dict[str, str] | None = None) -> tuple[int, str]:
    """hvbpa with nobody reading its stdout (and its stderr, with ``stderr_too``): the exit code,
    and what it wrote to stderr when stderr was read."""
    with subprocess.Popen(
        [sys.executable, "-m", "hvbpa", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(env or {})},
    ) as process:  # fmt: skip
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # the reader leaves before hvbpa writes a line
        if stderr_too:
            process.stderr.close()
            return process.wait(timeout=120), ""
        said = process.stderr.read().decode("utf-8")
        return process.wait(timeout=120), said


@pytest.mark.parametrize("stderr_too", [False, True])
@pytest.mark.parametrize("args", [["rules", "list"], ["rules", "show", "HVR001", "--lang", "ko"], ["schema", "json"]])
def test_a_listing_whose_reader_left_exits_0_quietly(args: list[str], stderr_too: bool) -> None:
    code, said = _run_unread(args, stderr_too=stderr_too)
    assert (code, said) == (ExitCode.OK, "")


@pytest.mark.parametrize("stderr_too", [False, True])
@pytest.mark.parametrize(("fail_on", "expected"), [("error", ExitCode.FINDINGS), ("never", ExitCode.OK)])
def test_a_scan_whose_reader_left_keeps_its_report_and_exit_code(
    lab_fleet: StartFleet, tmp_path: Path, stderr_too: bool, fail_on: str, expected: int
) -> None:
    running = lab_fleet(HostConfig("HV01", snapshot_text=host_snapshot_json("HV01", 30)))
    out = tmp_path / "report.json"
    target = f"127.0.0.1:{running.hosts[0].port}"
    args = ["scan", target, "-q", "-o", f"json:{out}", "-o", "table", "--fail-on", fail_on, *BASIC_HTTP]
    code, said = _run_unread(args, stderr_too=stderr_too, env=LAB_ENV)
    assert (code, said) == (expected, "")
    report = json.loads(out.read_text("utf-8"))
    assert report["run"]["exit_code"] == expected and "error" not in report["run"]
    assert report["summary"]["hosts_ok"] == 1 and report["results"]
    assert running.stats()["HV01"].get("open_shells", 0) == 0


def test_other_write_failures_still_fail() -> None:
    """Only a reader that left is forgiven: a full disk is still an error."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    with io.FileIO("/dev/full", "w") as raw:
        writer = ReaderMayLeave(raw)
        writer.write(b"x" * 10)
        with pytest.raises(OSError) as caught:
            writer.flush()
        assert caught.value.errno == errno.ENOSPC
