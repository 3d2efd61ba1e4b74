"""Processor options and record handler detection (SPEC sections 1 and 2)."""

from __future__ import annotations

import asyncio
import functools
import gc
import math
import sys
import threading
import weakref
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pydantic
import pytest

import asyncbatch
from asyncbatch.testing import sqs_event

pytestmark = pytest.mark.anyio

BAD_TYPES: list[tuple[str, object]] = [
    ("event_type", 5),
    ("event_type", object()),
    ("model", 5),
    ("model", "dict"),
    ("max_concurrency", "10"),
    ("max_concurrency", 2.0),
    ("max_concurrency", True),
    ("max_concurrency", None),
    ("record_timeout", "1"),
    ("record_timeout", True),
    ("deadline_margin", None),
    ("deadline_margin", "1"),
    ("deadline_margin", False),
    ("raise_on_entire_batch_failure", 1),
    ("raise_on_entire_batch_failure", None),
    ("raise_on_entire_batch_failure", "yes"),
    ("stop_on_first_failure", 0),
    ("stop_on_first_failure", None),
    ("key_ordering", 1),
    ("key_ordering", "no"),
]

BAD_VALUES: list[tuple[str, object]] = [
    ("max_concurrency", 0),
    ("max_concurrency", -3),
    ("record_timeout", 0),
    ("record_timeout", -1.0),
    ("record_timeout", math.nan),
    ("record_timeout", math.inf),
    ("deadline_margin", -0.5),
    ("deadline_margin", math.nan),
    ("deadline_margin", math.inf),
]


def _build(name: str, value: object) -> asyncbatch.BatchProcessor:
    if name == "event_type":
        return asyncbatch.BatchProcessor(value)  # type: ignore[arg-type]
    return asyncbatch.BatchProcessor(**{name: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "value"), BAD_TYPES)
def test_wrong_type_raises_type_error_naming_the_option(
    name: str, value: object, request: pytest.FixtureRequest
) -> None:
    """An option of the wrong type fails at construction with a TypeError naming it."""
    if name == "model":
        request.getfixturevalue("typed_records")
    with pytest.raises(TypeError, match=name):
        _build(name, value)


@pytest.mark.parametrize(("name", "value"), BAD_VALUES)
def test_out_of_range_raises_value_error_naming_the_option(
    name: str, value: object
) -> None:
    """An option out of range fails at construction with a ValueError naming it."""
    with pytest.raises(ValueError, match=name):
        _build(name, value)


def test_unknown_event_type_string_is_refused() -> None:
    """An event type that is no EventType fails at construction, naming it."""
    with pytest.raises((TypeError, ValueError), match="event_type"):
        asyncbatch.BatchProcessor("aws:kafka")  # type: ignore[arg-type]


@pytest.mark.usefixtures("typed_records")
def test_model_that_is_not_a_pydantic_model_is_refused() -> None:
    """A model that is neither None, dict nor a pydantic model is refused."""
    with pytest.raises(TypeError, match="model"):
        asyncbatch.BatchProcessor(model=str)


def test_defaults_and_accepted_values() -> None:
    """The documented defaults hold, and the edge values in range are accepted."""
    processor = asyncbatch.BatchProcessor()
    assert processor.event_type is None
    assert processor.model is None
    assert processor.max_concurrency == 10
    assert processor.record_timeout is None
    assert processor.raise_on_entire_batch_failure is True
    assert processor.deadline_margin == 1.0
    assert processor.stop_on_first_failure is False
    assert processor.key_ordering is True

    edge = asyncbatch.BatchProcessor(
        asyncbatch.EventType.KINESIS,
        model=dict,
        max_concurrency=1,
        record_timeout=1,
        deadline_margin=0,
    )
    assert edge.record_timeout == 1
    assert edge.deadline_margin == 0


def test_options_after_event_type_are_keyword_only() -> None:
    """Only ``event_type`` may be given by position."""
    with pytest.raises(TypeError):
        asyncbatch.BatchProcessor(None, dict)  # type: ignore[misc]


def test_partial_response_refuses_a_processor_of_the_wrong_type() -> None:
    """``process_partial_response`` names its ``processor`` argument when wrong."""
    with pytest.raises(TypeError, match="processor"):
        asyncbatch.process_partial_response(
            sqs_event(["x"]),
            lambda record: None,
            processor=object(),  # type: ignore[arg-type]
        )


# -- handler kinds -------------------------------------------------------------------


def _where() -> str:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return f"thread:{threading.current_thread().name}"
    return "loop"


async def _async_handler(record: dict[str, Any], tag: str = "") -> str:
    return _where()


def _sync_handler(record: dict[str, Any], tag: str = "") -> str:
    return _where()


class _Handlers:
    async def async_method(self, record: dict[str, Any]) -> str:
        return _where()

    def sync_method(self, record: dict[str, Any]) -> str:
        return _where()


class _AsyncCallable:
    async def __call__(self, record: dict[str, Any]) -> str:
        return _where()


class _SyncCallable:
    def __call__(self, record: dict[str, Any]) -> str:
        return _where()


