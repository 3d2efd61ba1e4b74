"""Real Lambda events end to end: the golden identifiers of ``../shared/events``,
and every field of the typed records the handler receives from them.

The golden identifiers are the ones listed in ``SOURCES.md`` beside the fixtures:
what Lambda must be told when every record fails.
"""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import ValidationError

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


# Every SQS, Kinesis and DynamoDB fixture, record by record: the value of each
# field of the typed record, as the fixture's JSON spells it. ``kinesis.data`` of
# the CloudWatch Logs records is gzip; their decompressed content is checked apart.
UTC = timezone.utc
SQS_ARN = "arn:aws:sqs:us-east-2:123456789012:my-queue"
KINESIS_ARN = "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream"
LOGS_ARN = (
    "arn:aws:kinesis:eu-west-1:231436140809:"
    "stream/pt-1488-KinesisStreamCloudWatchLogs-D8tHs0im0aJG"
)
LOGS_ROLE = (
    "arn:aws:iam::231436140809:role/pt-1488-CloudWatchKinesisLogsFunctionRole-"
    "1M4G2TIWIE49"
)
S1, S2 = GOLDEN["kinesisStreamEvent.json"]
L1, L2 = GOLDEN["kinesisStreamCloudWatchLogsEvent.json"]


class _Text:
    """Equal to a string of ``length`` characters that starts with ``start``.

    For receipt handles, which are long and opaque.
    """

    def __init__(self, start: str, length: int) -> None:
        self.start, self.length = start, length

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, str)
            and other.startswith(self.start)
            and len(other) == self.length
        )

    def __repr__(self) -> str:
        return f"<{self.length} characters starting {self.start!r}>"


def _sqs_attributes(
    count: int,
    sent: datetime,
    first_receive: datetime,
    sender: str,
    **others: object,
) -> dict[str, object]:
    # Set only for FIFO queues, dead-letter queues and traced senders.
    optional: dict[str, object] = dict.fromkeys(
        (
            "message_group_id",
            "message_deduplication_id",
            "sequence_number",
            "dead_letter_queue_source_arn",
            "aws_trace_header",
        )
    )
    assert others.keys() <= optional.keys(), others
    optional.update(others)
    return {
        "attributes.approximate_receive_count": count,
        "attributes.sent_timestamp": sent,
        "attributes.approximate_first_receive_timestamp": first_receive,
        "attributes.sender_id": sender,
        **{f"attributes.{name}": value for name, value in optional.items()},
    }


def _sqs_source(
    arn: str, region: str, url: str, *, fifo: bool = False
) -> dict[str, object]:
    return {
        "event_source": "aws:sqs",
        "event_source_arn": arn,
        "aws_region": region,
        "queue_name": arn.rsplit(":", 1)[1],
        "queue_url": url,
        "is_fifo": fifo,
        "md5_of_message_attributes": None,
    }


def _kinesis(
    key: str,
    sequence_number: str,
    arrival: datetime,
    shard: str,
    role: str,
    region: str,
    arn: str,
) -> dict[str, object]:
    return {
        "kinesis.partition_key": key,
        "kinesis.sequence_number": sequence_number,
        "kinesis.approximate_arrival_timestamp": arrival,
        "kinesis.kinesis_schema_version": "1.0",
        "event_id": f"{shard}:{sequence_number}",
        "event_name": "aws:kinesis:record",
        "event_source": "aws:kinesis",
        "event_version": "1.0",
        "invoke_identity_arn": role,
        "aws_region": region,
        "event_source_arn": arn,
    }


def _dynamodb(
    event_id: str,
    event_name: str,
    sequence_number: str,
    size: int,
    region: str,
    arn: str,
    *,
    new: dict[str, object] | None,
    old: dict[str, object] | None,
    created: datetime | None = None,
) -> dict[str, object]:
    return {
        "event_id": event_id,
        "event_name": event_name,
        "event_version": "1.0",
        "event_source": "aws:dynamodb",
        "aws_region": region,
        "event_source_arn": arn,
        "user_identity": None,
        "is_ttl_delete": False,
        "dynamodb.keys": {"Id": Decimal(101)},
        "dynamodb.new_image": new,
        "dynamodb.old_image": old,
        "dynamodb.sequence_number": sequence_number,
        "dynamodb.size_bytes": size,
        "dynamodb.stream_view_type": "NEW_AND_OLD_IMAGES",
        "dynamodb.approximate_creation_date_time": created,
    }


