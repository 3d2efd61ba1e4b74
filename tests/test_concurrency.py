"""The concurrency bound is kept and reached (SPEC sections 1 and 2, issue 2).

Peaks are made deterministic with gates: every handler waits until the expected
number of handlers is running at once, then all go on. A runtime that ran fewer
would stall into the gate's timeout; one that ran more would show a higher peak.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import TYPE_CHECKING, Any

import anyio
import pytest

import asyncbatch
from asyncbatch.testing import sqs_event

if TYPE_CHECKING:
    from conftest import Spy

pytestmark = pytest.mark.anyio

#: How long a gate waits for the peak before the test is failed.
GATE_TIMEOUT = 10.0


def _event(count: int) -> dict[str, Any]:
    return sqs_event(count=count)


@pytest.mark.parametrize(("records", "bound"), [(60, 1), (200, 7), (200, 32)])
async def test_async_peak_equals_the_bound(records: int, bound: int, spy: Spy) -> None:
    """Async handlers reach ``max_concurrency`` at once and never exceed it."""
    reached = asyncio.Event()

    async def handler(record: dict[str, Any]) -> None:
        if spy.enter() >= bound:
            reached.set()
        try:
            await asyncio.wait_for(reached.wait(), GATE_TIMEOUT)
            await asyncio.sleep(0)
        finally:
            spy.leave()

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=bound)
    result = await processor.process_async(_event(records), handler)
    assert result.response() == {"batchItemFailures": []}
    assert spy.peak == bound
    assert len(spy.started) == records


@pytest.mark.parametrize(("records", "bound"), [(30, 1), (100, 4), (100, 16)])
async def test_sync_peak_equals_the_bound(records: int, bound: int, spy: Spy) -> None:
    """Sync handlers in threads reach ``max_concurrency`` and never exceed it."""
    reached = threading.Event()

    def handler(record: dict[str, Any]) -> None:
        if spy.enter() >= bound:
            reached.set()
        try:
            assert reached.wait(GATE_TIMEOUT), "the bound was never reached"
            time.sleep(0.001)
        finally:
            spy.leave()

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=bound)
    result = await processor.process_async(_event(records), handler)
    assert result.response() == {"batchItemFailures": []}
    assert spy.peak == bound
    assert len(spy.started) == records


async def test_sync_handlers_that_never_wait_stay_on_one_thread() -> None:
    """Handlers that keep the interpreter busy gain nothing from more threads.

    Under the interpreter lock they could only take turns; the batch stays on
    the thread it started on (docs/concepts.md).
    """
    threads: set[str] = set()

    def handler(record: dict[str, Any]) -> None:
        threads.add(threading.current_thread().name)

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=10)
    result = await processor.process_async(_event(20_000), handler)

    assert result.response() == {"batchItemFailures": []}
    assert result.peak_concurrency == 1
    assert len(threads) == 1


async def test_sync_handlers_that_wait_briefly_get_their_threads() -> None:
    """Handlers that block, even for a millisecond, get a thread each."""

    def handler(record: dict[str, Any]) -> None:
        time.sleep(0.001)

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=10)
    result = await processor.process_async(_event(200), handler)

    assert result.response() == {"batchItemFailures": []}
    assert result.peak_concurrency == 10


async def test_sync_coroutine_handlers_keep_the_bound(spy: Spy) -> None:
    """Coroutines that sync handlers return count against the same bound."""
    bound = 5
    reached = asyncio.Event()

    async def work() -> None:
        if spy.enter() >= bound:
            reached.set()
        try:
            await asyncio.wait_for(reached.wait(), GATE_TIMEOUT)
        finally:
            spy.leave()

    def handler(record: dict[str, Any]) -> Any:
        return work()

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=bound)
    result = await processor.process_async(_event(40), handler)
    assert result.response() == {"batchItemFailures": []}
    assert spy.peak == bound


async def test_a_batch_smaller_than_the_bound_runs_all_at_once(spy: Spy) -> None:
    """With fewer records than the bound, every record runs at the same time."""
    reached = asyncio.Event()

    async def handler(record: dict[str, Any]) -> None:
        if spy.enter() >= 3:
            reached.set()
        await asyncio.wait_for(reached.wait(), GATE_TIMEOUT)
        spy.leave()

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=50)
    await processor.process_async(_event(3), handler)
    assert spy.peak == 3


async def test_five_hundred_records_at_fifty(spy: Spy) -> None:
    """500 records of 20 ms at ``max_concurrency=50``: peak 50, done in under 1 s."""

    async def handler(record: dict[str, Any]) -> None:
        spy.enter()
        try:
            await asyncio.sleep(0.02)
        finally:
            spy.leave()

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=50)
    event = _event(500)
    start = time.monotonic()
    result = await processor.process_async(event, handler)
    elapsed = time.monotonic() - start
    assert result.response() == {"batchItemFailures": []}
    assert len(result.outcomes) == 500
    assert spy.peak == 50
    assert elapsed < 1.0


async def test_failures_free_their_slot(spy: Spy) -> None:
    """A failing record frees its slot: the bound is still reached afterwards."""
    bound = 4
    reached = asyncio.Event()

    async def handler(record: dict[str, Any]) -> None:
        if json.loads(record["body"])["index"] < 8:
            raise ValueError("the first eight fail at once")
        if spy.enter() >= bound:
            reached.set()
        try:
            await asyncio.wait_for(reached.wait(), GATE_TIMEOUT)
        finally:
            spy.leave()

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=bound)
    result = await processor.process_async(_event(20), handler)
    assert len(result.failures) == 8
    assert spy.peak == bound


def test_the_sync_entry_point_keeps_the_bound(spy: Spy) -> None:
    """``process`` on the persistent loop reaches and keeps the bound too."""
    bound = 6
    reached = threading.Event()

    def handler(record: dict[str, Any]) -> None:
        if spy.enter() >= bound:
            reached.set()
        try:
            assert reached.wait(GATE_TIMEOUT)
        finally:
            spy.leave()

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=bound)
    result = processor.process(_event(30), handler)
    assert result.response() == {"batchItemFailures": []}
    assert spy.peak == bound


async def test_a_handler_swallowing_its_timeout_takes_no_further_record(
    spy: Spy,
) -> None:
    """An async handler that ignores its timeout's cancellation frees its slot for
    good: its worker takes no other record, so the bound holds."""
    let_go = asyncio.Event()
    late = asyncio.Event()
    second = asyncio.Event()
    started: list[str] = []
    release = {f"r{i}": asyncio.Event() for i in range(1, 4)}

    async def handler(record: dict[str, Any]) -> str:
        identifier = record["messageId"]
        started.append(identifier)
        if identifier == "r1":
            second.set()
        if identifier == "r0":
            try:
                await asyncio.sleep(GATE_TIMEOUT)
            except asyncio.CancelledError:
                await let_go.wait()  # swallows the cancellation
            late.set()
            return "late"
        spy.enter(identifier)
        try:
            await asyncio.wait_for(release[identifier].wait(), GATE_TIMEOUT)
        finally:
            spy.leave(identifier)
        return "ok"

    async def script() -> None:
        await second.wait()
        let_go.set()
        await late.wait()
        for _ in range(5):
            await asyncio.sleep(0.01)
        assert started == ["r0", "r1"], "the abandoned worker took another record"
        for event in release.values():
            event.set()

    event = sqs_event(["a", "b", "c", "d"], message_ids=["r0", "r1", "r2", "r3"])
    processor = asyncbatch.BatchProcessor(
        model=dict, max_concurrency=1, record_timeout=0.5
    )
    results: list[asyncbatch.BatchResult] = []

    async def batch() -> None:
        results.append(await processor.process_async(event, handler))

    with anyio.fail_after(GATE_TIMEOUT):
        async with anyio.create_task_group() as tg:
            tg.start_soon(batch)
            await script()

    (result,) = results
    assert result.response() == {"batchItemFailures": [{"itemIdentifier": "r0"}]}
    assert isinstance(result.outcomes[0].exception, asyncbatch.RecordTimeoutError)
    assert [o.result for o in result.outcomes[1:]] == ["ok"] * 3
    assert spy.peak == 1
    assert started == ["r0", "r1", "r2", "r3"]