ASYNC_KINDS = {
    "function": _async_handler,
    "partial": functools.partial(_async_handler, tag="x"),
    "partial of partial": functools.partial(functools.partial(_async_handler), tag="x"),
    "bound method": _Handlers().async_method,
    "async __call__": _AsyncCallable(),
    "partial of async __call__": functools.partial(_AsyncCallable()),
}

SYNC_KINDS = {
    "function": _sync_handler,
    "lambda": lambda record: _where(),
    "partial": functools.partial(_sync_handler, tag="x"),
    "bound method": _Handlers().sync_method,
    "sync __call__": _SyncCallable(),
}


@pytest.mark.parametrize("kind", list(ASYNC_KINDS))
async def test_async_handlers_run_on_the_loop(kind: str) -> None:
    """Async handlers seen through partials, methods, ``__call__`` run on the loop."""
    processor = asyncbatch.BatchProcessor(model=dict)
    result = await processor.process_async(sqs_event(["a", "b"]), ASYNC_KINDS[kind])
    assert [outcome.result for outcome in result.outcomes] == ["loop", "loop"]


@pytest.mark.parametrize("kind", list(SYNC_KINDS))
async def test_sync_handlers_run_in_worker_threads(kind: str) -> None:
    """Sync handlers of every shape run in asyncbatch's worker threads."""
    processor = asyncbatch.BatchProcessor(model=dict)
    result = await processor.process_async(sqs_event(["a", "b"]), SYNC_KINDS[kind])
    for outcome in result.outcomes:
        assert outcome.ok, outcome.exception
        assert outcome.result.startswith("thread:asyncbatch-worker-")


async def test_both_kinds_with_one_processor() -> None:
    """One processor serves an async handler and a sync handler in turn."""
    processor = asyncbatch.BatchProcessor(model=dict)
    event = sqs_event(["a"])
    first = await processor.process_async(event, _async_handler)
    second = await processor.process_async(event, _sync_handler)
    assert first.outcomes[0].result == "loop"
    assert second.outcomes[0].result.startswith("thread:")


def _generator(record: dict[str, Any]) -> Iterator[int]:
    yield 1


async def _async_generator(record: dict[str, Any]) -> AsyncIterator[int]:
    yield 1


class _GeneratorMethods:
    def method(self, record: dict[str, Any]) -> Iterator[int]:
        yield 1

    async def __call__(self, record: dict[str, Any]) -> AsyncIterator[int]:
        yield 1


GENERATORS = {
    "generator function": _generator,
    "async generator function": _async_generator,
    "partial of a generator": functools.partial(_generator),
    "generator method": _GeneratorMethods().method,
    "async generator __call__": _GeneratorMethods(),
}


@pytest.mark.parametrize("kind", list(GENERATORS))
async def test_generator_handlers_are_rejected_before_any_record(kind: str) -> None:
    """Generator and async generator handlers raise TypeError before records run."""
    processor = asyncbatch.BatchProcessor(model=dict)
    with pytest.raises(TypeError, match="generator"):
        await processor.process_async(sqs_event(["a"]), GENERATORS[kind])


async def test_a_handler_that_is_not_callable_is_refused() -> None:
    """A record handler that cannot be called raises TypeError naming it."""
    processor = asyncbatch.BatchProcessor(model=dict)
    handler: Any = "handler"
    with pytest.raises(TypeError, match="record_handler"):
        await processor.process_async(sqs_event(["a"]), handler)


async def test_sync_handler_returning_a_coroutine_has_it_awaited() -> None:
    """A sync-looking handler that returns a coroutine has it awaited (C09)."""
    ran: list[str] = []

    async def work(body: str) -> str:
        await asyncio.sleep(0)
        ran.append(body)
        return f"done-{body}"

    def handler(record: dict[str, Any]) -> Any:
        return work(record["body"])

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=1)
    result = await processor.process_async(sqs_event(["a", "b", "c"]), handler)
    assert ran == ["a", "b", "c"]
    assert [outcome.result for outcome in result.outcomes] == [
        "done-a",
        "done-b",
        "done-c",
    ]


async def test_async_handler_returning_a_coroutine_has_it_awaited() -> None:
    """An async handler that returns another coroutine has that one awaited too."""
    ran: list[str] = []

    async def work(body: str) -> str:
        await asyncio.sleep(0)
        ran.append(body)
        return f"done-{body}"

    async def handler(record: dict[str, Any]) -> Any:
        return work(record["body"])

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=1)
    result = await processor.process_async(sqs_event(["a", "b"]), handler)

    assert ran == ["a", "b"]
    assert [outcome.result for outcome in result.outcomes] == ["done-a", "done-b"]


