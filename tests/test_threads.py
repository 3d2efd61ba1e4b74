"""Sync record handlers in worker threads (SPEC sections 2, 5 and 7, issue 4)."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
import structlog

import asyncbatch
from asyncbatch import RecordTimeoutError, WorkerThreadsExhaustedError, _threads
from asyncbatch.testing import sqs_event

if TYPE_CHECKING:
    from conftest import Eventually

pytestmark = pytest.mark.anyio

Gate = Callable[[], threading.Event]

caller_var: contextvars.ContextVar[str] = contextvars.ContextVar(
    "caller_var", default="unset"
)


def _ids(*ids: str) -> dict[str, Any]:
    return sqs_event([f"body of {i}" for i in ids], message_ids=list(ids))


def _workers() -> set[threading.Thread]:
    return {
        thread
        for thread in threading.enumerate()
        if thread.name.startswith("asyncbatch-worker-")
    }


async def test_blocked_handlers_time_out_and_the_next_invocation_runs(
    gate: Gate, eventually: Eventually
) -> None:
    """Four stuck handlers time out at 0.5 s; a warm invocation after them runs."""
    release = gate()
    before = _threads.abandoned_threads()

    def stuck(record: dict[str, Any]) -> None:
        release.wait(30)

    processor = asyncbatch.BatchProcessor(
        model=dict, record_timeout=0.5, raise_on_entire_batch_failure=False
    )
    start = time.monotonic()
    first = await processor.process_async(_ids("a-1", "a-2", "a-3", "a-4"), stuck)
    assert time.monotonic() - start < 2.0
    assert first.response() == {
        "batchItemFailures": [
            {"itemIdentifier": i} for i in ("a-1", "a-2", "a-3", "a-4")
        ]
    }
    assert all(isinstance(o.exception, RecordTimeoutError) for o in first.outcomes)
    assert first.abandoned_threads == 4
    assert _threads.abandoned_threads() == before + 4

    start = time.monotonic()
    second = await processor.process_async(
        _ids("b-1", "b-2", "b-3"), lambda record: record["messageId"]
    )
    assert time.monotonic() - start < 1.0
    assert second.response() == {"batchItemFailures": []}
    assert [o.result for o in second.outcomes] == ["b-1", "b-2", "b-3"]
    assert second.abandoned_threads == 0

    release.set()
    await eventually(lambda: _threads.abandoned_threads() <= before)


async def test_stuck_handlers_do_not_starve_later_records(gate: Gate) -> None:
    """With both slots stuck, the other records of the batch still get threads."""
    release = gate()

    def handler(record: dict[str, Any]) -> str:
        if record["messageId"] in ("s-1", "s-2"):
            release.wait(30)
        return "done"

    processor = asyncbatch.BatchProcessor(
        model=dict, max_concurrency=2, record_timeout=0.3
    )
    ids = ["s-1", "s-2", "q-1", "q-2", "q-3", "q-4"]
    start = time.monotonic()
    result = await processor.process_async(_ids(*ids), handler)
    assert time.monotonic() - start < 2.0
    assert result.response() == {
        "batchItemFailures": [{"itemIdentifier": "s-1"}, {"itemIdentifier": "s-2"}]
    }
    assert [o.result for o in result.outcomes[2:]] == ["done"] * 4
    assert result.abandoned_threads == 2


async def test_late_exception_of_an_abandoned_thread_is_discarded(
    gate: Gate, eventually: Eventually, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handler that raises after its timeout changes nothing and is not reported."""
    release = gate()
    before = _threads.abandoned_threads()
    raised = threading.Event()
    hooked: list[object] = []
    monkeypatch.setattr(threading, "excepthook", hooked.append)

    def handler(record: dict[str, Any]) -> None:
        release.wait(30)
        raised.set()
        raise RuntimeError("too late")

    processor = asyncbatch.BatchProcessor(
        model=dict, record_timeout=0.2, raise_on_entire_batch_failure=False
    )
    result = await processor.process_async(_ids("m-1"), handler)
    release.set()
    await eventually(raised.is_set)
    await eventually(lambda: _threads.abandoned_threads() <= before)
    assert isinstance(result.outcomes[0].exception, RecordTimeoutError)
    assert hooked == []


