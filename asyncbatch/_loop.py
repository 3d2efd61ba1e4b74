"""The persistent event loop behind the sync API.

A warm Lambda process runs many invocations. Objects that user code binds to a loop
in one invocation (an ``asyncio.Lock``, an HTTP session, a database pool) must keep
working in the next, so every sync call in a thread runs on the same loop, made on
first use and kept for the life of the thread. A loop that other code closed is
replaced; so is a loop inherited across a fork, which belongs to the parent.

The loop is never installed as the thread's "current" loop and no event loop policy
is touched: :func:`asyncio.get_running_loop` inside the coroutines is all that code
running on it needs, and policies are deprecated from Python 3.14 on.

See ``docs/loop.md`` for the whole lifecycle.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import functools
import inspect
import os
import select
import selectors
import sys
import threading
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

__all__ = ["lambda_handler", "loop_for_sync_call", "run", "use_loop_factory"]

T = TypeVar("T")
P = ParamSpec("P")

LoopFactory = Callable[[], asyncio.AbstractEventLoop]

#: The environment variable that chooses the loop implementation when
#: :func:`use_loop_factory` was not called: ``asyncio`` (the default) or ``uvloop``.
LOOP_ENV_VAR = "ASYNCBATCH_LOOP"

_factory: LoopFactory | None = None

# Every loop this module made and has not closed yet, with the pid that made it.
# The strong references matter after a fork: the child drops the thread states of
# the parent's other threads before any at-fork hook runs, and a loop freed then
# would close itself and take the parent's registrations out of the shared epoll
# instance (see _release_inherited).
_registry: dict[asyncio.AbstractEventLoop, int] = {}
_registry_lock = threading.Lock()

# Loops inherited across a fork that could not be released safely; kept referenced
# so that the garbage collector never closes them in the child.
_inherited: list[asyncio.AbstractEventLoop] = []


class _ThreadLoop:
    """The persistent loop of one thread; closes it when the thread ends."""

    __slots__ = ("loop", "pid")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.pid = os.getpid()

    def __del__(self) -> None:
        # Runs when the thread's locals are cleared, that is when the thread ends.
        # A loop made by another process is left to _release_inherited. A loop
        # closed already (at exit, by user code) needs nothing, which matters late
        # in interpreter shutdown, when this module's globals may be gone.
        if self.pid == os.getpid() and not self.loop.is_closed():
            _close(self.loop)


class _Slot(threading.local):
    current: _ThreadLoop | None = None


_slot = _Slot()


def use_loop_factory(factory: LoopFactory | None) -> None:
    """Choose how asyncbatch makes its persistent loops, for example uvloop's.

    The factory is called once per thread (and again after a fork, or after other
    code closed the loop) and must return a new, not running event loop. ``None``
    goes back to the default: the ``ASYNCBATCH_LOOP`` environment variable, else
    asyncio's loop (on Linux, with its waits for timers timed to the microsecond).

    A loop that a thread already has is kept, since objects are bound to it: call
    this at import time, before the first sync call or :func:`run`. A factory
    that returns anything but a new loop fails the call that needed the loop
    (``TypeError`` or ``RuntimeError``); the next call asks the factory again.

    :param factory: a callable returning a new event loop, such as
        ``uvloop.new_event_loop``, or ``None``.
    :raises TypeError: when ``factory`` is neither callable nor ``None``.
    """
    global _factory

    if factory is not None and not callable(factory):
        raise TypeError(
            f"factory must be a callable returning an event loop, or None; "
            f"got {factory!r}"
        )

    _factory = factory


def _new_loop() -> asyncio.AbstractEventLoop:
    if _factory is not None:
        loop: object = _factory()
        if not isinstance(loop, asyncio.AbstractEventLoop):
            raise TypeError(
                f"the factory given to use_loop_factory() must return an event "
                f"loop; {_factory!r} returned {type(loop).__name__}"
            )

        if loop.is_closed() or loop.is_running():
            state = "closed" if loop.is_closed() else "running"
            raise RuntimeError(
                f"the factory given to use_loop_factory() must return a new "
                f"event loop; {_factory!r} returned a {state} one"
            )

        return loop

    choice = os.environ.get(LOOP_ENV_VAR, "").strip().lower()
    if choice in ("", "asyncio"):
        return _asyncio_loop()

    if choice == "uvloop":
        try:
            import uvloop
        except ImportError:
            raise RuntimeError(
                f"{LOOP_ENV_VAR}={os.environ[LOOP_ENV_VAR]!r} asks for uvloop, "
                f"which is not installed; install 'asyncbatch[uvloop]' or unset "
                f"{LOOP_ENV_VAR}"
            ) from None

        return uvloop.new_event_loop()

    raise ValueError(
        f"{LOOP_ENV_VAR} must be 'asyncio' or 'uvloop'; "
        f"got {os.environ[LOOP_ENV_VAR]!r}"
    )


if sys.platform == "linux":

    class _PreciseEpollSelector(selectors.EpollSelector):
        """epoll, with the waits for timers timed to the microsecond.

        ``epoll_wait`` counts whole milliseconds, and :mod:`selectors` rounds a
        wait up to the next one so that it never ends early. So a timer fires up
        to 1 ms late, and when many timers fall due microseconds apart (records
        that awaited the same sleep one after the other), the loop sleeps a whole
        millisecond between them: every wave of concurrent records loses that
        time again. Here a wait with a timeout is a ``select()`` on the epoll
        descriptor itself, which is readable while any descriptor registered in
        it has an event; ``select()`` counts microseconds. The events are then
        collected without waiting.

        ``select()`` takes no descriptor from ``FD_SETSIZE`` (1024) on; where the
        epoll descriptor is that high, the waits stay in whole milliseconds.
        """

        _precise = True

        def select(
            self, timeout: float | None = None
        ) -> list[tuple[selectors.SelectorKey, int]]:
            if timeout is not None and timeout > 0 and self._precise:
                try:
                    ready, _, _ = select.select((self.fileno(),), (), (), timeout)
                except ValueError:  # the descriptor is FD_SETSIZE or above
                    self._precise = False
                    return _epoll_select(self, timeout)

                if not ready:
                    return []

                timeout = 0

            # By name, not through super(): the loop selects on every turn.
            return _epoll_select(self, timeout)

    _epoll_select = selectors.EpollSelector.select


def _asyncio_loop() -> asyncio.AbstractEventLoop:
    """A new asyncio loop; on Linux, one whose timers fire on time."""
    if sys.platform == "linux":
        return asyncio.SelectorEventLoop(_PreciseEpollSelector())
    else:  # the default selector elsewhere (kqueue, say) already waits precisely
        return asyncio.new_event_loop()


def _persistent_loop() -> asyncio.AbstractEventLoop:
    current = _slot.current
    if (
        current is not None
        and current.pid == os.getpid()
        and not current.loop.is_closed()
    ):
        return current.loop

    loop = _new_loop()
    with _registry_lock:
        _registry[loop] = os.getpid()

    # A loop that other code closed is let go; an inherited one was dealt with by
    # the at-fork hook, and its holder does nothing (its pid is the parent's).
    if current is not None and current.pid == os.getpid():
        _forget(current.loop)

    _slot.current = _ThreadLoop(loop)
    return loop


def _forget(loop: asyncio.AbstractEventLoop) -> None:
    with _registry_lock:
        _registry.pop(loop, None)


def _close(loop: asyncio.AbstractEventLoop) -> None:
    """Close one of this process's loops unless it is running or closed already."""
    _forget(loop)
    if not loop.is_closed() and not loop.is_running():
        loop.close()


