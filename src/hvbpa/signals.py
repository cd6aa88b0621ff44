"""SIGTERM handled like Ctrl-C, and Ctrl-Break as Ctrl-C: a service manager, `timeout` or a CI
runner stopping hvbpa gets the same clean stop (shells deleted, a report for the hosts that
finished) and exit 143 instead of 130.

On Windows no SIGTERM ever arrives (Task Scheduler's "End" and ``taskkill /F`` terminate the
process outright, which no program can handle). A console's Ctrl-C and Ctrl-Break arrive as
SIGINT and SIGBREAK: both stop a scan as Ctrl-C does, exit 130.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

_received: list[int] = []

# Ctrl-Break: Windows only (the C runtime's name for CTRL_BREAK_EVENT).
SIGBREAK: int | None = getattr(signal, "SIGBREAK", None)


def _on_stop(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    if len(_received) == 1:
        raise KeyboardInterrupt


def install() -> None:
    """Route Ctrl-C, SIGTERM and Ctrl-Break into one KeyboardInterrupt; only from the main thread, as Python
    requires."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _on_stop)
        signal.signal(signal.SIGTERM, _on_stop)
        if SIGBREAK is not None:
            signal.signal(SIGBREAK, _on_stop)


def terminated() -> bool:
    """Whether the stop came from SIGTERM (exit 143) rather than Ctrl-C or Ctrl-Break (exit 130):
    the first signal decides, whatever follows it."""
    return bool(_received) and _received[0] == signal.SIGTERM


def ignore_in_worker() -> None:
    """Worker processes leave every stop signal to the parent, which decides what it means
    (a console sends Ctrl-C and Ctrl-Break to every process attached to it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if SIGBREAK is not None:
        signal.signal(SIGBREAK, signal.SIG_IGN)