NEW_ITEM = {"Message": "New item!", "Id": Decimal(101)}
CHANGED_ITEM = {"Message": "This item has changed", "Id": Decimal(101)}

FIELDS: dict[str, list[dict[str, object]]] = {
    "sqsEvent.json": [
        {
            "message_id": "059f36b4-87a3-44ab-83d2-661975830a7d",
            "receipt_handle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
            "body": "Test message.",
            "md5_of_body": "e4e68fb7bd0e697a0ae8f1bb342846b3",
            **_sqs_attributes(
                1,
                datetime(2018, 12, 17, 21, 37, 29, 183000, tzinfo=UTC),
                datetime(2018, 12, 17, 21, 37, 29, 185000, tzinfo=UTC),
                "AIDAIENQZJOLO23YVJ4VO",
            ),
            **_sqs_source(
                SQS_ARN,
                "us-east-2",
                "https://sqs.us-east-2.amazonaws.com/123456789012/my-queue",
            ),
            # Its sample binaryValue, "base64Str", is not base64 (see the caveats).
            "message_attributes": ValidationError,
        },
        {
            "message_id": "2e1424d4-f796-459a-8184-9c92662be6da",
            "receipt_handle": "AQEBzWwaftRI0KuVm4tP+/7q1rGgNqicHq...",
            "body": '{"message": "foo1"}',
            "json_body": {"message": "foo1"},
            "md5_of_body": "e4e68fb7bd0e697a0ae8f1bb342846b3",
            "message_attributes": {},
            **_sqs_attributes(
                1,
                datetime(2018, 12, 17, 21, 37, 30, 636000, tzinfo=UTC),
                datetime(2018, 12, 17, 21, 37, 30, 649000, tzinfo=UTC),
                "AIDAIENQZJOLO23YVJ4VO",
            ),
            **_sqs_source(
                SQS_ARN,
                "us-east-2",
                "https://sqs.us-east-2.amazonaws.com/123456789012/my-queue",
            ),
        },
    ],
    "sqsDlqTriggerEvent.json": [
        {
            "message_id": "db37cc61-1bb0-4e77-b6f3-7cf87f44a72a",
            "receipt_handle": _Text("AQEBl1pqxv+ZHkarVAWZUyWgj2mmqJGLBTo6YFOi", 432),
            "body": "hello world",
            "md5_of_body": "6a204bd89f3c8348afd5c77c717a097a",
            "message_attributes": {},
            **_sqs_attributes(
                2,
                datetime(2024, 4, 15, 12, 45, 56, 609000, tzinfo=UTC),
                datetime(2024, 4, 15, 12, 45, 56, 612000, tzinfo=UTC),
                "AMCXIENQZJOLO23YVJ4VO",
                dead_letter_queue_source_arn="arn:aws:sqs:eu-central-1:123456789012:"
                "sqs-redrive-SampleQueue-RNvLCpwGmLi7",
            ),
            **_sqs_source(
                "arn:aws:sqs:eu-central-1:123456789012:sqs-redrive-SampleDLQ-Emgp9MFSLBZm",
                "eu-central-1",
                "https://sqs.eu-central-1.amazonaws.com/123456789012/"
                "sqs-redrive-SampleDLQ-Emgp9MFSLBZm",
            ),
        },
    ],
    "snsSqsEvent.json": [
        {
            "message_id": "79406a00-bf15-46ca-978c-22c3613fcb30",
            "receipt_handle": _Text("AQEB3fkqlBqq239bMCAHIr5mZkxJYKtxsTTy1lMI", 388),
            "json_body.Type": "Notification",
            "json_body.MessageId": "d88d4479-6ec0-54fe-b63f-1cf9df4bb16e",
            "json_body.TopicArn": "arn:aws:sns:eu-west-1:231436140809:powertools265",
            "md5_of_body": "8910bdaaf9a30a607f7891037d4af0b0",
            "message_attributes": {},
            **_sqs_attributes(
                1,
                datetime(2021, 1, 19, 10, 7, 7, 340000, tzinfo=UTC),
                datetime(2021, 1, 19, 10, 7, 7, 344000, tzinfo=UTC),
                "AIDAISMY7JYY5F7RTT6AO",
            ),
            **_sqs_source(
                "arn:aws:sqs:eu-west-1:231436140809:powertools265",
                "eu-west-1",
                "https://sqs.eu-west-1.amazonaws.com/231436140809/powertools265",
            ),
        },
    ],
    "snsSqsFifoEvent.json": [
        {
            "message_id": "69bc4bbd-ed69-4325-a434-85c3b428ceab",
            "receipt_handle": _Text("AQEBbfAqjhrgIdW3HGWYPz57mdDatG/dT9LZhRPA", 284),
            "json_body.Type": "Notification",
            "json_body.MessageId": "a7c9d2fa-77fa-5184-9de9-89391027cc7d",
            "json_body.SequenceNumber": "10000000000000004000",
            "md5_of_body": "f3c788e623445e3feb263e80c1bffc0b",
            "message_attributes": {},
            **_sqs_attributes(
                1,
                datetime(2022, 10, 14, 13, 35, 25, 442000, tzinfo=UTC),
                datetime(2022, 10, 14, 13, 35, 25, 442000, tzinfo=UTC),
                "AIDAWYJAWPFU7SUQGUJC6",
                message_group_id="powertools-test",
                message_deduplication_id="4e0a0f61eed277a4b9e4c01d5722b07b"
                "0725e42fe782102abee5711adfac701f",
                sequence_number="18873177232222703872",
            ),
            **_sqs_source(
                "arn:aws:sqs:eu-west-1:231436140809:Test.fifo",
                "eu-west-1",
                "https://sqs.eu-west-1.amazonaws.com/231436140809/Test.fifo",
                fifo=True,
            ),
        },
    ],
    "s3SqsEvent.json": [
        {
            "message_id": "ca3e7a89-c358-40e5-8aa0-5da01403c267",
            "receipt_handle": _Text("AQEBE7XoI7IQRLF7SrpiW9W4BanmOWe8UtVDbv6/", 388),
            "json_body.Records.0.eventName": "ObjectCreated:Put",
            "json_body.Records.0.eventTime": "2023-04-12T20:43:38.021Z",
            "md5_of_body": "16f4460f4477d8d693a5abe94fdbbd73",
            "message_attributes": {},
            **_sqs_attributes(
                1,
                datetime(2023, 4, 12, 20, 43, 39, 270000, tzinfo=UTC),
                datetime(2023, 4, 12, 20, 43, 59, 270000, tzinfo=UTC),
                "AIDAJHIPRHEMV73VRJEBU",
            ),
            **_sqs_source(
                "arn:aws:sqs:us-east-1:123456789012:SQS",
                "us-east-1",
                "https://sqs.us-east-1.amazonaws.com/123456789012/SQS",
            ),
        },
    ],
    "kinesisStreamEvent.json": [
        {
            "kinesis.data": b"Hello, this is a test.",
            "kinesis.data_as_text()": "Hello, this is a test.",
            **_kinesis(
                "1",
                S1,
                datetime(2018, 12, 17, 22, 10, 50, 987000, tzinfo=UTC),
                "shardId-000000000006",
                "arn:aws:iam::123456789012:role/lambda-role",
                "us-east-2",
                KINESIS_ARN,
            ),
        },
        {
            "kinesis.data": b"This is only a test.",
            "kinesis.data_as_text()": "This is only a test.",
            **_kinesis(
                "1",
                S2,
                datetime(2018, 12, 17, 22, 11, 51, 166000, tzinfo=UTC),
                "shardId-000000000006",
                "arn:aws:iam::123456789012:role/lambda-role",
                "us-east-2",
                KINESIS_ARN,
            ),
        },
    ],
    "kinesisStreamEventOneRecord.json": [
        {
            "kinesis.data": b'{"message": "test message", "username": "test"}',
            "kinesis.data_as_json()": {"message": "test message", "username": "test"},
            **_kinesis(
                "1",
                S1,
                datetime(2018, 12, 17, 22, 10, 50, 987000, tzinfo=UTC),
                "shardId-000000000006",
                "arn:aws:iam::123456789012:role/lambda-role",
                "us-east-2",
                KINESIS_ARN,
            ),
        },
    ],
    "kinesisStreamCloudWatchLogsEvent.json": [
        _kinesis(
            "da10bf66b1f54bff5d96eae99149ad1f",
            L1,
            datetime(2022, 11, 10, 15, 10, 33, 744000, tzinfo=UTC),
            "shardId-000000000000",
            LOGS_ROLE,
            "eu-west-1",
            LOGS_ARN,
        ),
        _kinesis(
            "cf4c4c2c9a49bdfaf58d7dbbc2b06081",
            L2,
            datetime(2022, 11, 10, 15, 3, 32, 992000, tzinfo=UTC),
            "shardId-000000000000",
            LOGS_ROLE,
            "eu-west-1",
            LOGS_ARN,
        ),
    ],
    "kinesisStreamTumblingWindowEvent.json": [
        {
            "kinesis.data": b"Hello, this is a test.",
            **_kinesis(
                "1",
                S1,
                datetime(2020, 12, 9, 7, 4, 35, tzinfo=UTC),
                "shardId-000000000006",
                "arn:aws:iam::123456789012:role/lambda-kinesis-role",
                "us-east-1",
                "arn:aws:kinesis:us-east-1:123456789012:stream/lambda-stream",
            ),
        },
    ],
    "dynamoStreamEvent.json": [
        _dynamodb(
            "1",
            "INSERT",
            "111",
            26,
            "us-west-2",
            "eventsource_arn",
            new=NEW_ITEM,
            old=None,
            created=datetime(2023, 9, 6, 10, 45, 55, tzinfo=UTC),
        ),
        _dynamodb(
            "2",
            "MODIFY",
            "222",
            59,
            "us-west-2",
            "source_arn",
            new=CHANGED_ITEM,
            old=NEW_ITEM,
        ),
    ],
    "dynamoStreamTumblingWindowEvent.json": [
        _dynamodb(
            "1", "INSERT", "111", 26, "us-east-1", "stream-ARN", new=NEW_ITEM, old=None
        ),
        _dynamodb(
            "2",
            "MODIFY",
            "222",
            59,
            "us-east-1",
            "stream-ARN",
            new=CHANGED_ITEM,
            old=NEW_ITEM,
        ),
        _dynamodb(
            "3",
            "REMOVE",
            "333",
            38,
            "us-east-1",
            "stream-ARN",
            new=None,
            old=CHANGED_ITEM,
        ),
    ],
}


