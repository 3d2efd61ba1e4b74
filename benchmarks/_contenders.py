"""Building the contenders: asyncbatch, Powertools and the bare peers, ready to run.

Process-wide state lives here: the warm loop of the async peers, Powertools'
"Lambda mode" (``LAMBDA_TASK_ROOT`` set and a current event loop on the main thread)
and the persistent thread pools. :func:`close` releases all of it.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks import _peers, _workloads

Event = dict[str, Any]
Runner = Callable[[Event], Any]


#: The TaskGroup peer's name; on Python 3.10 it is gather with a Semaphore.
TASKGROUP = "TaskGroup+Semaphore" if _peers.HAS_TASKGROUP else "gather+Semaphore"


class Unavailable(Exception):
    """The contender cannot run here (a library or an API is missing)."""


_warm_loop: _peers.WarmLoop | None = None
_lambda_loop: asyncio.AbstractEventLoop | None = None
_executors: dict[int, ThreadPoolExecutor] = {}
_log_sinks: list[io.TextIOBase] = []


def warm_loop() -> _peers.WarmLoop:
    """The persistent loop the async peers run on, made on first use."""
    global _warm_loop
    if _warm_loop is None:
        _warm_loop = _peers.WarmLoop()
    return _warm_loop


def lambda_mode() -> None:
    """Put the process in the state a warm Lambda process has for Powertools.

    ``LAMBDA_TASK_ROOT`` makes Powertools' async processor reuse the current loop
    instead of calling ``asyncio.run``. Its first invocation would make that loop and
    set it current; doing so here, once, spares the harness the deprecation warning
    that ``asyncio.get_event_loop()`` gives for a missing loop on Python 3.12+.
    """
    global _lambda_loop
    os.environ.setdefault("LAMBDA_TASK_ROOT", str(Path(__file__).resolve().parent))
    if _lambda_loop is None:
        _lambda_loop = asyncio.new_event_loop()
        asyncio.set_event_loop(_lambda_loop)


def executor(workers: int) -> ThreadPoolExecutor:
    """A persistent thread pool of ``workers`` threads, shared by name."""
    pool = _executors.get(workers)
    if pool is None:
        pool = _executors[workers] = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix=f"bench-pool-{workers}"
        )
    return pool


def close() -> None:
    """Close the loops and join the thread pools the contenders made."""
    global _warm_loop, _lambda_loop
    if _warm_loop is not None:
        _warm_loop.close()
        _warm_loop = None
    if _lambda_loop is not None:
        asyncio.set_event_loop(None)
        _lambda_loop.close()
        _lambda_loop = None
    for pool in _executors.values():
        pool.shutdown(wait=True)
    _executors.clear()
    for sink in _log_sinks:
        sink.close()
    _log_sinks.clear()


def with_root_log_handler(runner: Runner) -> Runner:
    """``runner`` with a handler on the root logger while it runs, as in Lambda.

    Lambda's Python runtime installs a handler on the root logger, so every log
    event a library emits at WARNING is formatted and written. This handler writes
    to ``os.devnull`` with a format like the runtime's; it is removed after each
    batch so that no other contender runs with it.
    """
    sink = open(os.devnull, "w")  # noqa: SIM115  (closed by close())
    _log_sinks.append(sink)
    handler = logging.StreamHandler(sink)
    handler.setFormatter(
        logging.Formatter("[%(levelname)s]\t%(asctime)s\t%(name)s\t%(message)s")
    )
    root = logging.getLogger()

    def run(event: Event) -> Any:
        root.addHandler(handler)
        try:
            return runner(event)
        finally:
            root.removeHandler(handler)

    return run


def asyncbatch_runner(handler: Callable[..., Any], **options: Any) -> Runner:
    """asyncbatch's sync entry point, as a Lambda function calls it."""
    import asyncbatch

    processor = asyncbatch.BatchProcessor(**options)
    process = asyncbatch.process_partial_response

    def run(event: Event) -> Any:
        return process(event, handler, processor=processor)

    return run


