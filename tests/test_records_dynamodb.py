"""The typed DynamoDB Streams record: every DynamoDB fixture, lazy and eager images,
TTL deletions and the fast parser against full validation."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import asyncbatch
from asyncbatch import EventType
from asyncbatch._records import DynamoDBRecord, DynamoDBUserIdentity, parser_for


def _records(folder: Path, name: str) -> list[dict[str, Any]]:
    with (folder / name).open() as file:
        records: list[dict[str, Any]] = json.load(file)["Records"]
    return records


class Item(BaseModel):
    Id: int
    Message: str


def _dynamodb_record(
    event_name: str = "MODIFY",
    sequence_number: str = "300000000000000000001",
    new_image: dict[str, Any] | None = None,
    old_image: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    change: dict[str, Any] = {
        "ApproximateCreationDateTime": 1693997155.0,
        "Keys": {"Id": {"N": "101"}},
        "SequenceNumber": sequence_number,
        "SizeBytes": 26,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if new_image is not None:
        change["NewImage"] = new_image
    if old_image is not None:
        change["OldImage"] = old_image
    return {
        "eventID": "1",
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-west-2",
        "dynamodb": change,
        "eventSourceARN": "arn:aws:dynamodb:us-west-2:123456789012:table/t/stream/s",
        **extra,
    }


parse_dynamodb = parser_for(None, EventType.DYNAMODB)


class TestFixtures:
    def test_stream_event(self, shared_events: Path) -> None:
        """dynamoStreamEvent.json: INSERT and MODIFY with keys and images."""
        insert, modify = (
            parse_dynamodb(r) for r in _records(shared_events, "dynamoStreamEvent.json")
        )

        assert isinstance(insert, DynamoDBRecord)
        assert insert.event_id == "1"
        assert insert.event_name == "INSERT"
        assert insert.event_version == "1.0"
        assert insert.event_source == "aws:dynamodb"
        assert insert.aws_region == "us-west-2"
        assert insert.event_source_arn == "eventsource_arn"
        assert insert.user_identity is None
        assert insert.is_ttl_delete is False
        assert insert.dynamodb.sequence_number == "111"
        assert insert.dynamodb.keys == {"Id": Decimal(101)}
        assert insert.dynamodb.new_image == {
            "Message": "New item!",
            "Id": Decimal(101),
        }
        assert insert.dynamodb.old_image is None
        assert insert.dynamodb.size_bytes == 26
        assert insert.dynamodb.stream_view_type == "NEW_AND_OLD_IMAGES"
        assert insert.dynamodb.approximate_creation_date_time == datetime(
            2023, 9, 6, 10, 45, 55, tzinfo=timezone.utc
        )

        assert modify.event_name == "MODIFY"
        assert modify.event_source_arn == "source_arn"
        assert modify.dynamodb.sequence_number == "222"
        assert modify.dynamodb.size_bytes == 59
        assert modify.dynamodb.old_image == {
            "Message": "New item!",
            "Id": Decimal(101),
        }
        assert modify.dynamodb.new_image == {
            "Message": "This item has changed",
            "Id": Decimal(101),
        }
        assert modify.dynamodb.approximate_creation_date_time is None

    def test_tumbling_window(self, shared_events: Path) -> None:
        """INSERT, MODIFY and REMOVE: which images each carries."""
        records = [
            parse_dynamodb(r)
            for r in _records(shared_events, "dynamoStreamTumblingWindowEvent.json")
        ]

        assert [r.event_name for r in records] == ["INSERT", "MODIFY", "REMOVE"]
        assert [r.dynamodb.sequence_number for r in records] == ["111", "222", "333"]
        assert [r.dynamodb.size_bytes for r in records] == [26, 59, 38]
        remove = records[2]
        assert remove.dynamodb.new_image is None
        assert remove.dynamodb.old_image == {
            "Message": "This item has changed",
            "Id": Decimal(101),
        }
        assert remove.event_source_arn == "stream-ARN"

    def test_docs_samples(self, shared_events: Path) -> None:
        """The docs samples' images, including one without the attribute asked for."""
        examples = shared_events / "examples"
        failure, success = (
            parse_dynamodb(r)
            for r in _records(examples, "getting_started_dynamodb_event.json")
        )
        assert failure.dynamodb.new_image == {"Message": "failure"}
        assert success.dynamodb.new_image == {"SomethingElse": "success"}
        assert success.dynamodb.sequence_number == "8640712661"

        first, _ = (
            parse_dynamodb(r)
            for r in _records(examples, "pydantic_dynamodb_event.json")
        )
        assert first.dynamodb.new_image == {"Message": '{"item": {"laptop": "amd"}}'}
        assert first.dynamodb.sequence_number == "3275880929"

    def test_fast_parser_equals_full_validation(self, shared_events: Path) -> None:
        """For every DynamoDB fixture the parser builds what model_validate builds."""
        names = [
            "dynamoStreamEvent.json",
            "dynamoStreamTumblingWindowEvent.json",
            "examples/getting_started_dynamodb_event.json",
            "examples/pydantic_dynamodb_event.json",
        ]
        for name in names:
            for raw in _records(shared_events, name):
                fast = parse_dynamodb(raw)
                slow = DynamoDBRecord.model_validate(raw)
                assert fast == slow
                assert fast.model_dump() == slow.model_dump()
                assert fast.model_fields_set == slow.model_fields_set
                assert fast.dynamodb.model_fields_set == slow.dynamodb.model_fields_set
                assert repr(fast) == repr(slow)


