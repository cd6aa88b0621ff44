"""Scan many hosts at once: bounded concurrency, a deadline per host, Ctrl-C that
cleans up. Progress goes to an observer, so this module never imports rich."""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from hvbpa.collect.fleet_processes import default_processes, scan_in_processes
from hvbpa.collect.host import Collected, collect_host, failed_internally, failed_outcome
from hvbpa.collect.settings import ConnectionSettings, reap_allowance, stop_grace
from hvbpa.i18n import Reason
from hvbpa.snapshot import HostOutcome, HostStatus
from hvbpa.targets import Target


class ScanObserver(Protocol):
    def started(self, total: int) -> None: ...
    def host_started(self, target: str) -> None: ...  # may be called from any thread
    def host_done(self, outcome: HostOutcome) -> None: ...
    def finished(self) -> None: ...


class NullObserver:
    def started(self, total: int) -> None:
        pass

    def host_started(self, target: str) -> None:
        pass

    def host_done(self, outcome: HostOutcome) -> None:
        pass

    def finished(self) -> None:
        pass


class Interrupted(Exception):
    """Ctrl-C during a scan; carries every host's outcome, finished or not, in target order."""

    def __init__(self, outcomes: list[HostOutcome]) -> None:
        super().__init__("interrupted")
        self.outcomes = outcomes


def _interrupted(targets: Sequence[Target], results: dict[int, Collected]) -> Interrupted:
    """Every host's outcome after Ctrl-C: what finished, and the rest as interrupted."""
    return Interrupted(
        [
            results[i].outcome
            if i in results
            else failed_outcome(t.name, HostStatus.INTERRUPTED, Reason.of("host-interrupted"))
            for i, t in enumerate(targets)
        ]
    )


def scan_hosts(
    targets: Sequence[Target],
    settings: ConnectionSettings,
    *,
    jobs: int = 32,
    observer: ScanObserver | None = None,
    script: str | None = None,
    processes: int | None = None,
    on_stop: Callable[[int, float], None] | None = None,
) -> list[Collected]:
    """Collect every target; the result is in target order whatever finished first.

    ``on_stop(running, grace)`` is called at once on Ctrl-C or SIGTERM, before the wait for
    the hosts still running (at most ``grace`` seconds), so that the stop can be acknowledged.

    Workers are daemon threads rather than a ThreadPoolExecutor: after Ctrl-C a
    worker stuck on a host that never answers must not keep the process alive.
    With ``processes`` > 1 (None: chosen from the scan's size and the CPUs), the
    jobs are spread over worker processes, each with its own threads.
    """
    observer = observer or NullObserver()
    if processes is None:
        processes = default_processes(len(targets), jobs, os.cpu_count() or 1)
    if processes > 1:
        return _scan_with_processes(targets, settings, jobs, processes, observer, script, on_stop)
    cancel = threading.Event()
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    finished: queue.SimpleQueue[tuple[int, Collected]] = queue.SimpleQueue()
    begun: set[int] = set()
    for index in range(len(targets)):
        todo.put(index)

    def work() -> None:
        while not cancel.is_set():
            try:
                index = todo.get_nowait()
            except queue.Empty:
                return
            begun.add(index)
            observer.host_started(targets[index].name)
            try:
                # A scan keeps the parsed snapshot only; the raw answer is for `hvbpa collect --raw`.
                collected = replace(collect_host(targets[index], settings, cancel=cancel, script=script), stdout=b"")
            except Exception as exc:  # a bug must not leave the scan waiting for this host for ever
                collected = failed_internally(targets[index], exc)
            finished.put((index, collected))

    results: dict[int, Collected] = {}
    workers = [
        threading.Thread(target=work, name=f"hvbpa-host-{n}", daemon=True)
        for n in range(max(1, min(jobs, len(targets))))
    ]
    observer.started(len(targets))
    try:
        for worker in workers:
            worker.start()
        while len(results) < len(targets):
            try:
                # A timeout keeps the main thread responsive to Ctrl-C.
                index, collected = finished.get(timeout=0.2)
            except queue.Empty:
                continue
            results[index] = collected
            observer.host_done(collected.outcome)
    except KeyboardInterrupt:
        cancel.set()
        # Open shells are deleted now, over new connections; workers see the flag at their
        # next request, and a request in flight ends within the operation timeout.
        grace = stop_grace(settings)
        grace_ends = time.monotonic() + grace
        if on_stop is not None:
            _drain(finished, results)
            on_stop(len(begun - results.keys()), grace)
        allowance = reap_allowance(grace)
        delete_open_shells(allowance, only_waiting=True)
        for worker in workers:
            worker.join(timeout=max(0.0, grace_ends - allowance - time.monotonic()))
        delete_open_shells(max(0.1, grace_ends - time.monotonic()))
        for worker in workers:
            worker.join(timeout=max(0.0, grace_ends - time.monotonic()))
        _drain(finished, results)
        raise _interrupted(targets, results) from None
    finally:
        observer.finished()
    return [results[i] for i in range(len(targets))]


def _drain(finished: queue.SimpleQueue[tuple[int, Collected]], results: dict[int, Collected]) -> None:
    while True:
        try:
            index, collected = finished.get_nowait()
        except queue.Empty:
            return
        results[index] = collected


def delete_open_shells(timeout: float, *, only_waiting: bool = False) -> None:
    """Delete this process's open shells, if it ever opened one (pywinrm is not imported for nothing)."""
    wsman = sys.modules.get("hvbpa.collect.wsman")
    if wsman is not None:
        wsman.delete_open_shells(timeout, only_waiting=only_waiting)


def _scan_with_processes(
    targets: Sequence[Target],
    settings: ConnectionSettings,
    jobs: int,
    processes: int,
    observer: ScanObserver,
    script: str | None,
    on_stop: Callable[[int, float], None] | None,
) -> list[Collected]:
    results: dict[int, Collected] = {}

    def on_done(index: int, collected: Collected) -> None:
        results[index] = collected
        observer.host_done(collected.outcome)

    # Workers are started before the observer, whose refresh thread would make fork unsafe.
    try:
        scan_in_processes(
            targets, settings, jobs=jobs, processes=processes, on_done=on_done, script=script,
            on_started=lambda: observer.started(len(targets)),
            on_host_started=lambda index: observer.host_started(targets[index].name), on_stop=on_stop,
        )  # fmt: skip
    except KeyboardInterrupt:
        raise _interrupted(targets, results) from None
    finally:
        observer.finished()
    return [results[i] for i in range(len(targets))]
