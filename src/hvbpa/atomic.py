"""Write output files so that a reader never sees half of one, and several files all or none.

Every failure is an OSError naming the file (``filename`` is set), so the CLI can say
which file and why on one line.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


def _umask() -> int:
    """The process umask, read without changing it where the system says it (Linux)."""
    try:
        for line in Path("/proc/self/status").read_text("ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    current = os.umask(0o022)  # elsewhere: set and restore, as every Python does to read it
    os.umask(current)
    return current


def _failed(path: Path, exc: OSError) -> OSError:
    failure = OSError(exc.errno, exc.strerror or str(exc) or exc.__class__.__name__, str(path))
    failure.__cause__ = exc
    return failure


def _is_special(path: Path) -> bool:
    """A path that exists and is not a regular file (/dev/null, a named pipe, /dev/stdout)."""
    try:
        return not stat.S_ISREG(path.stat().st_mode)
    except FileNotFoundError:
        return False


def _is_fifo(path: Path) -> bool:
    try:
        return stat.S_ISFIFO(path.stat().st_mode)
    except OSError:
        return False


@dataclass
class _Staged:
    path: Path
    temporary: Path | None  # None: a special file, written in place
    data: bytes


def _stage(path: Path, data: bytes) -> _Staged:
    """The data in a temporary file beside ``path``, flushed to disk, with the mode the file will have."""
    if _is_special(path):
        # Renaming over a device node would replace it: written in place, when every file is staged.
        return _Staged(path, None, data)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)  # replacing keeps the file's mode
    except FileNotFoundError:
        mode = 0o666 & ~_umask()  # what open() would have created
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.chmod(mode)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return _Staged(path, temporary, data)


def write_all_atomic(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write every file or none: all are staged first and moved into place only when all succeeded."""
    staged: list[_Staged] = []
    try:
        for path, data in files:
            try:
                staged.append(_stage(Path(path), data))
            except OSError as exc:
                raise _failed(Path(path), exc) from None
        for item in staged:
            if item.temporary is None:
                try:
                    with item.path.open("wb") as handle:
                        handle.write(item.data)
                except OSError as exc:
                    raise _failed(item.path, exc) from None
    except BaseException:
        for item in staged:
            if item.temporary is not None:
                item.temporary.unlink(missing_ok=True)
        raise
    for item in staged:
        if item.temporary is not None:
            try:
                item.temporary.replace(item.path)
            except OSError as exc:
                item.temporary.unlink(missing_ok=True)
                raise _failed(item.path, exc) from None


def write_bytes_atomic(path: Path, data: bytes) -> None:
    write_all_atomic([(Path(path), data)])


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def check_writable(path: Path) -> str | None:
    """Why ``path`` cannot be written, found before any work is done; None when it can.

    Probes for real (a temporary file in the folder, or opening a special file) rather
    than trusting os.access, which says yes to root on a read-only mount.
    """
    path = Path(path)
    try:
        if _is_fifo(path):
            # Opening a named pipe to probe it would hand its reader an end of file, and the
            # report's real write would then wait for ever: only the permission is checked.
            return None if os.access(path, os.W_OK) else "permission denied"
        if _is_special(path):
            with path.open("ab"):
                return None
        if path.is_dir():
            return "it is a folder"
        if not path.parent.is_dir():
            return f"folder {path.parent} does not exist"
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=path.parent)
        os.close(fd)
        Path(name).unlink()
    except OSError as exc:
        return exc.strerror or exc.__class__.__name__
    return None
