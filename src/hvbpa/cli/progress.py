"""Progress on stderr with rich: hosts done of total, failures, elapsed, ETA, and the host
it has waited for longest (with how many others are still running).

Only used when stderr is a terminal and --quiet is not given; the scan core sees
just the observer interface.
"""

from __future__ import annotations

import os
import sys
import threading

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from hvbpa.snapshot import HostOutcome, HostStatus


class RichProgress:
    def __init__(self) -> None:
        console = Console(file=sys.stderr, no_color="NO_COLOR" in os.environ)
        self._progress = Progress(
            TextColumn("[bold]scanning"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[failed]} failed"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[waiting]}"),
            console=console,
            transient=True,
        )
        self._task = self._progress.add_task("hosts", total=0, failed=0, waiting="")
        self._failed = 0
        # Hosts being collected, oldest first (dicts keep insertion order); several may share a name.
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    def _waiting(self) -> str:
        if not self._running:
            return ""
        oldest = next(iter(self._running))
        others = sum(self._running.values()) - 1
        return f"waiting for {_printable(oldest)}" + (f" (+{others})" if others else "")

    def host_started(self, target: str) -> None:
        with self._lock:
            self._running[target] = self._running.get(target, 0) + 1
            waiting = self._waiting()
        self._progress.update(self._task, waiting=waiting)

    def started(self, total: int) -> None:
        self._progress.update(self._task, total=total)
        self._progress.start()

    def host_done(self, outcome: HostOutcome) -> None:
        with self._lock:
            if outcome.status is not HostStatus.OK:
                self._failed += 1
            left = self._running.pop(outcome.target, 0) - 1
            if left > 0:
                self._running[outcome.target] = left
            waiting = self._waiting()
        self._progress.update(self._task, advance=1, failed=self._failed, waiting=waiting)

    def finished(self) -> None:
        self._progress.stop()


def _printable(name: str) -> str:
    """A target's name as the terminal may show it: no control characters, no rich markup."""
    from rich.markup import escape

    shown = "".join(c if c.isprintable() else "?" for c in name)
    return escape(shown if len(shown) <= 40 else shown[:39] + "…")
