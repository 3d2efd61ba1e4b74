"""The persistent event loop behind the sync API.

A warm Lambda process runs many invocations. Objects that user code binds to a loop
in one invocation (an ``asyncio.Lock``, an HTTP session, a database pool) must keep
working in the next, so every sync call in a thread runs on the same loop, made on
first use. A loop that other code closed, or one inherited across a fork, is replaced.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["run"]

T = TypeVar("T")


class _LoopSlot(threading.local):
    loop: asyncio.AbstractEventLoop | None = None
    pid: int = -1


_slot = _LoopSlot()


def _persistent_loop() -> asyncio.AbstractEventLoop:
    loop = _slot.loop
    pid = os.getpid()
    if loop is None or loop.is_closed() or _slot.pid != pid:
        loop = asyncio.new_event_loop()
        _slot.loop = loop
        _slot.pid = pid
    return loop


def run(coro: Coroutine[Any, Any, T], *, async_api: str = "process_async") -> T:
    """Run ``coro`` to completion on this thread's persistent loop.

    :raises RuntimeError: when this thread is already running an event loop; the
        message names ``async_api``, the coroutine API to await instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        coro.close()
        raise RuntimeError(
            f"this thread is already running an event loop; "
            f"use 'await {async_api}(...)' instead of the sync API"
        )

    return _persistent_loop().run_until_complete(coro)
