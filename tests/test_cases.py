"""The cases from the field, each with its right answer (``../shared/CASES.md``).

C11 and C12 (the persistent loop) are tested with the loop itself.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import threading
import time
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pydantic
import pytest

import asyncbatch
from asyncbatch import (
    BatchProcessingError,
    EventType,
    InvalidEventError,
    RecordSkippedError,
    RecordTimeoutError,
)
from asyncbatch.testing import (
    FakeLambdaContext,
    dynamodb_event,
    dynamodb_modify,
    kinesis_event,
    sqs_event,
    sqs_fifo_event,
)

if TYPE_CHECKING:
    from conftest import Spy

NO_FAILURES = {"batchItemFailures": []}


def F(*ids: str) -> dict[str, list[dict[str, str]]]:
    """The response listing ``ids``, as CASES.md writes it."""
    return {"batchItemFailures": [{"itemIdentifier": i} for i in ids]}


def _sqs(*ids: str, bodies: list[Any] | None = None) -> dict[str, Any]:
    bodies = bodies if bodies is not None else [f"body of {i}" for i in ids]
    return sqs_event(bodies, message_ids=list(ids))


def _ids(count: int) -> list[str]:
    return [f"msg-{n}" for n in range(1, count + 1)]


# -- C01 poison pill -----------------------------------------------------------------


class Order(pydantic.BaseModel):
    """The order of C01."""

    order_id: int
    qty: int


@pytest.mark.anyio
@pytest.mark.parametrize("poison", [{"order_id": "abc"}, "not json{"], ids=repr)
async def test_c01_poison_pill_fails_alone(
    poison: object, typed_records: ModuleType
) -> None:
    """A body the model rejects fails that record only; its handler never runs."""
    event = _sqs(
        "msg-1",
        "msg-2",
        "msg-3",
        bodies=[{"order_id": 1, "qty": 2}, poison, {"order_id": 3, "qty": 1}],
    )
    seen: list[str] = []

    async def handler(record: Any) -> None:
        seen.append(record.message_id)

    processor = asyncbatch.BatchProcessor(model=asyncbatch.SqsRecord[Order])
    result = await processor.process_async(event, handler)
    assert result.response() == F("msg-2")
    assert seen == ["msg-1", "msg-3"]
    failure = result.outcomes[1]
    assert isinstance(failure.exception, ValueError)  # ValidationError or decode
    assert failure.duration is None
    assert failure.item_identifier == "msg-2"


# -- C02 wrong-shaped events ---------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    "shape",
    ["records key", "empty", "Records null", "Records mapping", "kinesis event"],
)
async def test_c02_wrong_shaped_events_raise(shape: str) -> None:
    """Malformed events and a foreign source raise InvalidEventError, never ``F[]``."""
    valid = _sqs("msg-1")["Records"][0]
    event = {
        "records key": {"records": [valid]},
        "empty": {},
        "Records null": {"Records": None},
        "Records mapping": {"Records": {"messageId": "msg-1"}},
        "kinesis event": kinesis_event([("key-1", "data")]),
    }[shape]
    calls: list[object] = []
    processor = asyncbatch.BatchProcessor(EventType.SQS, model=dict)
    with pytest.raises(InvalidEventError, match=r"Records|aws:kinesis"):
        await processor.process_async(event, calls.append)
    assert calls == []


@pytest.mark.anyio
async def test_c02_control_empty_records() -> None:
    """``{"Records": []}`` gives ``F[]`` and no handler call."""
    calls: list[object] = []
    processor = asyncbatch.BatchProcessor(EventType.SQS, model=dict)
    result = await processor.process_async({"Records": []}, calls.append)
    assert result.response() == NO_FAILURES
    assert calls == []


# -- C03 record without its identifier ------------------------------------------------


def _without_identifier(source: str) -> dict[str, Any]:
    if source == "sqs":
        event = _sqs("msg-1", "msg-2")
        del event["Records"][1]["messageId"]
    elif source == "kinesis":
        event = kinesis_event([("k1", "a"), ("k2", "b")])
        del event["Records"][1]["kinesis"]["sequenceNumber"]
    else:
        event = dynamodb_event(
            [
                dynamodb_modify({"id": 1}, old_image={"v": 1}, new_image={"v": 2}),
                dynamodb_modify({"id": 2}, old_image={"v": 1}, new_image={"v": 2}),
            ]
        )
        del event["Records"][1]["dynamodb"]["SequenceNumber"]
    return event


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("source", "field"),
    [
        ("sqs", "messageId"),
        ("kinesis", r"kinesis\.sequenceNumber"),
        ("dynamodb", r"dynamodb\.SequenceNumber"),
    ],
)
async def test_c03_record_without_identifier(source: str, field: str) -> None:
    """A record without its identifier is refused naming index 1 and the field."""
    calls: list[object] = []
    processor = asyncbatch.BatchProcessor(model=dict)
    with pytest.raises(InvalidEventError, match=rf"record 1\b.*{field}"):
        await processor.process_async(_without_identifier(source), calls.append)
    assert calls == []


# -- C04 response spelling ----------------------------------------------------------


def test_c04_response_spelling() -> None:
    """The response is exactly Lambda's camelCase shape, ``json.dumps`` works."""

    def handler(record: dict[str, Any]) -> None:
        if record["messageId"] == "msg-2":
            raise RuntimeError("msg-2 fails")

    processor = asyncbatch.BatchProcessor(model=dict)
    response = asyncbatch.process_partial_response(
        _sqs("msg-1", "msg-2"), handler, processor
    )
    assert response == {"batchItemFailures": [{"itemIdentifier": "msg-2"}]}
    assert (
        json.dumps(response) == '{"batchItemFailures": [{"itemIdentifier": "msg-2"}]}'
    )

    clean = asyncbatch.process_partial_response(
        _sqs("msg-1", "msg-2"), lambda record: None, processor
    )
    assert clean == NO_FAILURES


