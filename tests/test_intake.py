"""Bad input is refused before any handler runs (SPEC section 6, CASES C02, C03)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import asyncbatch
from asyncbatch import EventType, InvalidEventError
from asyncbatch.testing import (
    dynamodb_event,
    dynamodb_modify,
    kinesis_event,
    sqs_event,
    sqs_fifo_event,
)

pytestmark = pytest.mark.anyio


class Calls:
    """A record handler that only counts its calls."""

    def __init__(self) -> None:
        self.count = 0

    async def __call__(self, record: Any) -> None:
        self.count += 1


def _sqs(count: int = 2) -> dict[str, Any]:
    return sqs_event([f"body-{i}" for i in range(count)])


def _kinesis() -> dict[str, Any]:
    return kinesis_event([("key-a", "one"), ("key-b", "two")])


def _dynamodb() -> dict[str, Any]:
    return dynamodb_event(
        [
            dynamodb_modify({"id": 1}, old_image={"n": 1}, new_image={"n": 2}),
            dynamodb_modify({"id": 2}, old_image={"n": 1}, new_image={"n": 2}),
        ]
    )


async def _refused(
    event: object,
    match: str,
    processor: asyncbatch.BatchProcessor | None = None,
) -> None:
    processor = processor or asyncbatch.BatchProcessor(
        EventType.SQS, model=dict, raise_on_entire_batch_failure=False
    )
    calls = Calls()
    with pytest.raises(InvalidEventError, match=match):
        await processor.process_async(event, calls)
    assert calls.count == 0


# -- C02: wrong-shaped events --------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "match"),
    [
        pytest.param([], "mapping", id="list"),
        pytest.param(None, "mapping", id="None"),
        pytest.param("Records", "mapping", id="str"),
        pytest.param({}, "Records", id="empty mapping"),
        pytest.param({"records": _sqs()["Records"]}, "Records", id="lower-case key"),
        pytest.param({"Records": None}, "Records", id="Records null"),
        pytest.param({"Records": {"messageId": "msg-1"}}, "Records", id="Records dict"),
        pytest.param({"Records": "msg-1"}, "Records", id="Records str"),
    ],
)
async def test_wrong_shaped_events_are_refused(event: object, match: str) -> None:
    """A malformed event raises InvalidEventError naming the problem, runs nothing."""
    await _refused(event, match)


async def test_a_kinesis_event_is_refused_by_an_sqs_processor() -> None:
    """The records' source must match the processor's event type (C02)."""
    await _refused(_kinesis(), "aws:kinesis")


async def test_a_dynamodb_event_is_refused_by_a_kinesis_processor() -> None:
    """A source mismatch is refused for streams too, naming both sources."""
    processor = asyncbatch.BatchProcessor(EventType.KINESIS, model=dict)
    await _refused(_dynamodb(), "aws:dynamodb", processor)


async def test_a_record_that_is_not_a_mapping_is_refused() -> None:
    """A record that is not a mapping is refused, naming its index."""
    event = _sqs()
    event["Records"].append("msg-3")
    await _refused(event, "record 2")


async def test_mixed_event_sources_are_refused() -> None:
    """Records of one event must share one eventSource."""
    event = _sqs()
    event["Records"].append(_kinesis()["Records"][0])
    processor = asyncbatch.BatchProcessor(model=dict)
    await _refused(event, "aws:kinesis", processor)


@pytest.mark.parametrize("event_type", [None, EventType.SQS])
async def test_one_record_without_an_event_source_is_named(
    event_type: EventType | None,
) -> None:
    """A record missing eventSource among records that have it is named."""
    event = _sqs(3)
    del event["Records"][1]["eventSource"]
    processor = asyncbatch.BatchProcessor(event_type, model=dict)
    await _refused(event, r"record 1 has no 'eventSource'", processor)


async def test_differing_arns_are_fine() -> None:
    """Records of one source may name different queues."""
    event = _sqs()
    event["Records"][1]["eventSourceARN"] = "arn:aws:sqs:eu-west-1:123456789012:other"
    processor = asyncbatch.BatchProcessor(model=dict)
    calls = Calls()
    result = await processor.process_async(event, calls)
    assert result.response() == {"batchItemFailures": []}
    assert calls.count == 2


async def test_no_event_source_and_no_event_type_is_refused() -> None:
    """Without eventSource the processor must be told the event type."""
    event = _sqs()
    for record in event["Records"]:
        del record["eventSource"]
    processor = asyncbatch.BatchProcessor(model=dict)
    await _refused(event, "eventSource", processor)

    told = asyncbatch.BatchProcessor(EventType.SQS, model=dict)
    calls = Calls()
    result = await told.process_async(event, calls)
    assert result.response() == {"batchItemFailures": []}
    assert calls.count == 2


async def test_an_unknown_event_source_is_refused() -> None:
    """An eventSource that asyncbatch does not process is refused, naming it."""
    event = _sqs()
    for record in event["Records"]:
        record["eventSource"] = "aws:s3"
    processor = asyncbatch.BatchProcessor(model=dict)
    await _refused(event, "aws:s3", processor)


@pytest.mark.parametrize("value", [["aws:sqs"], {"source": "aws:sqs"}])
async def test_an_event_source_that_is_not_a_string_is_refused(value: object) -> None:
    """An unhashable eventSource is refused naming the record, not a TypeError."""
    event = _sqs()
    event["Records"][1]["eventSource"] = value
    await _refused(event, r"record 1: 'eventSource' must be a string")


async def test_an_unhashable_event_level_source_is_not_taken_for_kafka() -> None:
    """Only a string can name Kafka; an odd top-level eventSource changes nothing."""
    event = {**_sqs(), "eventSource": ["aws:kafka"]}
    processor = asyncbatch.BatchProcessor(model=dict)
    calls = Calls()

    result = await processor.process_async(event, calls)

    assert result.response() == {"batchItemFailures": []}
    assert calls.count == 2


# -- C03: identifiers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        pytest.param(None, "missing", id="missing"),
        pytest.param("", "empty", id="empty"),
        pytest.param(123, "string", id="int"),
    ],
)
async def test_sqs_record_without_message_id(value: object, problem: str) -> None:
    """A record without a usable messageId is refused, naming index 1 and the key."""
    event = _sqs(3)
    if value is None:
        del event["Records"][1]["messageId"]
    else:
        event["Records"][1]["messageId"] = value
    await _refused(event, rf"record 1\b.*messageId.*{problem}")


async def test_kinesis_record_without_sequence_number() -> None:
    """A Kinesis record without kinesis.sequenceNumber is refused, naming it (C03)."""
    event = _kinesis()
    del event["Records"][1]["kinesis"]["sequenceNumber"]
    processor = asyncbatch.BatchProcessor(model=dict)
    await _refused(event, r"record 1\b.*kinesis\.sequenceNumber", processor)


async def test_kinesis_record_without_its_kinesis_section() -> None:
    """A Kinesis record with no ``kinesis`` mapping is refused, naming the index."""
    event = _kinesis()
    del event["Records"][0]["kinesis"]
    processor = asyncbatch.BatchProcessor(model=dict)
    await _refused(event, r"record 0\b.*kinesis", processor)


async def test_dynamodb_record_without_sequence_number() -> None:
    """A DynamoDB record without dynamodb.SequenceNumber is refused, naming it (C03)."""
    event = _dynamodb()
    del event["Records"][1]["dynamodb"]["SequenceNumber"]
    processor = asyncbatch.BatchProcessor(model=dict)
    await _refused(event, r"record 1\b.*dynamodb\.SequenceNumber", processor)


async def test_kinesis_record_without_partition_key() -> None:
    """A Kinesis record without the partition key that ordering needs is refused."""
    event = _kinesis()
    del event["Records"][1]["kinesis"]["partitionKey"]
    processor = asyncbatch.BatchProcessor(model=dict)
    await _refused(event, r"record 1\b.*partitionKey", processor)


async def test_dynamodb_record_without_keys() -> None:
    """A DynamoDB record without the item Keys that ordering needs is refused."""
    event = _dynamodb()
    del event["Records"][1]["dynamodb"]["Keys"]
    processor = asyncbatch.BatchProcessor(model=dict)
    await _refused(event, r"record 1\b.*Keys", processor)


async def test_stream_keys_are_not_needed_without_key_ordering() -> None:
    """With ``key_ordering=False`` the partition key is not needed."""
    event = _kinesis()
    del event["Records"][1]["kinesis"]["partitionKey"]
    processor = asyncbatch.BatchProcessor(model=dict, key_ordering=False)
    calls = Calls()
    result = await processor.process_async(event, calls)
    assert result.response() == {"batchItemFailures": []}
    assert calls.count == 2


async def test_fifo_record_without_message_group_is_refused() -> None:
    """A FIFO queue record without its message group (its ordering key) is refused."""
    event = sqs_fifo_event({"g1": ["a", "b"]})
    del event["Records"][1]["attributes"]["MessageGroupId"]
    processor = asyncbatch.BatchProcessor(model=dict)
    await _refused(event, r"record 1\b.*MessageGroupId", processor)


async def test_the_event_is_not_changed_by_refusal_or_processing() -> None:
    """Intake reads the event and never writes to it."""
    event = _sqs(3)
    before = copy.deepcopy(event)
    processor = asyncbatch.BatchProcessor(model=dict)
    await processor.process_async(event, Calls())
    assert event == before


# -- empty batches and Kafka ---------------------------------------------------------


async def test_empty_records_gives_no_failures_without_a_handler_call() -> None:
    """``{"Records": []}`` returns ``F[]`` and never calls the handler."""
    calls = Calls()
    response = await asyncbatch.process_partial_response_async(
        {"Records": []}, calls, asyncbatch.BatchProcessor(model=dict)
    )
    assert response == {"batchItemFailures": []}
    assert calls.count == 0


async def test_empty_records_is_not_an_entire_batch_failure() -> None:
    """An empty batch never counts as every record failing, whatever the options."""
    processor = asyncbatch.BatchProcessor(EventType.KINESIS, model=dict)
    result = await processor.process_async({"Records": []}, Calls())
    assert result.outcomes == ()
    assert result.failures == ()
    assert result.response() == {"batchItemFailures": []}


def test_empty_records_through_the_sync_entry_point() -> None:
    """The sync entry point returns ``F[]`` for an empty batch, too."""
    calls = Calls()
    response = asyncbatch.process_partial_response({"Records": []}, calls)
    assert response == {"batchItemFailures": []}
    assert calls.count == 0


KAFKA_RECORDS = {
    "mytopic-0": [
        {
            "topic": "mytopic",
            "partition": 0,
            "offset": 15,
            "timestamp": 1545084650987,
            "timestampType": "CREATE_TIME",
            "key": "cmVjb3JkS2V5",
            "value": "eyJrZXkiOiJ2YWx1ZSJ9",
            "headers": [],
        }
    ]
}


async def test_msk_events_are_refused_as_not_supported_yet() -> None:
    """An Amazon MSK event is refused with a message saying Kafka is not supported."""
    event = {"eventSource": "aws:kafka", "records": KAFKA_RECORDS}
    processor = asyncbatch.BatchProcessor(model=dict)
    await _refused(event, "Kafka.*not supported yet", processor)


async def test_self_managed_kafka_events_are_refused_as_not_supported_yet() -> None:
    """A self-managed Kafka event is refused as Kafka, not supported yet."""
    event = {"eventSource": "aws:SelfManagedKafka", "records": KAFKA_RECORDS}
    processor = asyncbatch.BatchProcessor(model=dict)
    await _refused(event, "Kafka.*not supported yet", processor)


# -- every entry point ---------------------------------------------------------------


def test_sync_entry_points_raise_before_any_handler() -> None:
    """``process`` and ``process_partial_response`` raise InvalidEventError too."""
    calls = Calls()
    processor = asyncbatch.BatchProcessor(model=dict)
    with pytest.raises(InvalidEventError, match="Records"):
        processor.process({"Records": None}, calls)
    with pytest.raises(InvalidEventError, match="Records"):
        asyncbatch.process_partial_response({}, calls, processor)
    assert calls.count == 0


async def test_invalid_event_is_a_value_error() -> None:
    """InvalidEventError is also a ValueError, for callers that catch that."""
    with pytest.raises(ValueError, match="Records"):
        await asyncbatch.process_partial_response_async({}, Calls())