def asyncbatch_async_runner(handler: Callable[..., Any], **options: Any) -> Runner:
    """asyncbatch's async entry point, awaited on the async peers' plain loop.

    The sync entry point runs on asyncbatch's own loop; this row shows what the
    same batch costs on a plain asyncio loop, as the peers have.
    """
    import asyncbatch

    processor = asyncbatch.BatchProcessor(**options)
    process = asyncbatch.process_partial_response_async
    loop = warm_loop()

    def run(event: Event) -> Any:
        return loop.run(process(event, handler, processor=processor))

    return run


def powertools_runner(
    handler: Callable[..., Any], *, asynchronous: bool = True, model: bool = False
) -> Runner:
    """Powertools' async (in Lambda mode) or sequential processor."""
    try:
        pydantic_model = _peers.powertools_model() if model else None
        if asynchronous:
            lambda_mode()
            call = _peers.powertools_async(pydantic_model)
        else:
            call = _peers.powertools_sync(pydantic_model)
    except ImportError as exc:
        raise Unavailable(f"Powertools is not installed ({exc})") from None

    def run(event: Event) -> Any:
        return call(event, handler)

    return run


def async_peer_runner(
    peer: Callable[..., Any], handler: Callable[..., Any], *args: Any
) -> Runner:
    """An async peer run to completion on the warm loop."""
    if peer is _peers.aiometer_batch:
        _require("aiometer")
    loop = warm_loop()

    def run(event: Event) -> Any:
        return loop.run(peer(event, handler, *args))

    return run


def for_loop_runner(handler: Callable[..., Any]) -> Runner:
    """The plain for loop in the calling thread."""

    def run(event: Event) -> Any:
        return _peers.for_loop_batch(event, handler)

    return run


def thread_pool_runner(handler: Callable[..., Any], *, workers: int) -> Runner:
    """``executor.map`` on the persistent pool of ``workers`` threads."""
    pool = executor(workers)

    def run(event: Event) -> Any:
        return _peers.thread_pool_batch(event, handler, pool)

    return run


def _require(module: str) -> None:
    import importlib

    try:
        importlib.import_module(module)
    except ImportError as exc:
        raise Unavailable(f"{module} is not installed ({exc})") from None


def same_failures(response: Any, expected: Any, *, ordered: bool = False) -> bool:
    """Whether ``response`` lists the expected failures (in order when ``ordered``).

    Powertools lists failures in completion order, so peers are compared as sets;
    asyncbatch promises batch order and is compared exactly.
    """
    if not isinstance(response, dict) or "batchItemFailures" not in response:
        return False
    if ordered:
        return bool(response == expected)

    got = [entry["itemIdentifier"] for entry in response["batchItemFailures"]]
    want = [entry["itemIdentifier"] for entry in expected["batchItemFailures"]]
    return len(got) == len(want) and set(got) == set(want)


def async_batch_runner(name: str, failing: frozenset[str], limit: int = 10) -> Runner:
    """A runner of the no-op, 10%-failing async workload for contender ``name``."""
    if name == "asyncbatch":
        return asyncbatch_runner(_workloads.async_failing("attr", failing))
    if name == "asyncbatch model=dict":
        return asyncbatch_runner(_workloads.async_failing("dict", failing), model=dict)
    if name == "Powertools async":
        return powertools_runner(_workloads.async_failing("attr", failing))
    if name == "Powertools async +model":
        handler = _workloads.async_failing("camel", failing)
        return powertools_runner(handler, model=True)

    handler = _workloads.async_failing("dict", failing)
    if name == TASKGROUP:
        return async_peer_runner(_peers.taskgroup_batch, handler, limit)
    if name == "anyio+CapacityLimiter":
        return async_peer_runner(_peers.anyio_batch, handler, limit)
    if name == "aiometer":
        return async_peer_runner(_peers.aiometer_batch, handler, limit)
    raise ValueError(f"unknown contender {name!r}")