async def test_record_timeout_clock_is_the_handler_time(gate: Gate) -> None:
    """The timeout counts from the handler's start, and duration is its own time."""
    release = gate()

    def handler(record: dict[str, Any]) -> None:
        if record["messageId"] == "m-1":
            release.wait(30)
        else:
            time.sleep(0.05)

    processor = asyncbatch.BatchProcessor(
        model=dict, max_concurrency=1, record_timeout=0.4
    )
    result = await processor.process_async(_ids("m-1", "m-2", "m-3"), handler)
    assert result.response() == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    first = result.outcomes[0]
    assert first.duration is not None
    assert 0.4 <= first.duration < 1.5
    for outcome in result.outcomes[1:]:
        assert outcome.duration is not None
        assert outcome.duration < 0.4


async def test_worker_threads_are_daemon_threads_kept_across_invocations() -> None:
    """Handlers run in daemon threads that the next warm invocation reuses."""
    seen: list[tuple[str, bool]] = []
    lock = threading.Lock()

    def handler(record: dict[str, Any]) -> None:
        thread = threading.current_thread()
        with lock:
            seen.append((thread.name, thread.daemon))
        time.sleep(0.01)

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=3)
    await processor.process_async(_ids("a", "b", "c", "d", "e", "f"), handler)
    pool = _workers()
    await processor.process_async(_ids("g", "h", "i", "j", "k", "l"), handler)

    assert all(daemon for _, daemon in seen)
    assert all(name.startswith("asyncbatch-worker-") for name, _ in seen)
    assert _workers() == pool, "the second invocation started new threads"


async def test_sync_handlers_see_a_copy_of_the_callers_contextvars() -> None:
    """Sync handlers see the caller's context values; their changes stay theirs."""
    token = caller_var.set("from the caller")
    seen: list[str] = []
    lock = threading.Lock()

    def handler(record: dict[str, Any]) -> None:
        with lock:
            seen.append(caller_var.get())
        caller_var.set("changed in a handler")

    try:
        processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=1)
        await processor.process_async(_ids("m-1"), handler)
        await processor.process_async(_ids("m-2"), handler)
        assert seen == ["from the caller", "from the caller"]
        assert caller_var.get() == "from the caller"
    finally:
        caller_var.reset(token)


async def test_each_sync_record_starts_from_the_callers_context() -> None:
    """A value one sync handler sets is not seen by the next record's handler."""
    token = caller_var.set("from the caller")
    seen: list[str] = []

    def handler(record: dict[str, Any]) -> None:
        seen.append(caller_var.get())
        caller_var.set(f"set while handling {record['messageId']}")

    try:
        processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=1)
        await processor.process_async(_ids("m-1", "m-2", "m-3"), handler)
    finally:
        caller_var.reset(token)
    assert seen == ["from the caller"] * 3


async def test_each_async_record_starts_from_the_callers_context() -> None:
    """Async handlers get a context of their own per record too, across awaits."""
    token = caller_var.set("from the caller")
    seen: list[str] = []

    async def handler(record: dict[str, Any]) -> None:
        seen.append(caller_var.get())
        caller_var.set(f"set while handling {record['messageId']}")
        await asyncio.sleep(0)
        assert caller_var.get() == f"set while handling {record['messageId']}"
        seen.append(caller_var.get())

    try:
        processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=1)
        result = await processor.process_async(_ids("m-1", "m-2"), handler)
        assert caller_var.get() == "from the caller"
    finally:
        caller_var.reset(token)
    assert not result.failures
    assert seen == [
        "from the caller",
        "set while handling m-1",
        "from the caller",
        "set while handling m-2",
    ]


