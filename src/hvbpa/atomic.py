"""Write output files so that a reader never sees half of one, and several files all or none.

All or none holds on Windows too, where a file open in another program (Excel, an
antivirus scan) refuses to be replaced: the files replaced before it get their old
content back, and no temporary or backup file is left behind.

A destination that is a symbolic link is written through: the link stays, and the file it
names is replaced whole (a share's "latest" link, a configuration manager's links). A dangling
link creates the file it names.

A run killed outright (SIGKILL, a power cut) can leave its hidden ``.<name>.<pid>.<random>.tmp``
(or ``.old``) beside a destination; the next run writing that destination removes those left by
a process that no longer runs, once they are old enough that no write can still be in progress.

Every failure is an OSError naming the file (``filename`` is set), so the CLI can say
which file and why on one line.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import stat
import sys
import tempfile
import time
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


def destination(path: Path) -> Path:
    """The file that writing ``path`` replaces: the end of its chain of symbolic links.

    Renaming onto the link itself would replace the link with a regular file and leave
    its target stale.
    """
    path = Path(path)
    if not path.is_symlink():
        return path
    real = Path(os.path.realpath(path))
    if real.is_symlink():  # realpath stops where a chain loops
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path))
    return real


# A write finishes within seconds of its file's last change: one older than this is a dead run's.
# Generous, as the file may be on a slow share, written by another machine.
STALE_AFTER = 600.0

# mkstemp's and token_hex's random parts; the pid is absent from the names of versions before it.
_LEFTOVER = re.compile(r"\.(?:(\d{1,10})\.)?[a-z0-9_]{8}\.(?:tmp|old|probe)")


def _hidden_prefix(path: Path) -> str:
    return f".{path.name}.{os.getpid()}."


def leftover_of(destination_name: str, name: str) -> int | None:
    """Whether ``name`` is one of the hidden files written beside ``destination_name``: the pid
    of the process that made it (0 when the name has none), or None when it is not one."""
    prefix = f".{destination_name}"
    if not name.startswith(prefix):
        return None
    found = _LEFTOVER.fullmatch(name, len(prefix))
    if found is None:
        return None
    return int(found.group(1) or 0)


def _may_run(pid: int, age: float) -> bool:
    """Whether process ``pid`` may still be writing a file last changed ``age`` seconds ago."""
    if pid == 0:
        return False  # an earlier version's name: its age alone decides
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        # os.kill(pid, 0) would terminate the process there: a day without a change decides instead.
        return age < 86400
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: it exists
        return True
    return True


def remove_leftovers(path: Path) -> None:
    """Remove what killed runs left beside ``path``: never a file a running process may be writing."""
    now = time.time()
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return
    for entry in entries:
        pid = leftover_of(path.name, entry.name)
        if pid is None:
            continue
        with contextlib.suppress(OSError):
            if not entry.is_file(follow_symlinks=False):
                continue
            age = now - entry.stat(follow_symlinks=False).st_mtime
            if age >= STALE_AFTER and not _may_run(pid, age):
                Path(entry.path).unlink()


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
    remove_leftovers(path)
    fd, name = tempfile.mkstemp(prefix=_hidden_prefix(path), suffix=".tmp", dir=path.parent)
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


def _keep_old(path: Path) -> Path | None:
    """A second name for the file about to be replaced, so it can be put back; None when there is none.

    A hard link costs nothing and leaves the file where it is; where the file system has
    none (FAT, some shares), a copy with the file's mode.
    """
    if not path.exists():
        return None
    for _ in range(100):
        backup = path.with_name(f"{_hidden_prefix(path)}{secrets.token_hex(4)}.old")
        try:
            os.link(path, backup)
        except FileExistsError:
            continue
        except OSError:
            try:
                with backup.open("xb") as handle, path.open("rb") as old:
                    shutil.copyfileobj(old, handle)
                shutil.copymode(path, backup)
            except FileExistsError:
                continue
            except BaseException:
                backup.unlink(missing_ok=True)
                raise
        return backup
    raise FileExistsError(errno.EEXIST, "no free name for a backup", str(path))


def _move_into_place(staged: Sequence[_Staged]) -> None:
    """Replace every file or none: an old file is kept under a second name until all are in.

    A file may refuse to be replaced after others were (on Windows, one open in Excel or
    being scanned by an antivirus): those already replaced get their old content back,
    new files are removed again, and the error names the file that refused.
    """
    done: list[tuple[_Staged, Path | None]] = []
    try:
        for item in staged:
            assert item.temporary is not None
            try:
                backup = _keep_old(item.path)
            except OSError as exc:
                raise _failed(item.path, exc) from None
            try:
                item.temporary.replace(item.path)
            except OSError as exc:
                if backup is not None:
                    backup.unlink(missing_ok=True)
                raise _failed(item.path, exc) from None
            done.append((item, backup))
    except BaseException:
        for item, backup in reversed(done):
            # Replacing back over a file hvbpa itself just wrote: nothing else has it open.
            with contextlib.suppress(OSError):
                if backup is None:
                    item.path.unlink()
                else:
                    backup.replace(item.path)
        raise
    for _, backup in done:
        if backup is not None:
            with contextlib.suppress(OSError):
                backup.unlink()


def write_all_atomic(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write every file or none: all are staged first and moved into place only when all succeeded."""
    staged: list[_Staged] = []
    try:
        for path, data in files:
            try:
                staged.append(_stage(destination(path), data))
            except OSError as exc:
                raise _failed(Path(path), exc) from None
        for item in staged:
            if item.temporary is None:
                try:
                    with item.path.open("wb") as handle:
                        handle.write(item.data)
                except OSError as exc:
                    raise _failed(item.path, exc) from None
        _move_into_place([item for item in staged if item.temporary is not None])
    finally:
        for item in staged:
            if item.temporary is not None:
                item.temporary.unlink(missing_ok=True)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    write_all_atomic([(Path(path), data)])


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def check_writable(path: Path) -> str | None:
    """Why ``path`` cannot be written, found before any work is done; None when it can.

    Probes for real (a temporary file in the folder, or opening a special file) rather
    than trusting os.access, which says yes to root on a read-only mount.
    """
    try:
        path = destination(path)
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
        fd, name = tempfile.mkstemp(prefix=_hidden_prefix(path), suffix=".probe", dir=path.parent)
        os.close(fd)
        Path(name).unlink()
    except OSError as exc:
        return exc.strerror or exc.__class__.__name__
    return None
