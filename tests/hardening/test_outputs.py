"""Report files: checked before the work, written all or none, one-line errors, normal modes."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from hvbpa.exit_codes import ExitCode
from tests.conftest import CASES, FIXED_NOW, Invoke

SNAPSHOT = CASES / "single-vm-installed-enum-names" / "hv01.json"


def _one_error_line(output: str) -> str:
    (line,) = output.strip().splitlines()
    assert line.startswith("hvbpa: error: "), line
    return line


@pytest.mark.parametrize("where", ["/proc/hvbpa-report.json", "/nonexistent-folder/r.json"])
def test_an_unwritable_destination_fails_before_any_work(cli: Invoke, where: str) -> None:
    result = cli("evaluate", str(SNAPSHOT), "-o", f"json:{where}")
    assert result.exit_code == ExitCode.USAGE
    assert where in _one_error_line(result.output)


def test_dev_full_is_exit_2_and_no_other_report_is_written(cli: Invoke, tmp_path: Path) -> None:
    other = tmp_path / "r.json"
    result = cli("evaluate", str(SNAPSHOT), "--now", FIXED_NOW, "-o", f"json:{other}", "-o", "sarif:/dev/full")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "/dev/full" in _one_error_line(result.output)
    assert not other.exists() and list(tmp_path.iterdir()) == []


def test_a_failure_while_writing_changes_no_report(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.sarif"
    first.write_text("old a", "utf-8")
    second.write_text("old b", "utf-8")
    real_fsync, calls = os.fsync, []

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:  # the second file: the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    result = cli("evaluate", str(SNAPSHOT), "--now", FIXED_NOW, "-o", f"json:{first}", "-o", f"sarif:{second}")
    assert result.exit_code == ExitCode.USAGE, result.output
    line = _one_error_line(result.output)
    assert "No space left on device" in line and str(second) in line
    assert first.read_text("utf-8") == "old a" and second.read_text("utf-8") == "old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.sarif"]


def test_an_output_that_is_an_input_is_refused(cli: Invoke, tmp_path: Path) -> None:
    snapshot = tmp_path / "hv01.json"
    snapshot.write_bytes(SNAPSHOT.read_bytes())
    result = cli("evaluate", str(snapshot), "-o", f"json:{tmp_path / '.' / 'hv01.json'}")
    assert result.exit_code == ExitCode.USAGE
    assert "is also an input" in _one_error_line(result.output)
    assert snapshot.read_bytes() == SNAPSHOT.read_bytes()
    report = tmp_path / "r.json"
    assert cli("evaluate", str(snapshot), "--now", FIXED_NOW, "-o", f"json:{report}").exit_code == 0
    merged = cli("report", "merge", str(report), "-o", f"json:{report}")
    assert merged.exit_code == ExitCode.USAGE and "is also an input" in merged.output
    base = cli("baseline", "create", str(report), "-o", str(report))
    assert base.exit_code == ExitCode.USAGE and "is also an input" in base.output


def test_report_files_get_the_umask_mode_and_keep_an_existing_one(cli: Invoke, tmp_path: Path) -> None:
    new, existing = tmp_path / "new.json", tmp_path / "existing.csv"
    existing.write_text("old", "utf-8")
    existing.chmod(0o640)
    old_umask = os.umask(0o022)
    try:
        result = cli("evaluate", str(SNAPSHOT), "--now", FIXED_NOW, "-o", f"json:{new}", "-o", f"csv:{existing}")
    finally:
        os.umask(old_umask)
    assert result.exit_code == ExitCode.OK, result.output
    assert stat.S_IMODE(new.stat().st_mode) == 0o644
    assert stat.S_IMODE(existing.stat().st_mode) == 0o640
    assert existing.read_text("utf-8") != "old"
