"""Fixtures shared by the core runtime tests.

- ``anyio_backend``: asyncio. ``process_async`` is asyncio-only by contract.
- ``shared_events``: the real Lambda fixtures in ``../shared/events``, or a skip.
- ``gate``: threading events that the test's teardown always releases, so that a
  record handler that "blocks forever" never outlives its test.
- ``spy``: counts record handlers in flight and remembers the peak.
- ``typed_records``: the ``asyncbatch._records`` module.
- ``eventually``: awaits a condition that another thread makes true, or fails.
- an autouse check that no handler thread is left running after a test.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from asyncbatch import _threads

SHARED_EVENTS = Path(__file__).resolve().parents[1].parent / "shared" / "events"

#: How long teardown waits for released handler threads to return.
THREAD_GRACE = 5.0


@pytest.fixture
def anyio_backend() -> str:
    """Run anyio tests on asyncio: the runtime is asyncio (and uvloop) only."""
    return "asyncio"


@pytest.fixture
def shared_events() -> Path:
    """The folder of real Lambda event fixtures, or skip when it is absent."""
    if not SHARED_EVENTS.is_dir():
        pytest.skip(
            f"the shared Lambda event fixtures are not at {SHARED_EVENTS} "
            "(they live beside the repository, in ../shared/events)"
        )
    return SHARED_EVENTS


@pytest.fixture
def typed_records() -> ModuleType:
    """The typed records module, ``asyncbatch._records``."""
    from asyncbatch import _records

    return _records


@pytest.fixture
def gate() -> Iterator[Callable[[], threading.Event]]:
    """A factory of threading events, every one of them set at teardown."""
    made: list[threading.Event] = []

    def new() -> threading.Event:
        event = threading.Event()
        made.append(event)
        return event

    yield new

    for event in made:
        event.set()


Eventually = Callable[..., Awaitable[None]]


async def _eventually(condition: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s: {condition}")
        await asyncio.sleep(0.005)


@pytest.fixture
def eventually() -> Eventually:
    """``await eventually(condition)``: poll the loop until it holds (5 s at most).

    For conditions that threads make true, where no loop event can be awaited.
    """
    return _eventually


class Spy:
    """Counts record handlers in flight; usable from threads and from the loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reached = threading.Condition(self._lock)
        self.active = 0
        self.peak = 0
        self.started: list[object] = []
        self.finished: list[object] = []
        self.intervals: dict[object, tuple[float, float]] = {}
        self._starts: dict[object, float] = {}

    def enter(self, name: object = None) -> int:
        """Note a handler starting; return how many run now, itself included."""
        with self._lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
            self.started.append(name)
            self._starts[name] = time.monotonic()
            self._reached.notify_all()
            return self.active

    def leave(self, name: object = None) -> None:
        """Note a handler ending."""
        with self._lock:
            self.active -= 1
            self.finished.append(name)
            start = self._starts.get(name)
            if start is not None:
                self.intervals[name] = (start, time.monotonic())
            self._reached.notify_all()

    def wait_started(self, count: int, timeout: float = 5.0) -> bool:
        """Block until ``count`` handlers have started (from a thread only)."""
        with self._reached:
            return self._reached.wait_for(
                lambda: len(self.started) >= count, timeout=timeout
            )


@pytest.fixture
def spy() -> Spy:
    """A fresh :class:`Spy`."""
    return Spy()


def _foreign_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    return [
        thread
        for thread in threading.enumerate()
        if thread not in before and thread.is_alive() and not thread.daemon
    ]


@pytest.fixture(autouse=True)
def _no_handler_left_running() -> Iterator[None]:
    """After teardown, no handler thread is still running and none is stuck.

    Idle pooled worker threads are kept on purpose (they serve the next warm
    invocation); what must not outlive a test is a thread inside a handler, seen
    as the process-wide abandoned count, or a non-daemon thread it started.
    """
    before = set(threading.enumerate())
    abandoned = _threads.abandoned_threads()

    yield

    # Autouse fixtures are set up first and torn down last: every gate of the
    # test has been released by now.
    deadline = time.monotonic() + THREAD_GRACE
    while time.monotonic() < deadline:
        if _threads.abandoned_threads() <= abandoned and not _foreign_threads(before):
            break
        time.sleep(0.01)

    assert _threads.abandoned_threads() <= abandoned, (
        "a worker thread is still inside a record handler after teardown"
    )
    leftover = _foreign_threads(before)
    assert not leftover, f"non-daemon threads left running: {leftover}"
