"""asyncbatch's own worker threads, kept for the life of the process.

Starting a thread costs a fraction of a millisecond, so threads outlive the batch
that started them and serve the next warm invocation. They are daemon threads: one
stuck in a record handler never keeps the process from exiting.

A batch hands each thread one long-running job (a worker loop that takes records
until there are none left), never one job per record.

Abandoned threads (still inside a handler whose record already timed out) are
counted process-wide. Past :data:`MAX_ABANDONED_THREADS` of them, a new batch of
sync handlers is refused with :class:`WorkerThreadsExhaustedError` instead of
starting ever more threads: the process is better recycled than kept.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable

from ._exceptions import WorkerThreadsExhaustedError

__all__ = [
    "MAX_ABANDONED_THREADS",
    "abandoned_threads",
    "check_capacity",
    "release_abandoned",
    "start",
    "track_abandoned",
]

#: How many abandoned threads may still be running before new sync batches are
#: refused.
MAX_ABANDONED_THREADS = 64


class _Pool:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.jobs: queue.SimpleQueue[Callable[[], object]] = queue.SimpleQueue()
        self.idle = 0
        self.abandoned = 0
        self.started = 0

    def start(self, job: Callable[[], object]) -> None:
        with self.lock:
            if self.idle:
                self.idle -= 1
                self.jobs.put(job)
                return

            self.started += 1
            name = f"asyncbatch-worker-{self.started}"

        thread = threading.Thread(target=self._serve, args=(job,), name=name)
        thread.daemon = True
        thread.start()

    def _serve(self, job: Callable[[], object]) -> None:
        jobs = self.jobs
        while True:
            job()
            # Drop the reference before parking, so a finished batch is not kept
            # alive by an idle thread.
            job = _noop
            with self.lock:
                self.idle += 1

            job = jobs.get()


def _noop() -> None:
    return None


_pool = _Pool()


def _reset_after_fork() -> None:
    # The child inherits no threads: forget the parent's.
    global _pool
    _pool = _Pool()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def start(job: Callable[[], object]) -> None:
    """Run ``job()`` on an idle worker thread, or a new one."""
    _pool.start(job)


def check_capacity() -> None:
    """Refuse new sync work while too many abandoned threads are still stuck.

    :raises WorkerThreadsExhaustedError: past :data:`MAX_ABANDONED_THREADS`.
    """
    stuck = _pool.abandoned
    if stuck >= MAX_ABANDONED_THREADS:
        raise WorkerThreadsExhaustedError(stuck, MAX_ABANDONED_THREADS)


def track_abandoned() -> None:
    """Count one more thread left inside a handler past its record's end."""
    with _pool.lock:
        _pool.abandoned += 1


def release_abandoned() -> None:
    """An abandoned thread's handler returned at last."""
    with _pool.lock:
        _pool.abandoned -= 1


def abandoned_threads() -> int:
    """How many abandoned threads are still inside a handler, process-wide."""
    return _pool.abandoned
