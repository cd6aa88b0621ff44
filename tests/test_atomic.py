"""Report files are replaced whole, and device nodes are never replaced."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hvbpa.atomic import write_text_atomic


def test_replaces_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    target.write_text("old", "utf-8")
    write_text_atomic(target, "new ✓")
    assert target.read_text("utf-8") == "new ✓"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "r.json"
    target.write_text("old", "utf-8")

    def broken_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        write_text_atomic(target, "new")
    assert target.read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_device_nodes_are_written_not_replaced() -> None:
    write_text_atomic(Path("/dev/null"), "discarded")
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)


def test_named_pipe_is_written_in_place(tmp_path: Path) -> None:
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_text_atomic(fifo, "through the pipe")
    reader.join(timeout=5)
    assert got == [b"through the pipe"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_symbolic_link_is_written_through(tmp_path: Path) -> None:
    """The link stays (a share's "latest" link, a dotfile manager's): its target is replaced whole."""
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "report.json"
    target.write_text("old", "utf-8")
    target.chmod(0o640)
    link = tmp_path / "report.json"
    link.symlink_to(Path("real") / "report.json")  # relative, as `ln -s` makes them
    chain = tmp_path / "latest.json"
    chain.symlink_to(link)  # a link to a link
    write_text_atomic(chain, "new")
    assert chain.is_symlink() and link.is_symlink()
    assert target.read_text("utf-8") == "new" and not target.is_symlink()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    # The temporary file was made beside the target, and is gone.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json", "real", "report.json"]
    assert [p.name for p in (tmp_path / "real").iterdir()] == ["report.json"]


def test_a_dangling_link_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "report.json"
    link.symlink_to(tmp_path / "made.json")
    write_text_atomic(link, "new")
    assert link.is_symlink() and (tmp_path / "made.json").read_text("utf-8") == "new"


def test_a_link_loop_is_an_error_naming_the_path(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(OSError) as caught:
        write_text_atomic(tmp_path / "a", "new")
    assert caught.value.filename == str(tmp_path / "a")
    assert (tmp_path / "a").is_symlink() and (tmp_path / "b").is_symlink()


HOUR_AGO = time.time() - 3600


def _dead_pid() -> int:
    """The id of a process that has ended (and was reaped), so no process has it now."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _left_by_sigkill(tmp_path: Path, name: str) -> Path:
    """A temporary file exactly as a run killed with SIGKILL in the middle of a write leaves it."""
    script = (
        "import os, signal, sys; from pathlib import Path; from hvbpa.atomic import _stage; "
        "_stage(Path(sys.argv[1]), b'half'); os.kill(os.getpid(), signal.SIGKILL)"
    )
    killed = subprocess.run([sys.executable, "-c", script, str(tmp_path / name)], check=False)
    assert killed.returncode == -signal.SIGKILL
    (left,) = [p for p in tmp_path.iterdir() if p.name.startswith(f".{name}.") and p.name.endswith(".tmp")]
    return left


def test_a_later_run_removes_what_a_killed_one_left(tmp_path: Path) -> None:
    left = _left_by_sigkill(tmp_path, "r.json")
    os.utime(left, (HOUR_AGO, HOUR_AGO))
    write_text_atomic(tmp_path / "r.json", "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_only_stale_files_of_its_own_destination_are_removed(tmp_path: Path) -> None:
    dead = _dead_pid()
    live = os.getppid()  # a process that runs, as another hvbpa writing the same file would
    names = {
        f".r.json.{dead}.abcd_123.tmp": (HOUR_AGO, False),  # a killed run's, old: removed
        f".r.json.{dead}.0123abcd.old": (HOUR_AGO, False),  # a killed run's backup: removed
        ".r.json.k3j_a9zz.tmp": (HOUR_AGO, False),  # an earlier version's (no pid), old: removed
        f".r.json.{live}.abcd_123.tmp": (HOUR_AGO, True),  # its process still runs
        f".r.json.{dead}.zzzz_999.tmp": (time.time(), True),  # too recent to judge
        ".r.json.k3j_a9zz.tmp.keep": (HOUR_AGO, True),  # not the pattern
        f".r.jsonx.{dead}.abcd_123.tmp": (HOUR_AGO, True),  # another destination's
        f".other.{dead}.abcd_123.tmp": (HOUR_AGO, True),
        "r.json.abcd_123.tmp": (HOUR_AGO, True),  # not hidden: not hvbpa's
    }
    for name, (when, _) in names.items():
        (tmp_path / name).write_text("x", "utf-8")
        os.utime(tmp_path / name, (when, when))
    write_text_atomic(tmp_path / "r.json", "new")
    kept = {name for name, (_, keep) in names.items() if keep}
    assert {p.name for p in tmp_path.iterdir()} == kept | {"r.json"}


FILE_NAME_CHARS = st.characters(exclude_characters="/\0", exclude_categories=["Cs"])


@settings(max_examples=300, deadline=None)
@given(destination=st.text(FILE_NAME_CHARS, min_size=1), other=st.text(FILE_NAME_CHARS, min_size=1))
def test_the_stale_pattern_matches_only_its_own_destinations_names(destination: str, other: str) -> None:
    from hvbpa.atomic import leftover_of

    for kind in ("tmp", "old", "probe"):
        assert leftover_of(destination, f".{destination}.{os.getpid()}.abcd_123.{kind}") == os.getpid()
        assert leftover_of(destination, f".{destination}.a_c4567z.{kind}") == 0
    # Any other name is never taken for one of ours, unless it has our exact shape for this destination.
    shaped = other.startswith(f".{destination}.")
    assert leftover_of(destination, other) is None or shaped
    assert leftover_of(destination, destination) is None
