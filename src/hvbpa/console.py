"""Where hvbpa's output goes: a console a person reads, or a pipe or file a program reads.

Windows and POSIX differ here. Windows' ``isatty`` says yes to the NUL device (a scheduled
task's stdin), so a console is one that ``GetConsoleMode`` accepts; and a pipe or file gets
Windows' ANSI code page (cp1252, cp949), which cannot encode the table's box drawing or
Korean. hvbpa's reports and messages go to a pipe or file as UTF-8 whatever that code page
or ``PYTHONIOENCODING`` says, and to a console as what the console can show, never an
encoding error.
"""

from __future__ import annotations

import io
import os
import sys

# typing's own import costs a fifth of `hvbpa --help`'s start-up; only the type checker needs it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def is_console(stream: Any) -> bool:
    """Whether ``stream`` is an interactive terminal (POSIX) or console (Windows), not a pipe, file or NUL."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        # No descriptor (a stream in memory): its own word is all there is.
        isatty = getattr(stream, "isatty", None)
        return bool(isatty()) if callable(isatty) else False
    try:
        if not os.isatty(fd):
            return False
    except OSError:
        return False
    if sys.platform != "win32":
        return True
    import ctypes
    import msvcrt

    mode = ctypes.c_uint32()
    try:
        handle = msvcrt.get_osfhandle(fd)
    except OSError:
        return False
    return bool(ctypes.windll.kernel32.GetConsoleMode(handle, ctypes.byref(mode)))


def utf8_streams() -> None:
    """Standard output and error as UTF-8 to a pipe or file; to a console, what it can show.

    Called once at start-up, before anything is written. A stream that is not a text
    wrapper (replaced by a test runner, say) is left alone.
    """
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name, None)
        if not isinstance(stream, io.TextIOWrapper):
            continue
        try:
            stream.flush()
            if is_console(stream):
                # Windows' console takes Unicode whatever the code page; a POSIX terminal
                # in a legacy locale gets a replacement character rather than a crash.
                stream.reconfigure(errors="replace")
            else:
                setattr(sys, name, _to_pipe_or_file(stream))
        except (OSError, ValueError):
            continue


class ReaderMayLeave(io.BufferedWriter):
    """A pipe whose reader may stop reading (``| head``, a pager quit): what is written after
    that goes nowhere, as it would to a reader that ignored it, instead of failing.

    A closed stdout is the reader's choice, not a failure of the run: hvbpa still writes its
    report files, deletes its shells and exits with the run's own code (1 only for findings),
    without a "Broken pipe" error or Python's last-flush complaint.
    """

    def write(self, data: Any) -> int:
        try:
            return super().write(data)
        except OSError as exc:
            if not _reader_left(exc):
                raise
            self._discard()
            return len(memoryview(data))

    def flush(self) -> None:
        try:
            super().flush()
        except OSError as exc:
            if not _reader_left(exc):
                raise
            self._discard()
            super().flush()  # what was left in the buffer now goes to the null device

    def _discard(self) -> None:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, self.fileno())
        finally:
            os.close(null)


def _reader_left(exc: OSError) -> bool:
    # Windows reports a pipe closed by its reader as EINVAL as often as EPIPE.
    return isinstance(exc, BrokenPipeError) or (sys.platform == "win32" and exc.errno == 22)


def _to_pipe_or_file(stream: io.TextIOWrapper) -> io.TextIOWrapper:
    """``stream`` as UTF-8 through a writer that outlives its reader; the original stays as it was
    (``sys.__stdout__``), sharing the descriptor, which only it closes."""
    raw = io.FileIO(stream.fileno(), "w", closefd=False)
    return io.TextIOWrapper(
        ReaderMayLeave(raw),
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=stream.line_buffering,
        write_through=stream.write_through,
    )


def console_language() -> str | None:
    """The Windows display language as a locale name (``ko-KR``), or None elsewhere or when unknown.

    Windows sets no ``LANG``: the user's display language is what Windows itself speaks
    to that user, so it picks hvbpa's default language there.
    """
    if sys.platform != "win32":
        return None
    try:
        import ctypes
        import locale

        kernel32 = ctypes.windll.kernel32
        lang_id = int(kernel32.GetUserDefaultUILanguage())
        buffer = ctypes.create_unicode_buffer(85)  # LOCALE_NAME_MAX_LENGTH
        if kernel32.LCIDToLocaleName(lang_id, buffer, len(buffer), 0):
            return str(buffer.value) or None
        # No name for the id: the primary language (low 10 bits) still says which language.
        return locale.windows_locale.get(lang_id)
    except (AttributeError, OSError, ValueError):
        return None