def _read(record: object, path: str) -> object:
    """The value at ``path``: attributes, ``name()`` calls and keys, dot separated."""
    value: Any = record
    for step in path.split("."):
        if isinstance(value, dict):
            value = value[step]
        elif isinstance(value, list):
            value = value[int(step)]
        elif step.endswith("()"):
            value = getattr(value, step[:-2])()
        else:
            value = getattr(value, step)
    return value


async def _typed(event: dict[str, Any]) -> list[Any]:
    """The typed records the default processor hands to the handler, in order."""
    seen: list[Any] = []

    async def keep(record: Any) -> None:
        seen.append(record)

    result = await asyncbatch.BatchProcessor(max_concurrency=1).process_async(
        event, keep
    )
    assert result.response() == {"batchItemFailures": []}
    return seen


def test_every_record_fixture_has_its_fields_spelled_out(shared_events: Path) -> None:
    """No SQS, Kinesis or DynamoDB fixture is left out of FIELDS."""
    fixtures = {
        path.name
        for path in shared_events.glob("*.json")
        if not path.name.startswith("kafka")
    }
    assert fixtures == set(FIELDS)
    assert set(GOLDEN) == set(FIELDS)


@pytest.mark.parametrize("name", sorted(FIELDS))
async def test_typed_record_fields(
    name: str, typed_records: ModuleType, shared_events: Path
) -> None:
    """Each record of the fixture reaches the handler with every field as spelled."""
    records = await _typed(_load(shared_events, name))

    assert len(records) == len(FIELDS[name])
    for record, fields in zip(records, FIELDS[name], strict=True):
        for path, expected in fields.items():
            if expected is ValidationError:
                with pytest.raises(ValidationError):
                    _read(record, path)
            else:
                assert _read(record, path) == expected, (name, path)


async def test_cloudwatch_logs_data(shared_events: Path) -> None:
    """The CloudWatch Logs records carry gzip data, decoded to its bytes."""
    records = await _typed(
        _load(shared_events, "kinesisStreamCloudWatchLogsEvent.json")
    )

    first, second = (json.loads(gzip.decompress(r.kinesis.data)) for r in records)
    assert [len(r.kinesis.data) for r in records] == [558, 543]
    assert first["messageType"] == second["messageType"] == "DATA_MESSAGE"
    assert first["logStream"] == "2022/11/10/[$LATEST]26b6a45d574f442ea28438923cbf7bf7"
    assert [e["id"] for e in second["logEvents"]] == [
        "37199708127506482280445535360970910210598331668667957248",
        "37199708127528783025644065984112445928870980030173937665",
        "37199708127528783025644065984112445928870980030173937666",
    ]
