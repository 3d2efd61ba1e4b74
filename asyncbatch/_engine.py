"""The runtime of one batch: workers, ordering, record timeouts and the deadline.

A batch is worked by a fixed set of workers, at most ``max_concurrency`` of them:
asyncio tasks for ``async`` record handlers, asyncbatch's own threads for sync ones.
Each worker takes the runnable record with the lowest index, runs it, settles its
outcome and takes the next, so the cost of concurrency is paid per worker, not per
record.

Invariants:

- Every record is settled exactly once (``_settled``); the first settlement stands.
  Whoever settles it (its worker, the timeout watchdog, the deadline, an ordering
  rule) goes through ``_store``.
- A record is *taken* at most once. Records that share an ordering key wait in
  ``_chains`` and only one per key is runnable (in ``_heap``) or running at a time;
  a waiting record holds no worker.
- A worker that is *abandoned* (its record timed out, the deadline came, the caller
  cancelled) settles nothing more and takes no further record. A replacement worker
  takes over its slot.
- In thread mode, every change of this state happens under ``_lock``; in async mode
  everything runs on the event loop and ``_lock`` is a no-op.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import heapq
import inspect
import sys
import threading
import time
import types
from collections import deque
from collections.abc import (
    Awaitable,
    Callable,
    Coroutine,
    Generator,
    Hashable,
    Iterator,
    Mapping,
)
from typing import Any, Final

from . import _threads
from ._events import Batch
from ._exceptions import (
    DeadlineExceededError,
    RecordSkippedError,
    RecordTimeoutError,
)
from ._outcome import BatchResult

__all__ = ["BatchRun", "Options", "watch"]

#: How long handlers that ignore cancellation get, after the deadline or their
#: record timeout, before the response is returned without them. With a deadline,
#: the grace also ends halfway between the soft deadline and Lambda's own, so that
#: the rest of the margin is left for the response.
CANCEL_GRACE: Final = 0.2

_clock = time.monotonic

RecordBinder = Callable[[int, str], None]

#: Told how many records are settled, every PROGRESS_INTERVAL, while a batch runs.
_observer: contextvars.ContextVar[Callable[[int], None] | None] = (
    contextvars.ContextVar("asyncbatch_observer", default=None)
)
PROGRESS_INTERVAL: Final = 0.1

#: How long a batch of sync handlers runs on one thread before the loop first
#: looks whether more threads would help, and how often it looks again.
GROW_AFTER: Final = 0.0005


@contextlib.contextmanager
def watch(observer: Callable[[int], None]) -> Iterator[None]:
    """Report progress to ``observer`` for the batches run inside this block."""
    token = _observer.set(observer)
    try:
        yield
    finally:
        _observer.reset(token)


class Options:
    """The processor options the engine reads."""

    __slots__ = (
        "deadline_margin",
        "max_concurrency",
        "record_timeout",
        "stop_on_first_failure",
    )

    def __init__(
        self,
        max_concurrency: int,
        record_timeout: float | None,
        stop_on_first_failure: bool,
        deadline_margin: float,
    ) -> None:
        self.max_concurrency = max_concurrency
        self.record_timeout = record_timeout
        self.stop_on_first_failure = stop_on_first_failure
        self.deadline_margin = deadline_margin


class _Worker:
    __slots__ = (
        "abandoned",
        "context",
        "current",
        "future",
        "index",
        "stuck",
        "task",
    )

    def __init__(self) -> None:
        #: The record it holds, from taking it until it is settled.
        self.index: int | None = None
        #: ``(index, started)`` while a handler runs, else None.
        self.current: tuple[int, float] | None = None
        self.abandoned = False
        #: A thread left running inside a handler (counted process-wide).
        self.stuck = False
        self.task: asyncio.Task[None] | None = None
        #: A coroutine that a sync handler returned, awaited on the loop.
        self.future: Any = None
        #: The context the running record's steps run in (async workers).
        self.context: contextvars.Context | None = None

    def gone(self) -> bool:
        """Whether it was abandoned, read anew: another thread, or whatever ran
        while the worker awaited, may have set it since the last check."""
        return self.abandoned


class BatchRun:
    """Runs every record of one batch through ``call`` and collects the outcomes.

    :param deadline: the soft deadline on the :func:`time.monotonic` clock, or None.
    :param started: when intake began, on the same clock.
    """

    __slots__ = (
        "_abandoned",
        "_batch",
        "_bind",
        "_call",
        "_chains",
        "_closed",
        "_count",
        "_deadline",
        "_deadline_timer",
        "_done",
        "_durations",
        "_exceptions",
        "_fatal",
        "_grow_timer",
        "_heap",
        "_identifiers",
        "_is_async",
        "_keys",
        "_lock",
        "_loop",
        "_margin",
        "_max_concurrency",
        "_next",
        "_open",
        "_parse",
        "_peak",
        "_records",
        "_results",
        "_running",
        "_settled",
        "_started",
        "_stop_on_failure",
        "_stream",
        "_tasks",
        "_timeout",
        "_timer",
        "_workers",
    )

    def __init__(
        self,
        batch: Batch,
        call: Callable[[Any], Any],
        *,
        is_async: bool,
        parse: Callable[[Mapping[str, Any]], Any] | None,
        options: Options,
        deadline: float | None,
        bind: RecordBinder | None,
        started: float,
    ) -> None:
        count = self._count = len(batch.records)
        self._deadline = deadline
        self._started = started
        self._batch = batch
        self._records = batch.records
        self._identifiers = batch.identifiers
        self._call = call
        self._is_async = is_async
        self._parse = parse
        self._bind = bind
        self._max_concurrency = options.max_concurrency
        self._timeout = options.record_timeout
        self._stream = batch.stream
        self._stop_on_failure = options.stop_on_first_failure
        self._margin = options.deadline_margin

        self._results: list[Any] = [None] * count
        self._exceptions: list[BaseException | None] = [None] * count
        self._durations: list[float | None] = [None] * count
        self._settled = bytearray(count)
        self._open = count

        # Ordering: without keys, records are taken in index order from _next.
        # With keys, the head of each key's chain is in _heap, the rest wait.
        self._keys = batch.keys
        self._next = 0
        self._heap: list[int] = []
        self._chains: dict[Hashable, deque[int]] = {}
        if self._keys is not None:
            self._build_chains(self._keys)

        self._closed = False
        self._workers: set[_Worker] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._running = 0
        self._peak = 0
        self._abandoned = 0
        self._fatal: BaseException | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._deadline_timer: asyncio.TimerHandle | None = None
        self._grow_timer: asyncio.TimerHandle | None = None
        self._lock: Any = threading.Lock() if not is_async else _NO_LOCK
        self._loop: asyncio.AbstractEventLoop
        self._done: asyncio.Future[None]

    # -- ordering ----------------------------------------------------------------

    def _build_chains(self, keys: list[Hashable]) -> None:
        chains = self._chains
        heap = self._heap
        for index, key in enumerate(keys):
            chain = chains.get(key)
            if chain is None:
                chains[key] = deque()
                heap.append(index)  # indexes ascend, so the list is a heap
            else:
                chain.append(index)

    def _take(self) -> int | None:
        """The runnable record with the lowest index, or None.

        Past the deadline nothing is taken, and the deadline is enforced here
        and now: async handlers that never await leave the loop no turn in which
        its timer could fire.
        """
        if self._closed:
            return None

        if self._deadline is not None and _clock() >= self._deadline:
            self._expire_locked()
            return None

        if self._keys is None:
            index = self._next
            if index >= self._count:
                return None

            self._next = index + 1
            return index

        heap = self._heap
        settled = self._settled
        while heap:
            index = heapq.heappop(heap)
            if not settled[index]:
                return index

        return None

    def _advance(self, index: int, failed: bool) -> None:
        """Release or forbid what waits on ``index``, which was just settled."""
        keys = self._keys
        if keys is not None:
            key = keys[index]
            chain = self._chains.get(key)
            if chain:
                if failed:
                    del self._chains[key]
                    self._skip(chain, index, "ordering key")
                else:
                    heapq.heappush(self._heap, chain.popleft())

        if failed and (self._stream or self._stop_on_failure):
            self._skip_unstarted(index)

    def _skip_unstarted(self, failed: int) -> None:
        """Skip every record not yet started that ``failed`` forbids."""
        # stop_on_first_failure forbids everything not yet started, on any
        # source; otherwise a stream resumes from its lowest failure, so only the
        # records positioned after it are forbidden.
        if self._stop_on_failure:
            after, reason = -1, "stop on first failure"
        else:
            after, reason = failed, "stream position"

        if self._keys is None:
            start = max(self._next, after + 1)
            self._skip(range(start, self._count), failed, reason)
            self._next = self._count
            return

        heap = self._heap
        self._skip((i for i in heap if i > after), failed, reason)
        self._heap = [i for i in heap if i <= after]
        heapq.heapify(self._heap)
        for key, chain in list(self._chains.items()):
            self._skip((i for i in chain if i > after), failed, reason)
            kept = deque(i for i in chain if i <= after)
            if kept:
                self._chains[key] = kept
            else:
                del self._chains[key]

    def _skip(self, indexes: Any, failed: int, reason: str) -> None:
        settled = self._settled
        for index in indexes:
            if not settled[index]:
                self._store(index, None, RecordSkippedError(failed, reason), None)

    # -- settlement --------------------------------------------------------------

    def _store(
        self,
        index: int,
        result: Any,
        exception: BaseException | None,
        duration: float | None,
    ) -> None:
        self._settled[index] = 1
        self._results[index] = result
        self._exceptions[index] = exception
        self._durations[index] = duration
        self._open -= 1
        if not self._open:
            self._signal_done()

    def _finish(
        self,
        index: int,
        result: Any,
        exception: BaseException | None,
        duration: float | None,
    ) -> None:
        """Settle a record that was taken, unless something settled it first."""
        if self._settled[index]:
            return

        self._store(index, result, exception, duration)
        if self._keys is not None or exception is not None:
            self._advance(index, exception is not None)

    def _signal_done(self) -> None:
        if self._is_async:
            if not self._done.done():
                self._done.set_result(None)
        else:
            with contextlib.suppress(RuntimeError):  # the loop was closed under us
                self._loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        if not self._done.done():
            self._done.set_result(None)

    def _fail_fatally(self, exc: BaseException) -> None:
        if self._fatal is None:
            self._fatal = exc

        self._closed = True
        if self._is_async:
            self._wake()
        else:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._wake)

    # -- the batch ---------------------------------------------------------------

    async def execute(self) -> BatchResult:
        """Run the batch on the running loop, in the caller's task."""
        done = self._start(asyncio.get_running_loop())
        with self:  # leaving it stops the timers; an exception stops the batch
            await done

        stragglers = self._stragglers()
        if stragglers:
            await self._reap(stragglers)

        return self._result()

    def execute_blocking(self, loop: asyncio.AbstractEventLoop) -> BatchResult:
        """Run the batch on ``loop``, which is not running, until it is done.

        The same steps as :meth:`execute`. The sync API comes here rather than
        running :meth:`execute` as a task of its own: that task would cost two
        more turns of the loop per batch (its first step, and its wake-up when the
        last record is settled).
        """
        done = self._start(loop)
        with self:
            loop.run_until_complete(done)

        stragglers = self._stragglers()
        if stragglers:
            loop.run_until_complete(self._reap(stragglers))

        return self._result()

    def _start(self, loop: asyncio.AbstractEventLoop) -> asyncio.Future[None]:
        """Start the workers and timers; the future is done when the batch is."""
        self._loop = loop
        self._done = loop.create_future()
        if not self._is_async:
            _threads.check_capacity()

        deadline = self._deadline
        if deadline is not None:
            delay = deadline - _clock()
            if delay <= 0:
                self._expire()
            else:
                self._deadline_timer = loop.call_later(delay, self._expire)

        if not self._closed:
            if self._is_async:
                # One worker first; the rest join after its first step. When
                # handlers finish without suspending, that one worker has run
                # every record by then and no other task is ever made.
                self._spawn()
                loop.call_soon(self._ramp_up)
            else:
                # One thread first, for the same reason, and the loop looks
                # again shortly whether more would help (see _grow).
                with self._lock:
                    self._spawn()
                self._watch_threads()

            if self._timeout is not None:
                self._timer = loop.call_later(self._timeout, self._check_timeouts)

        observer = _observer.get()
        if observer is not None:
            self._report(observer)

        return self._done

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        """The wait for the batch ended: stop the timers, and on an exception
        (the caller cancelled, the loop is going down) stop everything and let it
        propagate without a result.
        """
        if exc_type is not None:
            self._close()

        if self._deadline_timer is not None:
            self._deadline_timer.cancel()

        if self._timer is not None:
            self._timer.cancel()

        if self._grow_timer is not None:
            self._grow_timer.cancel()

    def _stragglers(self) -> list[asyncio.Task[None]]:
        """Raise what a worker carried out fatally; else the workers still running."""
        if self._fatal is not None:
            self._close()
            raise self._fatal

        return [task for task in self._tasks if not task.done()]

    def _result(self) -> BatchResult:
        return BatchResult(
            self._batch.event_type,
            self._identifiers,
            self._results,
            self._exceptions,
            self._durations,
            abandoned_threads=self._abandoned,
            peak_concurrency=self._peak,
            duration=_clock() - self._started,
        )

    def _report(self, observer: Callable[[int], None]) -> None:
        observer(len(self._settled) - self._open)
        if self._open:
            self._loop.call_later(PROGRESS_INTERVAL, self._report, observer)

    def _close(self) -> None:
        with self._lock:
            self._close_locked()

    async def _reap(self, tasks: list[asyncio.Task[None]]) -> None:
        """Wait for async workers; give those that ignore cancellation a grace."""
        grace = CANCEL_GRACE
        if self._deadline is not None:
            halfway = self._deadline + self._margin / 2
            grace = max(0.0, min(grace, halfway - _clock()))

        _, pending = await asyncio.wait(tasks, timeout=grace)
        if pending:
            from ._logging import log_stragglers

            log_stragglers(len(pending))

    def _ramp_up(self) -> None:
        """Add workers up to the bound, or as many as there are runnable records."""
        with self._lock:
            if self._closed:
                return

            # With ordering keys only the head of each key can run; a worker that
            # finishes a record takes its key's next one itself.
            runnable = (
                self._count - self._next if self._keys is None else len(self._heap)
            )
            for _ in range(min(self._max_concurrency - len(self._workers), runnable)):
                self._spawn()

    def _watch_threads(self) -> None:
        """Have :meth:`_grow` look at the worker threads in GROW_AFTER."""
        due = self._loop.time() + GROW_AFTER
        self._grow_timer = self._loop.call_at(due, self._grow, due)

    def _grow(self, due: float) -> None:
        """Add worker threads if their handlers wait rather than compute.

        To run this, the loop's thread needed the interpreter lock. A handler
        that holds it (pure Python work, a no-op) keeps it until Python makes it
        let go, a switch interval later; more threads would only take turns at
        it, and handing it over costs more than they give. A handler that waits
        (for I/O, or in C code that releases the lock) lets the loop in at once,
        and then every runnable record gets a thread, up to the bound. It takes
        a handler that has run for a while too: the loop may also get in at once
        merely because the first thread has not started yet.
        """
        self._grow_timer = None
        now = self._loop.time()
        if now - due < sys.getswitchinterval() / 2:
            since = _clock() - GROW_AFTER / 2
            for worker in list(self._workers):
                current = worker.current
                if current is not None and current[1] <= since:
                    self._ramp_up()
                    break

        with self._lock:
            # Records still to take: runnable, or waiting behind their key.
            untaken = (
                self._next < self._count
                if self._keys is None
                else bool(self._heap or self._chains)
            )
            if (
                untaken
                and not self._closed
                and len(self._workers) < self._max_concurrency
            ):
                self._watch_threads()

    def _spawn(self) -> None:
        worker = _Worker()
        self._workers.add(worker)
        if self._is_async:
            worker.task = self._loop.create_task(_in_contexts(worker, self._work_async))
            self._tasks.append(worker.task)
        else:
            context = contextvars.copy_context()
            _threads.start(lambda: self._work_thread(worker, context))

    def _abandon(self, worker: _Worker) -> None:
        """Stop ``worker``: it settles nothing more. Call with the lock held."""
        if worker.abandoned:
            return

        worker.abandoned = True
        self._workers.discard(worker)
        if worker.index is not None:
            self._running -= 1

        if worker.current is not None and not self._is_async:
            worker.stuck = True
            self._abandoned += 1
            _threads.track_abandoned()

        if worker.task is not None:
            worker.task.cancel()

        if worker.future is not None:
            worker.future.cancel()

    # -- time --------------------------------------------------------------------

    def _check_timeouts(self) -> None:
        """The record timeout watchdog: one timer for the whole batch."""
        assert self._timeout is not None
        timeout = self._timeout
        self._timer = None
        with self._lock:
            if self._closed:
                return

            now = _clock()
            next_check = now + timeout
            for worker in list(self._workers):
                current = worker.current
                if current is None:
                    continue

                index, started = current
                due = started + timeout
                if due <= now:
                    self._abandon(worker)
                    self._finish(
                        index, None, RecordTimeoutError(timeout), now - started
                    )
                    if not self._closed:
                        self._spawn()
                elif due < next_check:
                    next_check = due

            if self._open:
                self._timer = self._loop.call_later(
                    next_check - now, self._check_timeouts
                )

    def _expire(self) -> None:
        """The soft deadline: nothing starts, everything open fails."""
        with self._lock:
            self._expire_locked()

    def _expire_locked(self) -> None:
        now = _clock()
        running = dict(
            worker.current for worker in self._workers if worker.current is not None
        )
        self._close_locked()

        settled = self._settled
        for index in range(len(settled)):
            if not settled[index]:
                started = running.get(index)
                if started is None:
                    self._store(index, None, DeadlineExceededError(False), None)
                else:
                    error = DeadlineExceededError(True)
                    self._store(index, None, error, now - started)

    def _close_locked(self) -> None:
        self._closed = True
        for worker in list(self._workers):
            self._abandon(worker)

    # -- workers -----------------------------------------------------------------

    def _hand_out(self, worker: _Worker) -> int | None:
        """Give ``worker`` its first record. In thread mode, with the lock held.

        The record counts as in flight from here until it is settled.
        """
        if worker.abandoned:
            return None

        index = self._take()
        if index is not None:
            worker.index = index
            self._running += 1
            self._peak = max(self._peak, self._running)

        return index

    def _turn_in(
        self,
        worker: _Worker,
        result: Any,
        exception: BaseException | None,
        duration: float | None,
    ) -> int | None:
        """Settle the record ``worker`` holds and give it its next one, if any.

        In thread mode, call with the lock held. A worker that goes on from one
        record to the next stays in flight, so the count of running records is
        only touched when it stops.
        """
        index = worker.index
        assert index is not None
        worker.current = None
        timeout = self._timeout
        if timeout is not None and duration is not None and duration > timeout:
            # Past its limit before the watchdog could act: an async handler
            # that blocked the loop, or a loop held up by other work.
            result, exception = None, RecordTimeoutError(timeout)

        # _finish and _store, written out: this runs once per record.
        settled = self._settled
        if not settled[index]:
            settled[index] = 1
            if result is not None:
                self._results[index] = result
            if exception is not None:
                self._exceptions[index] = exception
            self._durations[index] = duration
            self._open -= 1
            if not self._open:
                self._signal_done()

            if self._keys is not None or exception is not None:
                self._advance(index, exception is not None)

        if worker.abandoned:
            # _abandon took it out of the running count already.
            worker.index = None
            return None

        # Holding no record while it takes the next, the worker is left to this
        # function to count, even if _take reaches the deadline and abandons it.
        worker.index = None
        worker.index = index = self._take()
        if index is None:
            self._running -= 1

        return index

    async def _work_async(self, worker: _Worker) -> None:
        records = self._records
        identifiers = self._identifiers
        parse = self._parse
        call = self._call
        bind = self._bind
        turn_in = self._turn_in
        caller = contextvars.copy_context()
        # Python 3.10 cannot tell whether a cancellation is pending: there, one
        # that a handler requested for its own task without awaiting after it
        # lands in the next record this worker runs.
        task = asyncio.current_task()
        assert task is not None
        cancelling = getattr(task, "cancelling", None)
        try:
            index = self._hand_out(worker)
            while index is not None:
                record: Any = records[index]
                if parse is not None:
                    try:
                        record = parse(record)
                    except Exception as exc:  # noqa: BLE001 - the payload's failure
                        index = turn_in(worker, None, exc, None)
                        continue

                # From the switch on, every step runs in the record's own context.
                worker.context = caller.copy()
                await _switch()
                if bind is not None:
                    bind(index, identifiers[index])

                started = _clock()
                worker.current = (index, started)
                error: BaseException | None = None
                result = None
                try:
                    result = await call(record)
                    if result is not None and inspect.isawaitable(result):
                        result = await result
                except (KeyboardInterrupt, SystemExit):
                    raise
                except BaseException as exc:  # noqa: BLE001 - fails this record only
                    # A CancelledError too: asyncbatch only ever cancels a worker
                    # it has abandoned, so otherwise the handler raised it.
                    error = exc

                # Abandoned, the worker owns nothing any more: its record was
                # settled, and a GeneratorExit means its task is being destroyed.
                if worker.abandoned:
                    return

                if cancelling is not None and cancelling():
                    error = await _take_back_cancel(task, error)
                    if worker.gone():
                        return

                index = turn_in(worker, result, error, _clock() - started)
        except (KeyboardInterrupt, SystemExit) as exc:
            self._fail_fatally(exc)
        finally:
            self._workers.discard(worker)

    def _work_thread(self, worker: _Worker, context: contextvars.Context) -> None:
        try:
            self._thread_loop(worker, context)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's task
            with self._lock:
                if not worker.abandoned:
                    self._fail_fatally(exc)
        finally:
            with self._lock:
                self._workers.discard(worker)

            if worker.stuck:
                _threads.release_abandoned()

    def _thread_loop(self, worker: _Worker, caller: contextvars.Context) -> None:
        # One lock round per record: settling a record and taking the next happen
        # together. worker.current is written without the lock (one attribute
        # store); the abandoned check right after it closes the gap with the
        # deadline, which settles a record as "not started" while current is None.
        records = self._records
        identifiers = self._identifiers
        parse = self._parse
        call = self._call
        bind = self._bind
        lock = self._lock
        with lock:
            index = self._hand_out(worker)

        while index is not None:
            record: Any = records[index]
            result = None
            error: BaseException | None = None
            duration = None
            if parse is not None:
                try:
                    record = parse(record)
                except Exception as exc:  # noqa: BLE001 - the payload's failure
                    error = exc

            if error is None:
                context = caller.copy()
                if bind is not None:
                    context.run(bind, index, identifiers[index])

                started = _clock()
                worker.current = (index, started)
                if worker.abandoned:
                    return

                try:
                    result = context.run(call, record)
                    if result is not None and inspect.isawaitable(result):
                        result = context.run(self._await_on_loop, result, worker)
                except (KeyboardInterrupt, SystemExit):
                    raise
                except BaseException as exc:  # noqa: BLE001 - fails this record only
                    error = exc

                duration = _clock() - started

            with lock:
                if worker.abandoned:
                    return

                index = self._turn_in(worker, result, error, duration)

    def _await_on_loop(self, awaitable: Awaitable[Any], worker: _Worker) -> Any:
        """Await what a sync handler returned, on the loop, from its thread."""
        future = asyncio.run_coroutine_threadsafe(_awaited(awaitable), self._loop)
        with self._lock:
            if worker.abandoned:
                future.cancel()

            worker.future = future

        try:
            return future.result()
        finally:
            worker.future = None