def _running_loop_error(async_api: str | None) -> RuntimeError:
    if async_api is None:
        advice = "await the coroutine instead"
    else:
        advice = f"use 'await {async_api}(...)' instead of the sync API"

    return RuntimeError(f"this thread is already running an event loop; {advice}")


def run(coro: Coroutine[Any, Any, T], *, async_api: str | None = None) -> T:
    """Run ``coro`` to completion on this thread's persistent loop.

    Every call in a thread uses the same loop, so objects made on it (a session
    opened at cold start, an ``asyncio.Lock``) keep working in later calls and
    later warm invocations. Tasks that ``coro`` leaves running are not cancelled:
    they go on whenever the loop runs next.

    :param coro: the coroutine object to run, e.g. ``run(open_session())``.
    :param async_api: the coroutine API a caller inside a running loop should
        await instead; named in the error message when given.
    :raises TypeError: when ``coro`` is not a coroutine object.
    :raises RuntimeError: when this thread is already running an event loop; await
        the coroutine (or ``async_api``) there instead.
    """
    candidate: object = coro  # checked as an object: callers may pass anything
    if not inspect.iscoroutine(candidate):
        raise TypeError(
            f"run() expects a coroutine object, got {coro!r}; "
            f"call the async function: run(main()), not run(main)"
        )

    try:
        loop = loop_for_sync_call(async_api)
    except BaseException:
        coro.close()  # it never ran; closing it spares a "never awaited" warning
        raise

    return loop.run_until_complete(coro)