# -- C05 every record fails ----------------------------------------------------------


def _always_fails(record: dict[str, Any]) -> None:
    raise ValueError(record["messageId"])


def test_c05_every_record_fails_raises_by_default() -> None:
    """By default the batch raises, with the three exceptions and the full result."""
    processor = asyncbatch.BatchProcessor(model=dict)
    with pytest.raises(BatchProcessingError) as caught:
        processor.process(_sqs(*_ids(3)), _always_fails)
    assert [str(exc) for exc in caught.value.exceptions] == _ids(3)
    assert caught.value.result.response() == F(*_ids(3))


def test_c05_every_record_fails_listed_without_raising() -> None:
    """With ``raise_on_entire_batch_failure=False`` every id is listed."""
    processor = asyncbatch.BatchProcessor(
        model=dict, raise_on_entire_batch_failure=False
    )
    response = asyncbatch.process_partial_response(
        _sqs(*_ids(3)), _always_fails, processor
    )
    assert response == F(*_ids(3))


# -- C06 Kinesis payload that is not what the model expects --------------------------


class Item(pydantic.BaseModel):
    """The Kinesis payload of C06."""

    name: str


S1 = "49590338271490256608559692538361571095921575989136588898"
S2 = "49590338271490256608559692540925702759324208523137515618"
S3 = "49590338271490256608559692541114492595463925211112390674"


@pytest.mark.anyio
@pytest.mark.parametrize("bad_data", ["plain text", "%%%notbase64"])
async def test_c06_kinesis_payload_that_does_not_decode(
    bad_data: str, typed_records: ModuleType
) -> None:
    """r2 fails with its decode error, its handler never runs, S1 is never listed."""
    event = kinesis_event(
        [("key-1", {"name": "one"}), ("key-2", "x"), ("key-3", {"name": "three"})]
    )
    for record, sequence in zip(event["Records"], (S1, S2, S3), strict=True):
        record["kinesis"]["sequenceNumber"] = sequence
    if bad_data == "plain text":
        encoded = base64.b64encode(b"plain text, not JSON").decode()
    else:
        encoded = bad_data
    event["Records"][1]["kinesis"]["data"] = encoded
    seen: list[str] = []

    async def handler(record: Any) -> None:
        seen.append(record.kinesis.sequence_number)

    processor = asyncbatch.BatchProcessor(
        model=asyncbatch.KinesisRecord[Item], raise_on_entire_batch_failure=False
    )
    result = await processor.process_async(event, handler)
    failures = result.response()["batchItemFailures"]
    assert failures[0] == {"itemIdentifier": S2}
    assert {"itemIdentifier": S1} not in failures
    assert S2 not in seen
    assert seen[:1] == [S1]
    assert isinstance(result.outcomes[1].exception, ValueError)
    assert result.outcomes[1].duration is None
    assert [o.item_identifier for o in result.outcomes] == [S1, S2, S3]