async def _take_back_cancel(
    task: asyncio.Task[Any], error: BaseException | None
) -> BaseException | None:
    """Undo a cancellation that a record handler requested for its worker's task.

    With a task per record, that task would end cancelled if the cancellation
    was still pending when the handler returned, so a record that succeeded
    fails with it; one the handler received and swallowed, or one pending over
    the handler's own exception, changes nothing. Either way the worker's task
    takes it back, so that it does not land in the next record. Returns the
    record's failure, or None for a success. Python 3.11+ only.
    """
    if not isinstance(error, asyncio.CancelledError):
        try:
            await asyncio.sleep(0)  # a pending cancellation is delivered here
        except asyncio.CancelledError as exc:
            if error is None:
                error = exc

    task.uncancel()  # type: ignore[attr-defined]
    return error


async def _awaited(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


#: What a worker yields to make its driver enter ``worker.context``.
_SWITCH: Final = object()


@types.coroutine
def _switch() -> Generator[Any, None, None]:
    """Have the driver run every later step of the worker in ``worker.context``."""
    yield _SWITCH


async def _in_contexts(
    worker: _Worker, work: Callable[[_Worker], Coroutine[Any, Any, None]]
) -> None:
    """Run an async worker, its steps in ``worker.context`` (the task's at first)."""
    worker.context = contextvars.copy_context()
    await _driven(worker, work(worker))


@types.coroutine
def _driven(
    worker: _Worker, steps: Coroutine[Any, Any, None]
) -> Generator[Any, Any, None]:
    """Run ``steps`` with each of its steps inside the worker's current context.

    Each record's handler gets its own copy of the caller's context, as a task
    would, without the cost of a task per record: the worker sets
    ``worker.context`` and yields ``_SWITCH`` before each record, and from then on
    this driver runs its steps in that context. What one handler sets is not seen
    by the next record its worker runs.
    """
    send = steps.send
    throw = steps.throw
    value: Any = None
    error: BaseException | None = None
    while True:
        context = worker.context
        assert context is not None
        try:
            if error is None:
                yielded = context.run(send, value)
            else:
                yielded = context.run(throw, error)
        except StopIteration:
            return

        value = error = None
        if yielded is _SWITCH:
            continue

        try:
            value = yield yielded
        except GeneratorExit:
            steps.close()
            raise
        except BaseException as exc:  # noqa: BLE001 - passed on to the steps
            error = exc


class _NoLock:
    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        return None


_NO_LOCK: Final = _NoLock()
