"""Outcomes, the response and the entire-batch-failure policy (SPEC section 3)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anyio
import pytest

import asyncbatch
from asyncbatch import BatchProcessingError, RecordTimeoutError, _threads
from asyncbatch.testing import sqs_event, sqs_fifo_event

if TYPE_CHECKING:
    from conftest import Eventually

pytestmark = pytest.mark.anyio


def _ids(*ids: str) -> dict[str, Any]:
    return sqs_event([f"body of {i}" for i in ids], message_ids=list(ids))


def _failing_on(*ids: str) -> Callable[[dict[str, Any]], Any]:
    async def handler(record: dict[str, Any]) -> str:
        if record["messageId"] in ids:
            raise ValueError(f"failed {record['messageId']}")
        return f"ok-{record['messageId']}"

    return handler


def _processor(**options: Any) -> asyncbatch.BatchProcessor:
    return asyncbatch.BatchProcessor(model=dict, **options)


async def test_one_outcome_per_record_in_batch_order() -> None:
    """Every record gets one outcome with its index, identifier, result and error."""
    result = await _processor().process_async(
        _ids("m-1", "m-2", "m-3"), _failing_on("m-2")
    )
    assert isinstance(result.outcomes, tuple)
    assert [o.index for o in result.outcomes] == [0, 1, 2]
    assert [o.item_identifier for o in result.outcomes] == ["m-1", "m-2", "m-3"]
    assert [o.ok for o in result.outcomes] == [True, False, True]
    assert [o.result for o in result.outcomes] == ["ok-m-1", None, "ok-m-3"]
    assert result.outcomes[0].exception is None
    error = result.outcomes[1].exception
    assert isinstance(error, ValueError)
    assert str(error) == "failed m-2"
    assert all(o.duration is not None and o.duration >= 0 for o in result.outcomes)
    assert result.failures == (result.outcomes[1],)
    assert result.abandoned_threads == 0


async def test_failures_are_listed_in_batch_order_whatever_finishes_first(
    eventually: Eventually,
) -> None:
    """Failures and the response follow batch order, not completion order."""
    order = ["m-1", "m-2", "m-3", "m-4"]
    release = {i: asyncio.Event() for i in order}
    finished: list[str] = []

    async def handler(record: dict[str, Any]) -> None:
        identifier = record["messageId"]
        await release[identifier].wait()
        finished.append(identifier)
        raise ValueError(identifier)

    async def release_backwards() -> None:
        for identifier in reversed(order):
            release[identifier].set()
            await eventually(lambda: identifier in finished)  # noqa: B023

    processor = _processor(raise_on_entire_batch_failure=False)
    async with anyio.create_task_group() as tg:
        tg.start_soon(release_backwards)
        result = await processor.process_async(_ids(*order), handler)

    assert finished == list(reversed(order))
    assert [o.item_identifier for o in result.failures] == order
    assert result.response() == {
        "batchItemFailures": [{"itemIdentifier": i} for i in order]
    }


async def test_response_is_exactly_the_lambda_shape() -> None:
    """The response has one camelCase key and plain string identifiers (C04)."""
    result = await _processor().process_async(_ids("m-1", "m-2"), _failing_on("m-2"))
    response = result.response()
    assert response == {"batchItemFailures": [{"itemIdentifier": "m-2"}]}
    assert type(response) is dict
    assert list(response) == ["batchItemFailures"]
    assert type(response["batchItemFailures"]) is list
    (failure,) = response["batchItemFailures"]
    assert list(failure) == ["itemIdentifier"]
    assert type(failure["itemIdentifier"]) is str
    assert json.loads(json.dumps(response)) == response


async def test_identifier_is_echoed_as_a_plain_str() -> None:
    """An identifier given as a str subclass comes back as a plain ``str``."""

    class Tagged(str):
        pass

    event = _ids("m-1")
    event["Records"][0]["messageId"] = Tagged("m-1")
    processor = _processor(raise_on_entire_batch_failure=False)
    result = await processor.process_async(event, _failing_on("m-1"))
    (failure,) = result.response()["batchItemFailures"]
    assert failure == {"itemIdentifier": "m-1"}
    assert type(failure["itemIdentifier"]) is str


async def test_all_succeeding_gives_exactly_no_failures() -> None:
    """All records succeeding gives ``{"batchItemFailures": []}``, nothing else."""
    response = await asyncbatch.process_partial_response_async(
        _ids("m-1", "m-2"), _failing_on(), _processor()
    )
    assert response == {"batchItemFailures": []}


async def test_response_can_be_read_again_and_never_raises() -> None:
    """``response()`` builds the same dict each time, without raising."""
    result = await _processor().process_async(_ids("m-1", "m-2"), _failing_on("m-1"))
    first = result.response()
    first["batchItemFailures"].clear()
    assert result.response() == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}


# -- every record failing ------------------------------------------------------------


async def test_every_record_failing_raises_with_the_full_result() -> None:
    """BatchProcessingError carries every exception in order and the full result."""
    with pytest.raises(BatchProcessingError) as caught:
        await _processor().process_async(
            _ids("m-1", "m-2", "m-3"), _failing_on("m-1", "m-2", "m-3")
        )
    error = caught.value
    assert isinstance(error, asyncbatch.AsyncBatchError)
    assert [str(exc) for exc in error.exceptions] == [
        "failed m-1",
        "failed m-2",
        "failed m-3",
    ]
    assert isinstance(error.exceptions, tuple)
    assert len(error.result.outcomes) == 3
    assert error.result.response() == {
        "batchItemFailures": [{"itemIdentifier": i} for i in ("m-1", "m-2", "m-3")]
    }


def test_every_entry_point_raises_when_every_record_fails() -> None:
    """The sync entry points raise BatchProcessingError too."""
    processor = _processor()
    event = _ids("m-1")
    with pytest.raises(BatchProcessingError):
        processor.process(event, _failing_on("m-1"))
    with pytest.raises(BatchProcessingError):
        asyncbatch.process_partial_response(event, _failing_on("m-1"), processor)


async def test_partial_response_async_raises_when_every_record_fails() -> None:
    """``process_partial_response_async`` raises BatchProcessingError by default."""
    with pytest.raises(BatchProcessingError):
        await asyncbatch.process_partial_response_async(
            _ids("m-1"), _failing_on("m-1"), _processor()
        )


async def test_every_record_failing_without_raising_lists_them_all() -> None:
    """With the option off, the response lists every identifier (C05)."""
    response = await asyncbatch.process_partial_response_async(
        _ids("m-1", "m-2"),
        _failing_on("m-1", "m-2"),
        _processor(raise_on_entire_batch_failure=False),
    )
    assert response == {
        "batchItemFailures": [{"itemIdentifier": "m-1"}, {"itemIdentifier": "m-2"}]
    }


async def test_one_group_fifo_batch_whose_first_record_fails_raises() -> None:
    """A one-group FIFO batch whose first record fails counts as all failed."""
    event = sqs_fifo_event({"g1": ["a", "b", "c"]}, message_ids=["f-1", "f-2", "f-3"])
    with pytest.raises(BatchProcessingError) as caught:
        await _processor().process_async(event, _failing_on("f-1"))
    kinds = [type(exc) for exc in caught.value.exceptions]
    assert kinds == [
        ValueError,
        asyncbatch.RecordSkippedError,
        asyncbatch.RecordSkippedError,
    ]


async def test_counting_is_by_record_not_by_identifier() -> None:
    """A duplicated id that failed once and succeeded once is not all failed."""
    event = _ids("m-1", "m-1")
    event["Records"][1]["receiptHandle"] = "second"

    async def handler(record: dict[str, Any]) -> None:
        if record["receiptHandle"] == "second":
            raise ValueError("second copy")

    result = await _processor().process_async(event, handler)
    assert result.response() == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}


# -- what a handler raises -----------------------------------------------------------


class Custom(BaseException):
    """A BaseException subclass a handler might raise."""


RECORD_FAILURES: list[BaseException] = [
    ValueError("value"),
    Custom("custom"),
    asyncio.CancelledError(),
    GeneratorExit(),
    TimeoutError("user timeout"),
]


@pytest.mark.parametrize("raised", RECORD_FAILURES, ids=lambda exc: type(exc).__name__)
@pytest.mark.parametrize("kind", ["async", "sync"])
async def test_any_exception_a_handler_raises_fails_that_record_only(
    raised: BaseException, kind: str
) -> None:
    """Exceptions and BaseExceptions, CancelledError included, fail one record."""
    raised = type(raised)(*raised.args)

    def decide(record: dict[str, Any]) -> str:
        if record["messageId"] == "m-2":
            raise raised
        return "fine"

    async def async_handler(record: dict[str, Any]) -> str:
        await asyncio.sleep(0)
        return decide(record)

    handler = async_handler if kind == "async" else decide
    result = await _processor().process_async(_ids("m-1", "m-2", "m-3"), handler)
    assert [o.ok for o in result.outcomes] == [True, False, True]
    assert result.outcomes[1].exception is raised
    assert result.outcomes[1].duration is not None
    assert result.response() == {"batchItemFailures": [{"itemIdentifier": "m-2"}]}


@pytest.mark.parametrize("fatal", [KeyboardInterrupt, SystemExit])
@pytest.mark.parametrize("kind", ["async", "sync"])
async def test_keyboard_interrupt_and_system_exit_propagate(
    fatal: type[BaseException], kind: str
) -> None:
    """KeyboardInterrupt and SystemExit from a handler propagate to the caller."""

    def decide(record: dict[str, Any]) -> None:
        if record["messageId"] == "m-2":
            raise fatal("stop")

    async def async_handler(record: dict[str, Any]) -> None:
        decide(record)

    handler = async_handler if kind == "async" else decide
    with pytest.raises(fatal):
        await _processor().process_async(_ids("m-1", "m-2", "m-3"), handler)


async def test_caller_cancellation_propagates_and_cancels_async_handlers(
    eventually: Eventually,
) -> None:
    """Cancelling ``process_async`` cancels running handlers and returns nothing."""
    started = asyncio.Event()
    cancelled: list[str] = []
    never = asyncio.Event()

    async def handler(record: dict[str, Any]) -> None:
        started.set()
        try:
            await never.wait()
        except asyncio.CancelledError:
            cancelled.append(record["messageId"])
            raise

    task = asyncio.ensure_future(
        _processor(max_concurrency=2).process_async(_ids("m-1", "m-2", "m-3"), handler)
    )
    with anyio.fail_after(5):
        await started.wait()
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await eventually(lambda: len(cancelled) == 2)
    assert sorted(cancelled) == ["m-1", "m-2"]


async def test_caller_cancellation_abandons_sync_handler_threads(
    gate: Callable[[], threading.Event], eventually: Eventually
) -> None:
    """Cancelling ``process_async`` abandons the sync handler threads running."""
    release = gate()
    before = _threads.abandoned_threads()
    calls: list[str] = []
    lock = threading.Lock()

    def handler(record: dict[str, Any]) -> None:
        with lock:
            calls.append(record["messageId"])
        release.wait(10)

    task = asyncio.ensure_future(
        _processor(max_concurrency=2).process_async(_ids("m-1", "m-2", "m-3"), handler)
    )
    await eventually(lambda: len(calls) == 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert _threads.abandoned_threads() == before + 2
    release.set()
    await eventually(lambda: _threads.abandoned_threads() <= before)
    assert calls == ["m-1", "m-2"]


# -- settled once ---------------------------------------------------------------------


async def test_a_timed_out_outcome_never_changes(
    gate: Callable[[], threading.Event], eventually: Eventually
) -> None:
    """A sync handler's late return after its timeout changes no outcome."""
    release = gate()
    returned = threading.Event()

    def handler(record: dict[str, Any]) -> str:
        if record["messageId"] == "m-1":
            release.wait(10)
            returned.set()
            return "late"
        return "fine"

    processor = _processor(record_timeout=0.2)
    result = await processor.process_async(_ids("m-1", "m-2"), handler)
    snapshot = (result.outcomes, result.response())
    assert isinstance(result.outcomes[0].exception, RecordTimeoutError)

    release.set()
    await eventually(returned.is_set)
    # Let the abandoned worker reach the point where it would settle.
    await asyncio.sleep(0.1)
    assert result.outcomes == snapshot[0]
    assert result.outcomes[0].result is None
    assert isinstance(result.outcomes[0].exception, RecordTimeoutError)
    assert result.response() == snapshot[1]
    assert result.response() == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}