async def test_structlog_context_holds_the_record_in_sync_handlers() -> None:
    """While a sync handler runs, structlog's contextvars name its record."""
    seen: dict[str, dict[str, Any]] = {}
    lock = threading.Lock()

    def handler(record: dict[str, Any]) -> None:
        with lock:
            seen[record["messageId"]] = structlog.contextvars.get_contextvars()

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=2)
    await processor.process_async(_ids("m-1", "m-2", "m-3"), handler)
    for index, identifier in enumerate(["m-1", "m-2", "m-3"]):
        assert seen[identifier]["record_index"] == index
        assert seen[identifier]["item_identifier"] == identifier
    assert "item_identifier" not in structlog.contextvars.get_contextvars()


def test_nested_batch_from_inside_a_sync_handler() -> None:
    """A sync handler may process a batch of its own with the sync API."""
    inner = asyncbatch.BatchProcessor(model=dict)

    def inner_handler(record: dict[str, Any]) -> str:
        return record["messageId"].upper()

    def outer_handler(record: dict[str, Any]) -> list[str]:
        identifier = record["messageId"]
        event = _ids(f"{identifier}-x", f"{identifier}-y")
        result = inner.process(event, inner_handler)
        response = asyncbatch.process_partial_response(event, inner_handler, inner)
        assert response == {"batchItemFailures": []}
        return [o.result for o in result.outcomes]

    outer = asyncbatch.BatchProcessor(model=dict, max_concurrency=2)
    result = outer.process(_ids("m-1", "m-2", "m-3"), outer_handler)
    assert result.response() == {"batchItemFailures": []}
    assert [o.result for o in result.outcomes] == [
        ["M-1-X", "M-1-Y"],
        ["M-2-X", "M-2-Y"],
        ["M-3-X", "M-3-Y"],
    ]


def test_nested_async_batch_from_a_sync_handler_returning_a_coroutine() -> None:
    """A sync handler's coroutine may itself await a nested batch."""
    inner = asyncbatch.BatchProcessor(model=dict)

    async def inner_handler(record: dict[str, Any]) -> str:
        return record["messageId"]

    async def nested(identifier: str) -> int:
        result = await inner.process_async(_ids(f"{identifier}-x"), inner_handler)
        return len(result.outcomes)

    def outer_handler(record: dict[str, Any]) -> Any:
        return nested(record["messageId"])

    outer = asyncbatch.BatchProcessor(model=dict)
    result = outer.process(_ids("m-1", "m-2"), outer_handler)
    assert [o.result for o in result.outcomes] == [1, 1]


async def test_too_many_abandoned_threads_refuse_new_sync_batches(
    gate: Gate, eventually: Eventually, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the documented cap of stuck threads, a sync batch is refused clearly."""
    release = gate()
    before = _threads.abandoned_threads()
    monkeypatch.setattr(_threads, "MAX_ABANDONED_THREADS", before + 2)

    def stuck(record: dict[str, Any]) -> None:
        release.wait(30)

    processor = asyncbatch.BatchProcessor(
        model=dict, record_timeout=0.2, raise_on_entire_batch_failure=False
    )
    await processor.process_async(_ids("m-1", "m-2"), stuck)
    with pytest.raises(WorkerThreadsExhaustedError, match="stuck"):
        await processor.process_async(_ids("m-3"), lambda record: None)

    async def quick(record: dict[str, Any]) -> None:
        return None

    # Async handlers need no thread and still run.
    result = await processor.process_async(_ids("m-4"), quick)
    assert result.response() == {"batchItemFailures": []}

    release.set()
    await eventually(lambda: _threads.abandoned_threads() <= before)
    again = await processor.process_async(_ids("m-5"), lambda record: None)
    assert again.response() == {"batchItemFailures": []}