class TestImages:
    def test_parametrized_images_validate_up_front(self) -> None:
        """``DynamoDBRecord[Item]`` validates both images before the handler."""
        parse = parser_for(DynamoDBRecord[Item], EventType.DYNAMODB)
        image = {"Id": {"N": "101"}, "Message": {"S": "hi"}}
        record = parse(_dynamodb_record(new_image=image, old_image=image))

        assert record.dynamodb.new_image == Item(Id=101, Message="hi")
        assert record.dynamodb.old_image == Item(Id=101, Message="hi")
        assert record.dynamodb.keys == {"Id": Decimal(101)}

        removed = parse(_dynamodb_record("REMOVE", old_image=image))
        assert removed.dynamodb.new_image is None

    def test_parametrized_image_rejected(self) -> None:
        """An image the model rejects fails at once, located at that image."""
        parse = parser_for(DynamoDBRecord[Item], EventType.DYNAMODB)
        raw = _dynamodb_record(new_image={"Id": {"S": "x"}, "Message": {"S": "hi"}})

        with pytest.raises(ValidationError) as caught:
            parse(raw)

        (error,) = caught.value.errors(include_input=False)
        assert error["loc"] == ("dynamodb", "NewImage", "Id")

    def test_parametrized_image_not_convertible(self) -> None:
        """An attribute value that cannot convert fails at once and names its path."""
        parse = parser_for(DynamoDBRecord[Item], EventType.DYNAMODB)
        image = {"Id": {"N": "1e"}, "Message": {"S": "secret"}}

        with pytest.raises(ValidationError) as caught:
            parse(_dynamodb_record(new_image=image))

        (error,) = caught.value.errors(include_input=False)
        assert error["loc"] == ("dynamodb", "NewImage")
        assert "Id: N is not a number" in error["msg"]
        assert "1e" not in error["msg"]

    @pytest.mark.parametrize("model", [None, DynamoDBRecord[Item]])
    @pytest.mark.parametrize(
        ("key", "value", "message"),
        [
            ("NewImage", {"Id": {"N": "abc"}}, "Id: N is not a number"),
            ("NewImage", {"Id": {"B": "%%%"}}, "Id: B is not valid base64"),
            ("NewImage", {"Id": {"X": "1"}}, "Id: unknown attribute type 'X'"),
            ("OldImage", {"Id": {"N": "NaN"}}, "Id: N is not a number"),
            ("Keys", {"Id": {"N": "1_0"}}, "Id: N is not a number"),
            ("Keys", {"Id": {"S": "a", "N": "1"}}, "Id: an attribute value must"),
        ],
    )
    def test_payload_not_convertible_fails_up_front(
        self, model: type[Any] | None, key: str, value: Any, message: str
    ) -> None:
        """Keys or an image that cannot convert fail the parse, located there."""
        raw = _dynamodb_record()
        raw["dynamodb"][key] = value

        with pytest.raises(ValidationError) as caught:
            parser_for(model, EventType.DYNAMODB)(raw)

        (error,) = caught.value.errors(include_input=False)
        assert error["loc"] == ("dynamodb", key)
        assert message in error["msg"]

    @pytest.mark.parametrize("key", ["Keys", "NewImage", "OldImage"])
    def test_payload_of_the_wrong_shape(self, key: str) -> None:
        """Keys or an image that is no mapping is the validation error of that key."""
        raw = _dynamodb_record()
        raw["dynamodb"][key] = ["not", "a", "mapping"]

        with pytest.raises(ValidationError) as caught:
            parse_dynamodb(raw)

        locations = [e["loc"][:2] for e in caught.value.errors(include_input=False)]
        assert locations == [("dynamodb", key)] * len(locations)

    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("NewImage", {"Id": {"N": "101"}, "v": {"N": "abc"}}),
            ("Keys", {"Id": {"N": "101"}, "Sk": {"N": "1_0"}}),
        ],
    )
    def test_bad_payload_fails_its_record_only(self, key: str, value: Any) -> None:
        """Bad keys or a bad image fail that record only; its handler never runs."""
        good = {"Id": {"N": "101"}, "Message": {"S": "hi"}}
        records = [
            _dynamodb_record(sequence_number=f"30000000000000000000{n}", new_image=good)
            for n in range(2)
        ]
        records[1]["dynamodb"][key] = value
        seen: list[str] = []

        def handler(record: DynamoDBRecord) -> None:
            seen.append(record.dynamodb.sequence_number)

        result = asyncbatch.BatchProcessor().process({"Records": records}, handler)

        assert seen == ["300000000000000000000"]
        ok, bad = result.outcomes
        assert ok.ok
        assert isinstance(bad.exception, ValidationError)
        assert bad.duration is None
        assert result.response() == {
            "batchItemFailures": [{"itemIdentifier": "300000000000000000001"}]
        }

    def test_json_dump(self) -> None:
        """A JSON dump writes binary values as standard base64, numbers as text."""
        image = {"b": {"B": "+/8="}, "n": {"N": "1.50"}, "l": {"L": [{"B": "AQ=="}]}}
        record = parse_dynamodb(_dynamodb_record(new_image=image))

        dumped = json.loads(record.model_dump_json())

        assert dumped["dynamodb"]["new_image"] == {
            "b": "+/8=",
            "n": "1.50",
            "l": ["AQ=="],
        }
        assert record.dynamodb.new_image == {
            "b": b"\xfb\xff",
            "n": Decimal("1.50"),
            "l": [b"\x01"],
        }

    def test_keys_only(self) -> None:
        """A KEYS_ONLY stream has no images."""
        raw = _dynamodb_record()
        raw["dynamodb"]["StreamViewType"] = "KEYS_ONLY"
        record = parse_dynamodb(raw)

        assert record.dynamodb.stream_view_type == "KEYS_ONLY"
        assert record.dynamodb.new_image is None
        assert record.dynamodb.old_image is None

    def test_unknown_event_name_takes_full_validation(self) -> None:
        """An event name outside INSERT/MODIFY/REMOVE is a validation error."""
        with pytest.raises(ValidationError):
            parse_dynamodb(_dynamodb_record("UPSERT"))

    def test_missing_keys_takes_full_validation(self) -> None:
        """Keys are required: without them the record does not parse."""
        raw = _dynamodb_record()
        del raw["dynamodb"]["Keys"]

        with pytest.raises(ValidationError):
            parse_dynamodb(raw)


