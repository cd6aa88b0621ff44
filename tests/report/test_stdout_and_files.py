"""Reports go out as UTF-8 whatever the pipe's encoding, the files before stdout, and several
files are replaced all or none, also when one of them refuses (a file open in another program).
"""

from __future__ import annotations

import errno
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from hvbpa.exit_codes import ExitCode
from tests.conftest import CASES, FIXED_NOW, Invoke

KOREAN = CASES / "korean-names-bom-crlf" / "hv-kr.json"
GENERAL = CASES / "single-vm-installed-enum-names" / "hv01.json"


def _hvbpa(*args: str, env: dict[str, str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHONIOENCODING", "HVBPA_"))}
    return subprocess.run(  # type: ignore[call-overload,no-any-return]
        [sys.executable, "-m", "hvbpa", *args], env={**base, **env}, timeout=60, check=False, **kwargs
    )


def _korean_vm_names() -> list[str]:
    snapshot = json.loads(KOREAN.read_text("utf-8-sig"))
    return [vm["name"] for vm in snapshot["vms"]]


@pytest.mark.parametrize("encoding", ["cp1252", "ascii", "cp949"])
def test_a_legacy_pipe_encoding_gets_utf8_and_the_files_are_written(tmp_path: Path, encoding: str) -> None:
    report = tmp_path / "report.json"
    done = _hvbpa(
        "evaluate", str(KOREAN), "--now", FIXED_NOW, "--lang", "ko", "-o", "table", "-o", f"json:{report}",
        env={"PYTHONIOENCODING": encoding}, capture_output=True,
    )  # fmt: skip
    assert done.returncode in (ExitCode.OK, ExitCode.FINDINGS), done.stderr.decode("utf-8", "replace")
    table = done.stdout.decode("utf-8")  # strict: every byte is UTF-8
    assert "│" in table or "─" in table  # rich's box drawing, which no ANSI code page has all of
    assert any(name in table for name in _korean_vm_names())
    assert "규칙" in table or "호스트" in table  # Korean headings
    assert json.loads(report.read_text("utf-8"))["hosts"]


def test_json_and_messages_on_a_cp1252_pipe_are_utf8(tmp_path: Path) -> None:
    done = _hvbpa(
        "evaluate", str(KOREAN), "--now", FIXED_NOW, "-o", "json", env={"PYTHONIOENCODING": "cp1252"},
        capture_output=True,
    )  # fmt: skip
    assert done.returncode in (ExitCode.OK, ExitCode.FINDINGS), done.stderr
    names = [vm["name"] for host in json.loads(done.stdout.decode("utf-8"))["hosts"] for vm in host["snapshot"]["vms"]]
    assert set(_korean_vm_names()) <= set(names)
    # A Korean error message to a cp1252 stderr: one UTF-8 line, no traceback.
    bad = _hvbpa("evaluate", str(tmp_path / "없음.json"), env={"PYTHONIOENCODING": "cp1252", "LANG": "ko_KR.UTF-8"},
                 capture_output=True)  # fmt: skip
    assert bad.returncode == ExitCode.USAGE
    message = bad.stderr.decode("utf-8")
    assert "없음.json" in message and len(message.strip().splitlines()) == 1 and "Traceback" not in message


def test_rules_in_korean_on_a_cp1252_pipe() -> None:
    done = _hvbpa("rules", "list", "--lang", "ko", env={"PYTHONIOENCODING": "cp1252"}, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert "복제" in done.stdout.decode("utf-8")


def test_a_terminal_that_cannot_show_a_character_gets_a_replacement_not_a_crash(tmp_path: Path) -> None:
    main, secondary = pty.openpty()
    try:
        done = _hvbpa(
            "evaluate", str(KOREAN), "--now", FIXED_NOW, "--lang", "ko", "-o", "table",
            env={"PYTHONIOENCODING": "latin-1", "NO_COLOR": "1", "COLUMNS": "200"},
            stdout=secondary, stderr=subprocess.PIPE,
        )  # fmt: skip
        os.close(secondary)
        shown = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(main)
    assert done.returncode in (ExitCode.OK, ExitCode.FINDINGS), done.stderr
    assert b"Traceback" not in done.stderr
    assert b"?" in shown and len(shown) > 200


def test_files_are_written_before_stdout(tmp_path: Path) -> None:
    """A log pipe that is gone (a closed reader) must not cost the scheduled task its JSON."""
    report = tmp_path / "report.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "hvbpa", "evaluate", str(GENERAL), "--now", FIXED_NOW, "-o", "table",
         "-o", f"json:{report}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    proc.stdout.close()
    proc.communicate(timeout=60)
    assert json.loads(report.read_text("utf-8"))["run"]["exit_code"] in (0, 1)


def test_a_file_that_refuses_to_be_replaced_changes_no_report(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, new, locked = tmp_path / "a.json", tmp_path / "new.csv", tmp_path / "b.sarif"
    first.write_text("old a", "utf-8")
    locked.write_text("old b", "utf-8")
    real_replace = os.replace

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst) == locked:  # as Windows answers for a file open in Excel
            raise PermissionError(errno.EACCES, "The process cannot access the file because it is being used")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    result = cli(
        "evaluate", str(GENERAL), "--now", FIXED_NOW,
        "-o", f"json:{first}", "-o", f"csv:{new}", "-o", f"sarif:{locked}", "-o", "table",
    )  # fmt: skip
    assert result.exit_code == ExitCode.USAGE, result.output
    *table, line = result.output.strip().splitlines()
    assert line.startswith("hvbpa: error: ") and str(locked) in line and "being used" in line, line
    assert "no report file was changed" in line
    assert any("HVR" in row for row in table), "the table on stdout is still shown"
    assert first.read_text("utf-8") == "old a" and locked.read_text("utf-8") == "old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.sarif"]


def test_replacing_keeps_no_backup_behind(cli: Invoke, tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.sarif"
    first.write_text("old a", "utf-8")
    second.write_text("old b", "utf-8")
    result = cli("evaluate", str(GENERAL), "--now", FIXED_NOW, "-o", f"json:{first}", "-o", f"sarif:{second}")
    assert result.exit_code in (ExitCode.OK, ExitCode.FINDINGS), result.output
    assert json.loads(first.read_text("utf-8"))["hosts"] and json.loads(second.read_text("utf-8"))["runs"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.sarif"]
