"""The soft deadline from the Lambda context (SPEC section 5, issue 5)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

import asyncbatch
from asyncbatch import BatchProcessingError, DeadlineExceededError
from asyncbatch.testing import FakeLambdaContext, kinesis_event, sqs_event

if TYPE_CHECKING:
    from conftest import Eventually

pytestmark = pytest.mark.anyio

Gate = Callable[[], threading.Event]


def _event(count: int) -> dict[str, Any]:
    return sqs_event(
        [f"body {i}" for i in range(count)], message_ids=[f"r{i}" for i in range(count)]
    )


def _check_accounting(result: asyncbatch.BatchResult, count: int) -> None:
    """Every record has exactly one outcome: a success or a deadline failure."""
    outcomes = result.outcomes
    assert [o.index for o in outcomes] == list(range(count))
    assert [o.item_identifier for o in outcomes] == [f"r{i}" for i in range(count)]
    succeeded = [o for o in outcomes if o.ok]
    late = [o for o in outcomes if isinstance(o.exception, DeadlineExceededError)]
    assert len(succeeded) + len(late) == count
    assert succeeded, "no record finished before the deadline"
    assert late, "no record was cut by the deadline"
    failed_ids = [f["itemIdentifier"] for f in result.response()["batchItemFailures"]]
    assert failed_ids == [o.item_identifier for o in late]


@pytest.mark.parametrize("kind", ["async", "sync"])
async def test_twenty_slow_records_return_before_lambdas_deadline(kind: str) -> None:
    """Twenty 250 ms records at 2 with 2.5 s left return in time, all accounted."""

    async def async_handler(record: dict[str, Any]) -> None:
        await asyncio.sleep(0.25)

    def sync_handler(record: dict[str, Any]) -> None:
        time.sleep(0.25)

    handler = async_handler if kind == "async" else sync_handler
    context = FakeLambdaContext(remaining=2.5)
    start = time.monotonic()
    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=2)
    result = await processor.process_async(_event(20), handler, context)
    elapsed = time.monotonic() - start

    assert elapsed < 2.5
    assert context.get_remaining_time_in_millis() > 0
    _check_accounting(result, 20)


def test_the_sync_entry_point_keeps_the_deadline() -> None:
    """``process`` returns before Lambda's deadline too."""

    async def handler(record: dict[str, Any]) -> None:
        await asyncio.sleep(0.25)

    context = FakeLambdaContext(remaining=1.6)
    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=1)
    start = time.monotonic()
    result = processor.process(_event(8), handler, context)
    assert time.monotonic() - start < 1.6
    _check_accounting(result, 8)


@pytest.mark.parametrize("remaining", [1.0, 0.4, 0.0])
async def test_no_record_starts_without_time_above_the_margin(remaining: float) -> None:
    """When the remaining time is not above the margin, no handler is called."""
    calls: list[object] = []

    async def handler(record: dict[str, Any]) -> None:
        calls.append(record)

    context = FakeLambdaContext(remaining=remaining)
    processor = asyncbatch.BatchProcessor(
        model=dict, raise_on_entire_batch_failure=False
    )
    result = await processor.process_async(_event(3), handler, context)
    assert calls == []
    assert result.response() == {
        "batchItemFailures": [{"itemIdentifier": f"r{i}"} for i in range(3)]
    }
    for outcome in result.outcomes:
        assert isinstance(outcome.exception, DeadlineExceededError)
        assert isinstance(outcome.exception, TimeoutError)
        assert outcome.duration is None


async def test_no_time_left_raises_as_an_entire_batch_failure() -> None:
    """With the default policy, a batch that cannot start raises."""
    context = FakeLambdaContext(remaining=0.5)
    with pytest.raises(BatchProcessingError) as caught:
        await asyncbatch.BatchProcessor(model=dict).process_async(
            _event(2), lambda record: None, context
        )
    assert all(isinstance(e, DeadlineExceededError) for e in caught.value.exceptions)


async def test_the_margin_is_configurable() -> None:
    """With ``deadline_margin=0`` a batch with a little time left runs."""
    calls: list[object] = []

    async def handler(record: dict[str, Any]) -> None:
        calls.append(record)

    context = FakeLambdaContext(remaining=0.5)
    processor = asyncbatch.BatchProcessor(model=dict, deadline_margin=0)
    result = await processor.process_async(_event(3), handler, context)
    assert result.response() == {"batchItemFailures": []}
    assert len(calls) == 3


@pytest.mark.parametrize("context", [None, object(), "context"])
async def test_no_deadline_without_a_usable_context(context: object) -> None:
    """A context without ``get_remaining_time_in_millis`` sets no deadline."""

    async def handler(record: dict[str, Any]) -> None:
        await asyncio.sleep(0.01)

    processor = asyncbatch.BatchProcessor(model=dict, deadline_margin=1000)
    result = await processor.process_async(_event(2), handler, context)
    assert result.response() == {"batchItemFailures": []}