# -- C07 stream keeps going after a failure ------------------------------------------


@pytest.mark.anyio
async def test_c07_dynamodb_stream_stops_its_key_after_a_failure(spy: Spy) -> None:
    """Records 1 and 2 run one after the other; 3 and 4 are skipped."""
    sequences = [f"30000000000000000000{n}" for n in range(1, 5)]
    event = dynamodb_event(
        [
            dynamodb_modify({"pk": "item"}, old_image={"v": n}, new_image={"v": n + 1})
            for n in range(4)
        ]
    )
    for record, sequence in zip(event["Records"], sequences, strict=True):
        record["dynamodb"]["SequenceNumber"] = sequence

    async def handler(record: dict[str, Any]) -> None:
        sequence = record["dynamodb"]["SequenceNumber"]
        spy.enter(sequence)
        await asyncio.sleep(0.01)
        spy.leave(sequence)
        if sequence == sequences[1]:
            raise ValueError("the second record fails")

    processor = asyncbatch.BatchProcessor(
        model=dict, max_concurrency=10, raise_on_entire_batch_failure=False
    )
    result = await processor.process_async(event, handler)
    assert spy.started == sequences[:2]
    assert spy.peak == 1
    assert result.response() == F(*sequences[1:])
    for outcome in result.outcomes[2:]:
        assert isinstance(outcome.exception, RecordSkippedError)
        assert outcome.duration is None


@pytest.mark.anyio
async def test_c07_lowest_failure_is_by_position_not_string_order() -> None:
    """The first listed failure is the first failed position, not the least string."""
    # "9" sorts after "10..." as a string; the response must follow batch order.
    sequences = ["9", "10", "11"]
    event = kinesis_event([("key", "a"), ("key", "b"), ("key", "c")])
    for record, sequence in zip(event["Records"], sequences, strict=True):
        record["kinesis"]["sequenceNumber"] = sequence

    async def handler(record: dict[str, Any]) -> None:
        raise ValueError("every record fails")

    processor = asyncbatch.BatchProcessor(
        model=dict, raise_on_entire_batch_failure=False
    )
    result = await processor.process_async(event, handler)
    assert result.response() == F("9", "10", "11")


# -- C08 FIFO records after a failure ------------------------------------------------


@pytest.mark.anyio
async def test_c08_fifo_records_after_a_failure_are_skipped() -> None:
    """msg-3 to msg-5 are skipped, not run, and listed after msg-2."""
    ids = _ids(5)
    event = sqs_fifo_event({"g1": ids}, message_ids=ids)
    ran: list[str] = []

    async def handler(record: dict[str, Any]) -> None:
        ran.append(record["messageId"])
        if record["messageId"] == "msg-2":
            raise ValueError("msg-2 fails")

    processor = asyncbatch.BatchProcessor(model=dict)
    result = await processor.process_async(event, handler)
    assert ran == ["msg-1", "msg-2"]
    assert result.response() == F("msg-2", "msg-3", "msg-4", "msg-5")
    assert isinstance(result.outcomes[1].exception, ValueError)
    for outcome in result.outcomes[2:]:
        assert isinstance(outcome.exception, RecordSkippedError)
        assert outcome.duration is None


# -- C09 un-awaited work -------------------------------------------------------------


def test_c09_sync_entry_point_returns_after_all_work(spy: Spy) -> None:
    """Every quantity is stored when ``process`` returns; runs never overlap."""
    quantities: dict[str, int] = {}
    bodies = [{"qty": 2}, {"qty": 5}, {"qty": 7}]

    def handler(record: dict[str, Any]) -> None:
        spy.enter(record["messageId"])
        time.sleep(0.01)
        quantities[record["messageId"]] = json.loads(record["body"])["qty"]
        spy.leave(record["messageId"])

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=1)
    result = processor.process(_sqs(*_ids(3), bodies=bodies), handler)
    assert result.response() == NO_FAILURES
    assert quantities == {"msg-1": 2, "msg-2": 5, "msg-3": 7}
    assert spy.peak == 1
    intervals = sorted(spy.intervals.values())
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(intervals))


