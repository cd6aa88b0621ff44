"""SIGTERM handled like Ctrl-C: a service manager, `timeout` or a CI runner stopping hvbpa
gets the same clean stop (shells deleted, a report for the hosts that finished) and
exit 143 instead of 130."""

from __future__ import annotations

import signal
import threading
from types import FrameType

_received: list[int] = []


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    # Only the first one interrupts: a second SIGTERM while cleaning up must not cut the cleanup short.
    if len(_received) == 1:
        raise KeyboardInterrupt


def install() -> None:
    """Route SIGTERM into the KeyboardInterrupt path; only from the main thread, as Python requires."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_sigterm)


def terminated() -> bool:
    """Whether the stop came from SIGTERM (exit 143) rather than Ctrl-C (exit 130)."""
    return bool(_received)


def ignore_in_worker() -> None:
    """Worker processes leave both signals to the parent, which decides what they mean."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
