"""Scan hosts from several processes, each running its own threads.

A host costs the client several milliseconds of CPU (pywinrm, requests, XML,
parsing its snapshot), and threads in one process share one core. With many hosts
and many jobs the scan becomes CPU-bound, so the jobs are spread over worker
processes; each worker collects hosts with threads exactly as a single-process
scan does, and sends back finished outcomes.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event as ProcessEvent
from typing import Any

from hvbpa.collect.host import Collected, failed_internally, failed_outcome, fetch_host, interpret
from hvbpa.collect.raw import RawResult
from hvbpa.collect.settings import ConnectionSettings, reap_allowance, stop_grace
from hvbpa.i18n import Reason
from hvbpa.signals import ignore_in_worker
from hvbpa.snapshot import HostStatus
from hvbpa.targets import Target

_DONE = -1
_STARTED = "started"  # sent as (index, _STARTED) when a worker begins a host


class _CancelView:
    """A process-shared event, seen through the part of threading.Event that collect_host uses.

    Also set when the parent is gone (killed with SIGKILL, say): a worker must not go on
    scanning for nobody, but it still finishes its requests so that its shells are deleted.
    """

    def __init__(self, event: ProcessEvent, orphaned: threading.Event) -> None:
        self._event = event
        self._orphaned = orphaned

    def is_set(self) -> bool:
        return self._orphaned.is_set() or self._event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        # Polled, never a sleep on the shared event: multiprocessing's Condition.notify waits
        # for every sleeper to acknowledge, and the parent's set() hung on a worker's sleeper.
        ends = None if timeout is None else time.monotonic() + timeout
        while not self.is_set():
            step = 0.1 if ends is None else min(0.1, ends - time.monotonic())
            if step <= 0:
                return False
            time.sleep(step)
        return True


def _watch_parent(lifeline: Connection, orphaned: threading.Event, settings: ConnectionSettings) -> None:
    """Stop this worker soon after its parent dies, whatever killed the parent.

    ``lifeline`` is the reading end of a pipe whose only writer is the parent, which never
    writes: when the parent is gone, however it ended, the system closes its end and the read
    ends. That holds on Windows too, where a process's parent id never changes (and may be
    reused) and nothing like SIGKILL's notice exists.
    """
    with contextlib.suppress(EOFError, OSError):
        lifeline.recv_bytes()
    orphaned.set()
    _delete_open_shells(settings)
    # Requests in flight end within the operation timeout; then nothing is left to wait for.
    time.sleep(settings.operation_timeout + 5)
    os._exit(1)


def _on_cancel(cancel: _CancelView, settings: ConnectionSettings) -> None:
    """The parent's Ctrl-C or SIGTERM: delete this worker's open shells before the grace ends."""
    cancel.wait()
    _delete_open_shells(settings)


def _delete_open_shells(settings: ConnectionSettings) -> None:
    wsman = sys.modules.get("hvbpa.collect.wsman")
    if wsman is not None:
        # Long-running commands go at once; a host about to finish gets most of the grace to
        # do so, and what is still open then goes.
        grace = stop_grace(settings)
        allowance = reap_allowance(grace)
        ends = time.monotonic() + grace
        wsman.delete_open_shells(allowance, only_waiting=True)
        time.sleep(max(0.0, ends - allowance - time.monotonic()))
        wsman.delete_open_shells(max(0.1, ends - time.monotonic()))


def _worker(
    tasks: Any, results: Any, targets: Sequence[Target], settings: ConnectionSettings, script: str | None,
    threads: int, cancel: ProcessEvent, lifeline: Connection, parent_end: Connection | None,
) -> None:  # fmt: skip
    # Ctrl-C reaches every process of the terminal's group, and a service manager may send
    # SIGTERM to all of them; only the parent decides what either means (it sets ``cancel``),
    # so the workers finish their hosts cleanly and delete their shells.
    ignore_in_worker()
    if parent_end is not None:
        # A forked worker holds a copy of the parent's writing end: closed, so that only the
        # parent's own keeps the pipe open.
        parent_end.close()
    orphaned = threading.Event()
    view = _CancelView(cancel, orphaned)
    threading.Thread(target=_watch_parent, args=(lifeline, orphaned, settings), daemon=True).start()
    threading.Thread(target=_on_cancel, args=(view, settings), daemon=True).start()

    def work() -> None:
        while not cancel.is_set():
            index = tasks.get()
            if index == _DONE:
                return
            results.put((index, _STARTED))
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


def _interpreted(target: Target, raw: RawResult | str) -> Collected:
    """A worker's answer as the host's outcome; a worker's own failure (its text) as an internal error."""
    try:
        if isinstance(raw, str):
            raise RuntimeError(raw)
        return replace(interpret(target, raw), stdout=b"")
    except Exception as exc:
        return failed_internally(target, exc)


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
    on_host_started: Any = None,
    on_stop: Any = None,
) -> dict[int, Collected]:
    """Collect every target; ``on_done(index, collected)`` is called in the parent as hosts finish,
    ``on_host_started(index)`` as a worker begins one, ``on_stop(running, grace)`` at once on a stop.

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
    # Workers watch this pipe to notice the parent's death: the parent holds the only writing end.
    lifeline, parent_end = context.Pipe(duplex=False)
    per_process = max(1, -(-jobs // processes))
    for index in range(len(targets)):
        tasks.put(index)
    for _ in range(processes * per_process):
        tasks.put(_DONE)
    workers = [
        context.Process(
            target=_worker,
            args=(
                tasks,
                results,
                list(targets),
                settings,
                script,
                per_process,
                cancel,
                lifeline,
                parent_end if method == "fork" else None,
            ),
            daemon=True,
            name=f"hvbpa-scan-{n}",
        )
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    lifeline.close()  # the workers have theirs; the parent keeps only the writing end
    if on_started is not None:
        on_started()
    finished: dict[int, Collected] = {}
    begun: set[int] = set()
    running = len(workers)
    grace_ends = 0.0

    def receive(timeout: float) -> bool:
        nonlocal running
        try:
            index, raw = results.get(timeout=timeout)
        except queue.Empty:
            return False
        if index == _DONE:
            running -= 1
        elif raw == _STARTED:
            begun.add(index)
            if on_host_started is not None and index not in finished:
                on_host_started(index)
        else:
            try:
                collected = _interpreted(targets[index], raw)
            except KeyboardInterrupt:
                # The stop came while this answer was being read: the host finished all the same,
                # and is neither counted as running nor lost. Reading it is pure, so read it again.
                finished[index] = _interpreted(targets[index], raw)
                on_done(index, finished[index])
                raise
            finished[index] = collected
            on_done(index, collected)
        return True

    try:
        while running and len(finished) < len(targets):
            if not receive(0.2) and not any(w.is_alive() for w in workers):
                break  # a worker died without saying so: report what is missing
    except KeyboardInterrupt:
        cancel.set()
        grace = stop_grace(settings)
        grace_ends = time.monotonic() + grace
        if on_stop is not None:
            on_stop(len(begun - finished.keys()), grace)
        while running and time.monotonic() < grace_ends:
            receive(0.1)
        raise
    finally:
        for worker in workers:
            worker.join(timeout=max(0.0, min(5.0, grace_ends - time.monotonic())) if cancel.is_set() else 5)
            if worker.is_alive():
                # Workers ignore SIGTERM (the parent speaks for them), so only SIGKILL stops one.
                worker.kill()
                worker.join(timeout=1)
        parent_end.close()
    for index, target in enumerate(targets):
        if index not in finished:
            outcome = failed_outcome(target.name, HostStatus.INTERRUPTED, Reason.of("host-worker-ended"))
            finished[index] = Collected(outcome, b"")
            on_done(index, finished[index])
    return finished
