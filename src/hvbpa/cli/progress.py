"""Progress on stderr with rich: hosts done of total, failures, elapsed, ETA.

Only used when stderr is a terminal and --quiet is not given; the scan core sees
just the observer interface.
"""

from __future__ import annotations

import os
import sys

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
            console=console,
            transient=True,
        )
        self._task = self._progress.add_task("hosts", total=0, failed=0)
        self._failed = 0

    def started(self, total: int) -> None:
        self._progress.update(self._task, total=total)
        self._progress.start()

    def host_done(self, outcome: HostOutcome) -> None:
        if outcome.status is not HostStatus.OK:
            self._failed += 1
        self._progress.update(self._task, advance=1, failed=self._failed)

    def finished(self) -> None:
        self._progress.stop()
