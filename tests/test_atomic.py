"""Report files are replaced whole, and device nodes are never replaced."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

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