def test_c09_coroutine_returned_by_a_sync_handler_is_awaited(spy: Spy) -> None:
    """A sync-looking handler returning a coroutine has it run before ``process``
    returns, with no "never awaited" warning (warnings are errors here)."""
    quantities: dict[str, int] = {}
    bodies = [{"qty": 2}, {"qty": 5}, {"qty": 7}]

    async def store(record: dict[str, Any]) -> None:
        spy.enter(record["messageId"])
        await asyncio.sleep(0.01)
        quantities[record["messageId"]] = json.loads(record["body"])["qty"]
        spy.leave(record["messageId"])

    def handler(record: dict[str, Any]) -> Any:
        return store(record)

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=1)
    result = processor.process(_sqs(*_ids(3), bodies=bodies), handler)
    assert result.response() == NO_FAILURES
    assert quantities == {"msg-1": 2, "msg-2": 5, "msg-3": 7}
    assert spy.peak == 1


# -- C10 Lambda context in the record handler ----------------------------------------


def test_c10_lambda_context_is_given_to_handlers_that_ask() -> None:
    """Handlers declaring ``lambda_context`` get the very context object."""
    context = FakeLambdaContext(remaining=30)
    seen: dict[str, Any] = {}

    async def async_handler(record: dict[str, Any], lambda_context: Any) -> None:
        seen["async"] = lambda_context
        seen["async-ms"] = lambda_context.get_remaining_time_in_millis()

    def sync_handler(record: dict[str, Any], lambda_context: Any = None) -> None:
        seen["sync"] = lambda_context
        seen["sync-ms"] = lambda_context.get_remaining_time_in_millis()
        seen["sync-thread"] = threading.current_thread().name

    def plain_handler(*args: Any, **kwargs: Any) -> None:
        seen["plain"] = (args, kwargs)

    processor = asyncbatch.BatchProcessor(model=dict)
    event = _sqs("msg-1")
    for handler in (async_handler, sync_handler, plain_handler):
        assert processor.process(event, handler, context).response() == NO_FAILURES

    assert seen["async"] is context
    assert seen["sync"] is context
    assert 0 < seen["async-ms"] <= 30_000
    assert 0 < seen["sync-ms"] <= 30_000
    assert seen["sync-thread"].startswith("asyncbatch-worker-")
    args, kwargs = seen["plain"]
    assert kwargs == {}
    assert len(args) == 1
    assert args[0]["messageId"] == "msg-1"


def test_c10_lambda_context_is_none_without_a_context() -> None:
    """Without a context, ``lambda_context`` is given as None."""
    seen: list[Any] = []

    def handler(record: dict[str, Any], *, lambda_context: Any) -> None:
        seen.append(lambda_context)

    processor = asyncbatch.BatchProcessor(model=dict)
    processor.process(_sqs("msg-1"), handler)
    assert seen == [None]


# -- C13 blocking handler past its timeout -------------------------------------------


def test_c13_blocking_sync_handler_times_out(
    gate: Callable[[], threading.Event],
) -> None:
    """msg-2 fails at its 1 s limit, the call returns well before msg-2 would end."""
    release = gate()
    late = threading.Event()
    results: list[str] = []

    def handler(record: dict[str, Any]) -> str:
        if record["messageId"] == "msg-2":
            release.wait(10)
            late.set()
            return "late result"
        results.append(record["messageId"])
        return "ok"

    processor = asyncbatch.BatchProcessor(
        model=dict, record_timeout=1.0, max_concurrency=3
    )
    start = time.monotonic()
    result = processor.process(_sqs(*_ids(3)), handler)
    elapsed = time.monotonic() - start

    assert elapsed < 2.0
    assert result.response() == F("msg-2")
    error = result.outcomes[1].exception
    assert isinstance(error, RecordTimeoutError)
    assert isinstance(error, TimeoutError)
    assert error.timeout == 1.0
    assert result.outcomes[1].duration is not None
    assert result.outcomes[1].duration >= 1.0
    assert result.abandoned_threads == 1

    # The late result changes nothing, now or in the next invocation.
    release.set()
    assert late.wait(5)
    again = processor.process(_sqs(*_ids(3)), lambda record: "fresh")
    assert again.response() == NO_FAILURES
    assert [o.result for o in again.outcomes] == ["fresh"] * 3
    assert result.response() == F("msg-2")
    assert result.outcomes[1].result is None


