"""Scan hosts from several processes, each running its own threads.

A host costs the client several milliseconds of CPU (pywinrm, requests, XML,
parsing its snapshot), and threads in one process share one core. With many hosts
and many jobs the scan becomes CPU-bound, so the jobs are spread over worker
processes; each worker collects hosts with threads exactly as a single-process
scan does, and sends back finished outcomes.
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from multiprocessing.synchronize import Event as ProcessEvent
from typing import Any

from hvbpa.collect.host import Collected, failed_internally, failed_outcome, fetch_host, interpret
from hvbpa.collect.raw import RawResult
from hvbpa.collect.settings import ConnectionSettings
from hvbpa.i18n import Reason
from hvbpa.snapshot import HostStatus
from hvbpa.targets import Target

_DONE = -1


class _CancelView:
    """A process-shared event, seen through the part of threading.Event that collect_host uses."""

    def __init__(self, event: ProcessEvent) -> None:
        self._event = event

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._event.wait(timeout)


def _worker(
    tasks: Any, results: Any, targets: Sequence[Target], settings: ConnectionSettings, script: str | None,
    threads: int, cancel: ProcessEvent,
) -> None:  # fmt: skip
    # Ctrl-C reaches every process of the terminal's group; only the parent decides
    # what it means (set ``cancel``), so the workers finish their hosts cleanly.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    view = _CancelView(cancel)

    def work() -> None:
        while not cancel.is_set():
            index = tasks.get()
            if index == _DONE:
                return
            # The answer travels back unparsed: a compressed answer pickles in
            # microseconds, a parsed snapshot in milliseconds, and the parent would
            # spend as long unpickling it as parsing it.
            try:
                raw: RawResult | str = fetch_host(targets[index], settings, cancel=view, script=script)  # type: ignore[arg-type]
            except Exception as exc:  # a bug must not leave the parent waiting for this host for ever
                raw = f"{exc.__class__.__name__}: {exc}"
            results.put((index, raw))

    pool = [threading.Thread(target=work, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    results.put((_DONE, None))


def _start_method() -> str:
    # fork starts a worker in milliseconds, but is only safe while this process has
    # no other threads (a forked lock held by another thread stays held for ever).
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return "fork"
    return "spawn"


def default_processes(hosts: int, jobs: int, cpus: int) -> int:
    """Enough processes to use the cores, never more than the work can keep busy."""
    if hosts < 32 or jobs < 16:
        return 1
    return max(1, min(cpus, jobs // 16, hosts // 16))


def scan_in_processes(
    targets: Sequence[Target],
    settings: ConnectionSettings,
    *,
    jobs: int,
    processes: int,
    on_done: Any,
    on_started: Any = None,
    script: str | None = None,
) -> dict[int, Collected]:
    """Collect every target; ``on_done(index, collected)`` is called in the parent as hosts finish.

    Raises KeyboardInterrupt after cancelling, with what finished passed to on_done.
    """
    method = _start_method()
    if method == "fork":
        # Imported once here, the WinRM stack is shared by every forked worker
        # instead of being imported again in each.
        import hvbpa.collect.wsman  # noqa: F401
    context: Any = multiprocessing.get_context(method)
    tasks = context.Queue()
    results = context.Queue()
    cancel = context.Event()
    per_process = max(1, -(-jobs // processes))
    for index in range(len(targets)):
        tasks.put(index)
    for _ in range(processes * per_process):
        tasks.put(_DONE)
    workers = [
        context.Process(
            target=_worker,
            args=(tasks, results, list(targets), settings, script, per_process, cancel),
            daemon=True,
            name=f"hvbpa-scan-{n}",
        )
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    if on_started is not None:
        on_started()
    finished: dict[int, Collected] = {}
    running = len(workers)

    def receive(timeout: float) -> bool:
        nonlocal running
        try:
            index, raw = results.get(timeout=timeout)
        except queue.Empty:
            return False
        if index == _DONE:
            running -= 1
        else:
            try:
                if isinstance(raw, str):
                    raise RuntimeError(raw)
                finished[index] = replace(interpret(targets[index], raw), stdout=b"")
            except Exception as exc:
                finished[index] = failed_internally(targets[index], exc)
            on_done(index, finished[index])
        return True

    try:
        while running and len(finished) < len(targets):
            if not receive(0.2) and not any(w.is_alive() for w in workers):
                break  # a worker died without saying so: report what is missing
    except KeyboardInterrupt:
        cancel.set()
        grace_ends = time.monotonic() + settings.operation_timeout + 2
        while running and time.monotonic() < grace_ends:
            receive(0.2)
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
        raise
    finally:
        for worker in workers:
            worker.join(timeout=5)
    for index, target in enumerate(targets):
        if index not in finished:
            outcome = failed_outcome(target.name, HostStatus.INTERRUPTED, Reason.of("host-worker-ended"))
            finished[index] = Collected(outcome, b"")
            on_done(index, finished[index])
    return finished