@pytest.mark.skipif(
    sys.version_info < (3, 11), reason="Python 3.10 cannot see a pending cancel"
)
async def test_a_handler_cancelling_its_own_task_fails_only_its_record() -> None:
    """A cancellation a handler asked for does not land in the next record."""

    async def handler(record: dict[str, Any]) -> str:
        task = asyncio.current_task()
        assert task is not None
        if record["body"] == "cancels":
            task.cancel()  # and returns without awaiting
            return "returned"
        if record["body"] == "swallows":
            task.cancel()
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                return "swallowed"
        if record["body"] == "raises":
            task.cancel()
            raise ValueError("the handler's own error")
        await asyncio.sleep(0)
        return record["body"]

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=1)
    bodies = ["a", "cancels", "b", "swallows", "raises", "c"]
    result = await processor.process_async(sqs_event(bodies), handler)

    outcomes = result.outcomes
    assert isinstance(outcomes[1].exception, asyncio.CancelledError)
    assert isinstance(outcomes[4].exception, ValueError)
    assert [o.result for o in outcomes if o.ok] == ["a", "b", "swallowed", "c"]


def test_a_handler_made_per_invocation_is_not_kept_alive() -> None:
    """What is known about a handler is forgotten with the handler."""
    processor = asyncbatch.BatchProcessor(model=dict)

    class Payload:
        """Stands for what a closure made per invocation holds on to."""

    payload = Payload()
    alive = weakref.ref(payload)

    def invocation(held: Payload) -> None:
        async def handler(record: dict[str, Any]) -> None:
            assert held is not None

        processor.process(sqs_event(["a"]), handler)

    invocation(payload)
    del payload
    gc.collect()

    assert alive() is None


async def test_lambda_context_as_a_positional_only_parameter_is_refused() -> None:
    """A context parameter that cannot be passed by name is refused up front."""
    calls: list[object] = []

    def handler(record: dict[str, Any], lambda_context: object, /) -> None:
        calls.append(record)

    processor = asyncbatch.BatchProcessor(model=dict)
    with pytest.raises(TypeError, match=r"lambda_context.*positional-only"):
        await processor.process_async(sqs_event(["a"]), handler)
    assert calls == []


@pytest.mark.parametrize(
    ("remaining", "error", "match"),
    [
        (None, TypeError, "returned NoneType, not a number"),
        ("1000", TypeError, "returned str, not a number"),
        (True, TypeError, "returned bool, not a number"),
        (float("nan"), ValueError, "finite number of milliseconds"),
    ],
)
async def test_a_context_without_a_usable_remaining_time_is_refused(
    remaining: object, error: type[Exception], match: str
) -> None:
    """A context whose remaining time is not a number fails before any record."""
    calls: list[object] = []

    class Context:
        def get_remaining_time_in_millis(self) -> object:
            return remaining

    processor = asyncbatch.BatchProcessor(model=dict)
    with pytest.raises(error, match=match):
        await processor.process_async(sqs_event(["a"]), calls.append, Context())
    assert calls == []


# -- what the handler receives ---------------------------------------------------------


async def test_model_dict_gives_the_raw_record() -> None:
    """With ``model=dict`` the handler receives the raw record mapping."""
    event = sqs_event(["a"], message_ids=["m-1"])
    seen: list[Any] = []
    processor = asyncbatch.BatchProcessor(model=dict)
    await processor.process_async(event, seen.append)
    assert seen == [event["Records"][0]]


@pytest.mark.usefixtures("typed_records")
async def test_model_none_gives_the_typed_record() -> None:
    """With the default model the handler receives the source's typed record."""
    seen: list[Any] = []
    processor = asyncbatch.BatchProcessor()
    await processor.process_async(sqs_event(["a"], message_ids=["m-1"]), seen.append)
    (record,) = seen
    assert isinstance(record, asyncbatch.SqsRecord)
    assert record.message_id == "m-1"
    assert record.body == "a"


class RawSqs(pydantic.BaseModel):
    """A user's own model of the raw SQS record."""

    messageId: str
    body: str


@pytest.mark.usefixtures("typed_records")
async def test_a_pydantic_model_is_validated_from_the_raw_record() -> None:
    """A model class is validated from the raw record; a rejected one fails alone."""
    event = sqs_event(["a", "b"], message_ids=["m-1", "m-2"])
    del event["Records"][1]["body"]
    seen: list[Any] = []
    processor = asyncbatch.BatchProcessor(
        model=RawSqs, raise_on_entire_batch_failure=False
    )
    result = await processor.process_async(event, seen.append)
    assert seen == [RawSqs(messageId="m-1", body="a")]
    assert result.response() == {"batchItemFailures": [{"itemIdentifier": "m-2"}]}
    assert isinstance(result.outcomes[1].exception, pydantic.ValidationError)
    assert result.outcomes[1].duration is None


# -- the sync API inside a running loop ------------------------------------------------


async def test_process_inside_a_running_loop_names_process_async() -> None:
    """``process`` called on a thread running a loop raises, naming the async API."""
    processor = asyncbatch.BatchProcessor(model=dict)
    with pytest.raises(RuntimeError, match="process_async"):
        processor.process(sqs_event(["a"]), _sync_handler)
    gc.collect()  # a coroutine left unawaited would warn here, and warnings fail


async def test_partial_response_inside_a_running_loop_names_its_async_twin() -> None:
    """``process_partial_response`` inside a loop names the ``_async`` variant."""
    with pytest.raises(RuntimeError, match="process_partial_response_async"):
        asyncbatch.process_partial_response(sqs_event(["a"]), _sync_handler)
    gc.collect()
