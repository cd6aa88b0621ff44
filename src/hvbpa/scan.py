"""Scan many hosts at once: bounded concurrency, a deadline per host, Ctrl-C that
cleans up. Progress goes to an observer, so this module never imports rich."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Protocol

from hvbpa.collect.host import Collected, collect_host
from hvbpa.collect.settings import ConnectionSettings
from hvbpa.results import HostOutcome, HostStatus
from hvbpa.targets.model import Target


class ScanObserver(Protocol):
    def started(self, total: int) -> None: ...
    def host_done(self, outcome: HostOutcome) -> None: ...
    def finished(self) -> None: ...


class NullObserver:
    def started(self, total: int) -> None:
        pass

    def host_done(self, outcome: HostOutcome) -> None:
        pass

    def finished(self) -> None:
        pass


class Interrupted(Exception):
    """Ctrl-C during a scan; carries what finished, in target order."""

    def __init__(self, outcomes: list[HostOutcome]) -> None:
        super().__init__("interrupted")
        self.outcomes = outcomes


def scan_hosts(
    targets: Sequence[Target],
    settings: ConnectionSettings,
    *,
    jobs: int = 32,
    observer: ScanObserver | None = None,
    script: str | None = None,
) -> list[Collected]:
    """Collect every target; the result is in target order whatever finished first."""
    observer = observer or NullObserver()
    cancel = threading.Event()
    results: dict[int, Collected] = {}
    observer.started(len(targets))
    pool = ThreadPoolExecutor(max_workers=max(1, min(jobs, len(targets) or 1)), thread_name_prefix="hvbpa-host")
    futures: dict[Future[Collected], int] = {
        pool.submit(collect_host, target, settings, cancel=cancel, script=script): index
        for index, target in enumerate(targets)
    }
    try:
        pending = set(futures)
        while pending:
            # A timeout keeps the main thread responsive to Ctrl-C.
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in done:
                results[futures[future]] = future.result()
                observer.host_done(results[futures[future]].outcome)
    except KeyboardInterrupt:
        cancel.set()
        for future in futures:
            future.cancel()
        # Workers notice the flag at their next request and delete their shells.
        pool.shutdown(wait=True, cancel_futures=True)
        finished = []
        for future, index in futures.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                finished.append((index, future.result().outcome))
        outcomes = [o for _, o in sorted(finished, key=lambda pair: pair[0])]
        done_targets = {o.target for o in outcomes}
        outcomes += [
            HostOutcome(t.name, HostStatus.INTERRUPTED, reason="the scan was interrupted")
            for t in targets
            if t.name not in done_targets
        ]
        raise Interrupted(outcomes) from None
    finally:
        pool.shutdown(wait=False)
        observer.finished()
    return [results[i] for i in range(len(targets))]