async def test_running_async_handlers_are_cancelled_at_the_deadline() -> None:
    """Handlers still running at the soft deadline are cancelled and fail."""
    cancelled: list[str] = []
    never = asyncio.Event()

    async def handler(record: dict[str, Any]) -> None:
        try:
            await never.wait()
        except asyncio.CancelledError:
            cancelled.append(record["messageId"])
            raise

    context = FakeLambdaContext(remaining=1.3)
    processor = asyncbatch.BatchProcessor(
        model=dict, max_concurrency=2, raise_on_entire_batch_failure=False
    )
    start = time.monotonic()
    result = await processor.process_async(_event(4), handler, context)
    assert time.monotonic() - start < 1.3
    assert sorted(cancelled) == ["r0", "r1"]
    assert all(isinstance(o.exception, DeadlineExceededError) for o in result.outcomes)


async def test_running_sync_handlers_are_abandoned_at_the_deadline(
    gate: Gate, eventually: Eventually
) -> None:
    """Sync handlers still running at the deadline are abandoned and counted."""
    release = gate()
    before = asyncbatch._threads.abandoned_threads()

    def handler(record: dict[str, Any]) -> None:
        release.wait(30)

    context = FakeLambdaContext(remaining=1.3)
    processor = asyncbatch.BatchProcessor(
        model=dict, max_concurrency=2, raise_on_entire_batch_failure=False
    )
    start = time.monotonic()
    result = await processor.process_async(_event(3), handler, context)
    assert time.monotonic() - start < 1.3
    assert result.abandoned_threads == 2
    assert all(isinstance(o.exception, DeadlineExceededError) for o in result.outcomes)
    release.set()
    await eventually(lambda: asyncbatch._threads.abandoned_threads() <= before)