# -- one processor, many batches ----------------------------------------------------


async def test_a_processor_serves_batches_one_after_another() -> None:
    """A failed FIFO group in one batch does not skip that group in the next."""
    processor = _processor(raise_on_entire_batch_failure=False)
    first = sqs_fifo_event({"g1": ["a", "b"]}, message_ids=["f-1", "f-2"])
    second = sqs_fifo_event({"g1": ["c", "d"]}, message_ids=["s-1", "s-2"])
    failing = await processor.process_async(first, _failing_on("f-1"))
    assert failing.response() == {
        "batchItemFailures": [{"itemIdentifier": "f-1"}, {"itemIdentifier": "f-2"}]
    }
    clean = await processor.process_async(second, _failing_on())
    assert clean.response() == {"batchItemFailures": []}
    assert [o.result for o in clean.outcomes] == ["ok-s-1", "ok-s-2"]


@pytest.mark.parametrize("stop", [False, True])
async def test_concurrent_batches_on_one_processor_share_nothing(stop: bool) -> None:
    """Two batches running at once on one processor keep their own state."""
    processor = _processor(
        raise_on_entire_batch_failure=False, stop_on_first_failure=stop
    )
    failing = sqs_fifo_event({"g1": ["a", "b", "c"]}, message_ids=["f-1", "f-2", "f-3"])
    clean = sqs_fifo_event({"g1": ["a", "b", "c"]}, message_ids=["s-1", "s-2", "s-3"])
    failed_once = asyncio.Event()
    results: dict[str, asyncbatch.BatchResult] = {}

    async def handler(record: dict[str, Any]) -> str:
        identifier = record["messageId"]
        if identifier == "f-1":
            failed_once.set()
            raise ValueError("f-1")
        # The clean batch only goes on once the other batch has failed.
        await failed_once.wait()
        await asyncio.sleep(0)
        return identifier

    async def run(name: str, event: dict[str, Any]) -> None:
        results[name] = await processor.process_async(event, handler)

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(run, "clean", clean)
            tg.start_soon(run, "failing", failing)

    assert results["clean"].response() == {"batchItemFailures": []}
    assert [o.result for o in results["clean"].outcomes] == ["s-1", "s-2", "s-3"]
    assert [o.item_identifier for o in results["failing"].failures] == [
        "f-1",
        "f-2",
        "f-3",
    ]


async def test_sequential_batches_time_independently() -> None:
    """Each batch's durations are its own handlers' times."""
    processor = _processor()

    async def handler(record: dict[str, Any]) -> None:
        await asyncio.sleep(0.01)

    start = time.monotonic()
    for _ in range(3):
        result = await processor.process_async(_ids("m-1", "m-2"), handler)
        assert all(o.duration is not None and o.duration < 1 for o in result.outcomes)
    assert time.monotonic() - start < 5