class TestTimeToLive:
    def test_ttl_deletion(self) -> None:
        """A REMOVE by the DynamoDB service is a TTL deletion."""
        identity = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
        record = parse_dynamodb(_dynamodb_record("REMOVE", userIdentity=identity))

        assert record.user_identity == DynamoDBUserIdentity(
            type="Service", principalId="dynamodb.amazonaws.com"
        )
        assert record.user_identity is not None
        assert record.user_identity.principal_id == "dynamodb.amazonaws.com"
        assert record.is_ttl_delete is True

    @pytest.mark.parametrize(
        ("event_name", "identity"),
        [
            ("REMOVE", None),
            ("REMOVE", {"type": "Service", "principalId": "other.amazonaws.com"}),
            ("MODIFY", {"type": "Service", "principalId": "dynamodb.amazonaws.com"}),
        ],
    )
    def test_not_ttl(self, event_name: str, identity: dict[str, str] | None) -> None:
        """Only a REMOVE by the DynamoDB service counts."""
        extra = {} if identity is None else {"userIdentity": identity}
        record = parse_dynamodb(_dynamodb_record(event_name, **extra))

        assert record.is_ttl_delete is False


class TestTestingFactories:
    """The event factories of asyncbatch.testing and the typed records agree."""

    def test_images_round_trip(self) -> None:
        """Python values put into an image by the factory come back out the same."""
        from asyncbatch.testing import (
            dynamodb_event,
            dynamodb_insert,
            dynamodb_modify,
            dynamodb_remove,
        )

        image = {
            "name": "widget",
            "price": Decimal("12345678901234567890123456789012345678E-20"),
            "count": 0,
            "big": Decimal(123456789012345678901234567890123456780),
            "blob": b"\x00\xff",
            "active": True,
            "note": None,
            "tags": {"a", "b"},
            "sizes": {Decimal(1), Decimal("2.5")},
            "blobs": {b"\x01", b"\x02"},
            "dims": {"w": Decimal(3), "h": [Decimal(1), "x", {"deep": False}]},
        }
        keys = {"pk": "item-1"}
        event = dynamodb_event(
            [
                dynamodb_insert(keys, image),
                dynamodb_modify(keys, image, {**image, "count": 1}),
                dynamodb_remove(keys, image, ttl=True),
            ]
        )
        insert, modify, remove = (parse_dynamodb(raw) for raw in event["Records"])

        expected = {**image, **keys}
        assert insert.dynamodb.new_image == expected
        assert insert.dynamodb.keys == keys
        assert modify.dynamodb.old_image == expected
        assert modify.dynamodb.new_image == {**expected, "count": 1}
        assert remove.event_name == "REMOVE"
        assert remove.is_ttl_delete is True
        assert not insert.is_ttl_delete
        for raw, record in zip(event["Records"], (insert, modify, remove), strict=True):
            assert record == DynamoDBRecord.model_validate(raw)

    def test_other_sources(self) -> None:
        """SQS, FIFO and Kinesis factory events parse, the same as eagerly."""
        from asyncbatch._records import KinesisRecord, SqsRecord
        from asyncbatch.testing import kinesis_event, sqs_event, sqs_fifo_event

        for raw in sqs_event(count=3)["Records"] + sqs_fifo_event(count=3)["Records"]:
            record = parser_for(None, EventType.SQS)(raw)
            assert record == SqsRecord.model_validate(raw)
            assert record.attributes.approximate_receive_count == 1

        for raw in kinesis_event(count=3)["Records"]:
            record = parser_for(None, EventType.KINESIS)(raw)
            assert record == KinesisRecord.model_validate(raw)
            assert isinstance(record.kinesis.data_as_json(), dict)