def loop_for_sync_call(async_api: str | None = None) -> asyncio.AbstractEventLoop:
    """This thread's persistent loop, for a sync call that is about to run it.

    :param async_api: the coroutine API a caller inside a running loop should
        await instead; named in the error message when given.
    :raises RuntimeError: when this thread is already running an event loop.
    """
    if asyncio._get_running_loop() is not None:
        raise _running_loop_error(async_api)

    return _persistent_loop()


def lambda_handler(
    func: Callable[P, Coroutine[Any, Any, T]],
) -> Callable[P, T]:
    """Make an ``async def`` Lambda handler the sync callable that Lambda calls.

    The wrapper runs ``handler(event, context)`` on this thread's persistent loop,
    the one :func:`run` and the sync API use. The original coroutine function
    stays available as ``__wrapped__``, for callers that already run a loop.

    :param func: the async Lambda handler.
    :raises TypeError: when ``func`` is not an async function.
    """
    call = type(func).__call__
    if not (inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(call)):
        raise TypeError(
            f"lambda_handler expects an 'async def' function, got {func!r}; "
            f"a sync Lambda handler needs no wrapping"
        )

    name = getattr(func, "__qualname__", None) or type(func).__qualname__

    @functools.wraps(func)
    def handler(*args: P.args, **kwargs: P.kwargs) -> T:
        return run(func(*args, **kwargs), async_api=f"{name}.__wrapped__")

    return handler


def _release_inherited(loop: asyncio.AbstractEventLoop) -> None:
    """Let go of a loop that a forked child inherited, without harming the parent.

    The child must not use it: its self-pipe, callbacks and transports are the
    parent's. Nor may it simply close it. An epoll instance is shared across fork,
    and closing the loop takes its self-pipe out of that instance, so the parent's
    loop would no longer wake for ``call_soon_threadsafe`` (thread results, signals).
    For a selector loop on epoll, the child's copy of the epoll descriptor is first
    pointed at a private epoll instance; then closing touches only the child's
    descriptors. Any other loop (uvloop, or one running when the fork happened) is
    kept referenced for the life of the child, never closed.
    """
    selector = getattr(loop, "_selector", None)
    epoll = getattr(selectors, "EpollSelector", None)
    if (
        epoll is not None
        and isinstance(selector, epoll)
        and not loop.is_running()
        and not loop.is_closed()
    ):
        try:
            private = select.epoll()
            try:
                os.dup2(private.fileno(), selector.fileno(), inheritable=False)
            finally:
                private.close()
        except OSError:  # out of descriptors, say: keep it rather than risk it
            _inherited.append(loop)
        else:
            loop.close()
    elif not loop.is_closed():
        _inherited.append(loop)


def _after_fork_in_child() -> None:
    global _registry_lock

    # Only the forking thread exists in the child; another thread of the parent
    # may have held the lock at the fork, so it is replaced, not acquired.
    _registry_lock = threading.Lock()
    loops = list(_registry)
    _registry.clear()
    for loop in loops:
        _release_inherited(loop)


def _close_at_exit() -> None:
    # Close this process's idle loops before interpreter teardown, where a loop
    # freed unclosed would warn. Loops inherited from a parent are not in here.
    pid = os.getpid()
    with _registry_lock:
        loops = [loop for loop, owner in _registry.items() if owner == pid]

    for loop in loops:
        # A daemon thread may start running its loop meanwhile; that one stays.
        with contextlib.suppress(RuntimeError):
            _close(loop)


atexit.register(_close_at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