# -- C14 limiter after a cancellation ------------------------------------------------


@pytest.mark.parametrize(("kind", "invocations"), [("async", 50), ("sync", 8)])
def test_c14_limiter_survives_timeouts_across_warm_invocations(
    kind: str, invocations: int
) -> None:
    """Each call returns ``F[msg-1]`` in under 1 s; the others run once, in order."""
    processor = asyncbatch.BatchProcessor(
        model=dict, max_concurrency=1, record_timeout=0.1
    )
    ids = _ids(5)

    ran: list[str] = []

    async def async_handler(record: dict[str, Any]) -> None:
        ran.append(record["messageId"])
        await asyncio.sleep(0.3 if record["messageId"] == "msg-1" else 0.01)

    def sync_handler(record: dict[str, Any]) -> None:
        ran.append(record["messageId"])
        time.sleep(0.3 if record["messageId"] == "msg-1" else 0.01)

    handler = async_handler if kind == "async" else sync_handler
    for _ in range(invocations):
        ran.clear()
        start = time.monotonic()
        result = processor.process(_sqs(*ids), handler)
        assert time.monotonic() - start < 1.0
        assert result.response() == F("msg-1")
        assert isinstance(result.outcomes[0].exception, RecordTimeoutError)
        assert ran == ids


# -- C15 one failure must not discard the others -------------------------------------


@pytest.mark.anyio
async def test_c15_one_failure_keeps_the_others_running() -> None:
    """All five run to the end, none cancelled; outcomes stay in batch order."""
    cancelled: list[str] = []

    async def handler(record: dict[str, Any]) -> str:
        identifier = record["messageId"]
        if identifier == "msg-2":
            raise ValueError("msg-2 fails at once")
        try:
            await asyncio.sleep(0.05)
        except asyncio.CancelledError:
            cancelled.append(identifier)
            raise
        return f"ok-{identifier[-1]}"

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=5)
    result = await processor.process_async(_sqs(*_ids(5)), handler)
    assert cancelled == []
    assert result.response() == F("msg-2")
    assert [o.result for o in result.outcomes] == ["ok-1", None, "ok-3", "ok-4", "ok-5"]
    assert isinstance(result.outcomes[1].exception, ValueError)


# -- C16 the same message id twice ---------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("failing", ["rh-2", "rh-1"])
async def test_c16_duplicated_id_is_listed_once_when_a_copy_fails(
    failing: str,
) -> None:
    """Three calls, three outcomes; the failed copy wins and is listed once."""
    event = _sqs("msg-A", "msg-B", "msg-A")
    event["Records"][0]["receiptHandle"] = "rh-1"
    event["Records"][2]["receiptHandle"] = "rh-2"
    calls: list[str] = []

    async def handler(record: dict[str, Any]) -> None:
        calls.append(record["receiptHandle"])
        if record["receiptHandle"] == failing:
            raise ValueError("this copy fails")

    processor = asyncbatch.BatchProcessor(model=dict)
    result = await processor.process_async(event, handler)
    assert sorted(calls) == sorted(
        ["rh-1", "rh-2", event["Records"][1]["receiptHandle"]]
    )
    assert len(result.outcomes) == 3
    assert result.response() == F("msg-A")


@pytest.mark.anyio
async def test_c16_both_copies_failing_are_listed_once() -> None:
    """Two failed copies of one id still give one entry, at the first failure."""
    event = _sqs("msg-A", "msg-B", "msg-A", "msg-C")

    async def handler(record: dict[str, Any]) -> None:
        if record["messageId"] != "msg-B":
            raise ValueError("fails")

    processor = asyncbatch.BatchProcessor(model=dict)
    result = await processor.process_async(event, handler)
    assert result.response() == F("msg-A", "msg-C")