async def test_a_handler_ignoring_cancellation_gets_a_bounded_grace(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The response comes back even when a handler swallows its cancellation."""
    caplog.set_level(logging.WARNING, logger="asyncbatch")
    stubborn_done = asyncio.Event()
    let_go = asyncio.Event()

    async def handler(record: dict[str, Any]) -> str:
        if record["messageId"] == "r0":
            return "quick"
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            # Swallow the cancellation and go on until the test lets go.
            await let_go.wait()
        stubborn_done.set()
        return "stubborn"

    context = FakeLambdaContext(remaining=1.3)
    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=2)
    start = time.monotonic()
    result = await processor.process_async(_event(2), handler, context)
    elapsed = time.monotonic() - start

    assert elapsed < 1.3
    assert result.outcomes[0].result == "quick"
    assert isinstance(result.outcomes[1].exception, DeadlineExceededError)
    assert result.response() == {"batchItemFailures": [{"itemIdentifier": "r1"}]}
    assert any("cancellation" in r.getMessage() for r in caplog.records), (
        "the straggler was not logged"
    )

    let_go.set()
    await asyncio.wait_for(stubborn_done.wait(), 5)
    assert result.outcomes[1].result is None


async def test_streams_keep_what_finished_before_the_deadline() -> None:
    """On a stream, records that finished before the deadline are not listed."""
    event = kinesis_event([("A", f"d{i}") for i in range(6)])
    sequences = [r["kinesis"]["sequenceNumber"] for r in event["Records"]]

    async def handler(record: dict[str, Any]) -> None:
        await asyncio.sleep(0.2)

    context = FakeLambdaContext(remaining=1.5)
    processor = asyncbatch.BatchProcessor(model=dict)
    result = await processor.process_async(event, handler, context)
    failed = [f["itemIdentifier"] for f in result.response()["batchItemFailures"]]
    done = [o.item_identifier for o in result.outcomes if o.ok]
    assert done, "nothing finished before the deadline"
    assert failed, "the deadline cut nothing"
    assert done + failed == sequences


async def test_handlers_that_block_the_loop_still_meet_the_deadline() -> None:
    """An async handler that never awaits cannot hold records past the deadline.

    Its blocking call keeps the deadline's timer from firing, so the deadline is
    also checked whenever a worker takes its next record.
    """
    started: list[float] = []

    async def blocking(record: dict[str, Any]) -> None:
        started.append(time.monotonic())
        time.sleep(0.02)  # noqa: ASYNC251 - the blocking call under test

    context = FakeLambdaContext(remaining=0.6)
    processor = asyncbatch.BatchProcessor(
        model=dict, max_concurrency=1, deadline_margin=0.3
    )
    begun = time.monotonic()
    result = await processor.process_async(_event(100), blocking, context)

    soft_deadline = begun + 0.3
    assert all(when < soft_deadline for when in started)
    assert time.monotonic() - begun < 0.6
    late = [o for o in result.outcomes if not o.ok]
    assert late, "the deadline cut nothing"
    assert all(isinstance(o.exception, DeadlineExceededError) for o in late)
    assert len(started) + len(late) == 100


async def test_a_record_running_at_the_deadline_keeps_its_duration() -> None:
    """A handler cut by the deadline reports how long it ran; one never started, None."""
    never = asyncio.Event()

    async def handler(record: dict[str, Any]) -> None:
        await never.wait()

    context = FakeLambdaContext(remaining=1.2)
    processor = asyncbatch.BatchProcessor(
        model=dict, max_concurrency=1, raise_on_entire_batch_failure=False
    )
    result = await processor.process_async(_event(2), handler, context)

    running, waiting = result.outcomes
    assert isinstance(running.exception, DeadlineExceededError)
    assert running.exception.started
    assert running.duration is not None
    assert running.duration > 0.1
    assert isinstance(waiting.exception, DeadlineExceededError)
    assert not waiting.exception.started
    assert waiting.duration is None


async def test_the_grace_leaves_half_the_margin_for_the_response() -> None:
    """A handler that ignores cancellation cannot push the response past Lambda."""
    let_go = asyncio.Event()
    stubborn_done = asyncio.Event()

    async def stubborn(record: dict[str, Any]) -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            await let_go.wait()
        stubborn_done.set()

    context = FakeLambdaContext(remaining=0.5)
    processor = asyncbatch.BatchProcessor(
        model=dict, deadline_margin=0.1, raise_on_entire_batch_failure=False
    )
    result = await processor.process_async(_event(1), stubborn, context)

    # The soft deadline is at 0.4 s; the grace may take it to 0.45 s at most,
    # so Lambda's own deadline has not come.
    assert context.get_remaining_time_in_millis() > 0
    assert isinstance(result.outcomes[0].exception, DeadlineExceededError)

    let_go.set()
    await asyncio.wait_for(stubborn_done.wait(), 5)


def test_a_straggler_destroyed_with_its_loop_goes_quietly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A handler still ignoring cancellation when its loop goes away ends cleanly.

    Closing the loop destroys the straggler's task with GeneratorExit; the worker
    running it must stop there, not await anything more (Python would report
    "coroutine ignored GeneratorExit", which this suite turns into a failure).
    """

    async def stubborn(record: dict[str, Any]) -> None:
        while True:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(10)

    processor = asyncbatch.BatchProcessor(
        model=dict, record_timeout=0.05, raise_on_entire_batch_failure=False
    )
    loop = asyncio.new_event_loop()
    try:
        result = loop.run_until_complete(processor.process_async(_event(1), stubborn))
    finally:
        loop.close()
    del loop
    gc.collect()

    assert isinstance(result.outcomes[0].exception, asyncbatch.RecordTimeoutError)


async def test_time_spent_in_intake_is_not_counted_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The soft deadline is the margin before Lambda's, however long intake took.

    Intake is slowed by 0.2 s (as loading the record models slows a first batch);
    with 0.6 s left and a margin of 0.2 s the deadline comes 0.4 s after the
    context was made, not 0.2 s.
    """
    from asyncbatch import _processor

    real_read_event = _processor.read_event

    def slow_read_event(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.2)
        return real_read_event(*args, **kwargs)

    monkeypatch.setattr(_processor, "read_event", slow_read_event)
    never = asyncio.Event()

    async def waits(record: dict[str, Any]) -> None:
        await never.wait()

    made = time.monotonic()
    context = FakeLambdaContext(remaining=0.6)
    processor = asyncbatch.BatchProcessor(
        model=dict, deadline_margin=0.2, raise_on_entire_batch_failure=False
    )
    result = await processor.process_async(_event(1), waits, context)
    cut_after = time.monotonic() - made

    assert isinstance(result.outcomes[0].exception, DeadlineExceededError)
    assert cut_after > 0.39  # the timer never fires early
    assert cut_after < 0.9  # a wide bound: the point is the one above


async def test_a_handler_that_blocks_past_its_timeout_fails_as_timed_out() -> None:
    """An async handler that blocks the loop past record_timeout fails as timed out.

    It cannot be cancelled while it blocks, but it ran past its limit: its result
    is discarded when it returns.
    """

    async def blocking(record: dict[str, Any]) -> str:
        time.sleep(0.15)  # noqa: ASYNC251 - the blocking call under test
        return "late"

    async def quick(record: dict[str, Any]) -> str:
        return "on time"

    processor = asyncbatch.BatchProcessor(
        model=dict, record_timeout=0.05, raise_on_entire_batch_failure=False
    )
    late = await processor.process_async(_event(2), blocking)
    on_time = await processor.process_async(_event(2), quick)

    for outcome in late.outcomes:
        assert isinstance(outcome.exception, asyncbatch.RecordTimeoutError)
        assert outcome.result is None
        assert outcome.duration is not None
        assert outcome.duration >= 0.15
    assert [o.result for o in on_time.outcomes] == ["on time", "on time"]
