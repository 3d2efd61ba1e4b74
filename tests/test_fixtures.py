"""Real Lambda events end to end: the golden identifiers of ``../shared/events``.

The golden identifiers are the ones listed in ``SOURCES.md`` beside the fixtures:
what Lambda must be told when every record fails.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import asyncbatch
from asyncbatch import InvalidEventError

pytestmark = pytest.mark.anyio

GOLDEN: dict[str, list[str]] = {
    "sqsEvent.json": [
        "059f36b4-87a3-44ab-83d2-661975830a7d",
        "2e1424d4-f796-459a-8184-9c92662be6da",
    ],
    "sqsDlqTriggerEvent.json": ["db37cc61-1bb0-4e77-b6f3-7cf87f44a72a"],
    "snsSqsEvent.json": ["79406a00-bf15-46ca-978c-22c3613fcb30"],
    "snsSqsFifoEvent.json": ["69bc4bbd-ed69-4325-a434-85c3b428ceab"],
    "s3SqsEvent.json": ["ca3e7a89-c358-40e5-8aa0-5da01403c267"],
    "kinesisStreamEvent.json": [
        "49590338271490256608559692538361571095921575989136588898",
        "49590338271490256608559692540925702759324208523137515618",
    ],
    "kinesisStreamEventOneRecord.json": [
        "49590338271490256608559692538361571095921575989136588898"
    ],
    "kinesisStreamCloudWatchLogsEvent.json": [
        "49635052289529725553291405521504870233219489715332317186",
        "49635052289529725553291405520881064510298312199003701250",
    ],
    "kinesisStreamTumblingWindowEvent.json": [
        "49590338271490256608559692538361571095921575989136588898"
    ],
    "dynamoStreamEvent.json": ["111", "222"],
    "dynamoStreamTumblingWindowEvent.json": ["111", "222", "333"],
}

#: The four the core runtime issue names first.
HEADLINE = [
    "sqsEvent.json",
    "kinesisStreamEvent.json",
    "dynamoStreamEvent.json",
    "snsSqsFifoEvent.json",
]

SOURCES = {
    "sqs": asyncbatch.EventType.SQS,
    "sns": asyncbatch.EventType.SQS,
    "s3S": asyncbatch.EventType.SQS,
    "kin": asyncbatch.EventType.KINESIS,
    "dyn": asyncbatch.EventType.DYNAMODB,
}


def _load(folder: Path, name: str) -> dict[str, Any]:
    path = folder / name
    if not path.is_file():
        pytest.skip(f"{path} is not there")
    event: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return event


def _always_fails(record: Any) -> None:
    raise ValueError("this record fails")


def _succeeds(record: Any) -> str:
    return "ok"


def _failure_ids(response: dict[str, list[dict[str, str]]]) -> list[str]:
    return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]


@pytest.fixture(params=["dict", "typed"])
def model(request: pytest.FixtureRequest) -> Any:
    """Raw records (``model=dict``), then the built-in typed records."""
    if request.param == "dict":
        return dict
    request.getfixturevalue("typed_records")
    return None


@pytest.mark.parametrize("name", sorted(GOLDEN))
async def test_always_failing_handler_gives_the_golden_identifiers(
    name: str, model: Any, shared_events: Path
) -> None:
    """Every record failing lists exactly the golden identifiers, in that order."""
    event = _load(shared_events, name)
    processor = asyncbatch.BatchProcessor(
        model=model, raise_on_entire_batch_failure=False
    )
    response = await asyncbatch.process_partial_response_async(
        event, _always_fails, processor
    )
    assert _failure_ids(response) == GOLDEN[name]
    assert json.loads(json.dumps(response)) == response


@pytest.mark.parametrize("name", sorted(GOLDEN))
async def test_succeeding_handler_gives_no_failures(
    name: str, model: Any, shared_events: Path
) -> None:
    """A handler that always succeeds gives ``F[]`` for every real event."""
    event = _load(shared_events, name)
    processor = asyncbatch.BatchProcessor(model=model)
    result = await processor.process_async(event, _succeeds)
    assert result.response() == {"batchItemFailures": []}
    assert [o.result for o in result.outcomes] == ["ok"] * len(GOLDEN[name])
    assert [o.item_identifier for o in result.outcomes] == GOLDEN[name]


@pytest.mark.parametrize("name", sorted(GOLDEN))
async def test_the_event_type_is_detected(name: str, shared_events: Path) -> None:
    """The source is read from the records, and an explicit match is accepted."""
    event = _load(shared_events, name)
    expected = SOURCES[name[:3]]
    detected = await asyncbatch.BatchProcessor(model=dict).process_async(
        event, _succeeds
    )
    assert detected.event_type is expected
    told = asyncbatch.BatchProcessor(expected, model=dict)
    assert (await told.process_async(event, _succeeds)).event_type is expected


@pytest.mark.parametrize("name", HEADLINE)
def test_headline_events_through_the_sync_entry_point(
    name: str, shared_events: Path
) -> None:
    """The sync entry point gives the golden identifiers, and raises by default."""
    event = _load(shared_events, name)
    processor = asyncbatch.BatchProcessor(
        model=dict, raise_on_entire_batch_failure=False
    )
    response = asyncbatch.process_partial_response(event, _always_fails, processor)
    assert _failure_ids(response) == GOLDEN[name]

    with pytest.raises(asyncbatch.BatchProcessingError) as caught:
        asyncbatch.process_partial_response(event, _always_fails)
    assert _failure_ids(caught.value.result.response()) == GOLDEN[name]
    assert asyncbatch.process_partial_response(event, lambda r: None) == {
        "batchItemFailures": []
    }


@pytest.mark.parametrize("handler_kind", ["async", "sync"])
async def test_typed_headline_records_reach_the_handler(
    handler_kind: str, typed_records: ModuleType, shared_events: Path
) -> None:
    """The default typed records carry the identifiers the response is built from."""
    seen: list[str] = []

    def note(record: Any) -> None:
        if isinstance(record, asyncbatch.SqsRecord):
            seen.append(record.message_id)
        elif isinstance(record, asyncbatch.KinesisRecord):
            seen.append(record.kinesis.sequence_number)
        else:
            seen.append(record.dynamodb.sequence_number)

    async def async_note(record: Any) -> None:
        note(record)

    handler = async_note if handler_kind == "async" else note
    for name in HEADLINE:
        seen.clear()
        event = _load(shared_events, name)
        await asyncbatch.BatchProcessor().process_async(event, handler)
        assert seen == GOLDEN[name]


async def test_msk_event_is_refused(shared_events: Path) -> None:
    """The MSK fixture is refused: Kafka is not supported yet."""
    event = _load(shared_events, "kafkaEventMsk.json")
    with pytest.raises(InvalidEventError, match=r"Kafka.*not supported yet"):
        await asyncbatch.process_partial_response_async(event, _succeeds)


async def test_self_managed_kafka_event_is_refused(shared_events: Path) -> None:
    """The self-managed Kafka fixture is refused: Kafka is not supported yet."""
    event = _load(shared_events, "kafkaEventSelfManaged.json")
    with pytest.raises(InvalidEventError, match=r"Kafka.*not supported yet"):
        await asyncbatch.process_partial_response_async(event, _succeeds)
