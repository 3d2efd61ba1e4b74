"""The typed SQS record: every SQS fixture, the fast parser against full validation,
payload models (case C01) and the lazy fields."""

from __future__ import annotations

import copy
import json
import pickle
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from asyncbatch import EventType
from asyncbatch._records import SqsAttributes, SqsRecord, parser_for


def _records(folder: Path, name: str) -> list[dict[str, Any]]:
    with (folder / name).open() as file:
        records: list[dict[str, Any]] = json.load(file)["Records"]
    return records


def _utc(milliseconds: int) -> datetime:
    return datetime.fromtimestamp(milliseconds / 1000, timezone.utc)


class Order(BaseModel):
    order_id: int
    qty: int


def _sqs_record(body: str, message_id: str = "msg-1", **extra: Any) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": "rh-1",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "3",
            "SentTimestamp": "1545082649183",
            "SenderId": "SENDER",
            "ApproximateFirstReceiveTimestamp": "1545082649185",
        },
        "messageAttributes": {},
        "md5OfBody": "0" * 32,
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-2:123456789012:my-queue",
        "awsRegion": "us-east-2",
        **extra,
    }


parse_sqs = parser_for(None, EventType.SQS)


def _read(
    record: object, name: str, start: threading.Barrier, seen: list[object]
) -> None:
    start.wait(timeout=5)
    seen.append(getattr(record, name))


class TestFixtures:
    def test_sqs_event(self, shared_events: Path) -> None:
        """Both records of sqsEvent.json parse with every field spelled out."""
        first, second = (
            parse_sqs(raw) for raw in _records(shared_events, "sqsEvent.json")
        )

        assert isinstance(first, SqsRecord)
        assert first.message_id == "059f36b4-87a3-44ab-83d2-661975830a7d"
        assert first.receipt_handle == "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a..."
        assert first.body == "Test message."
        assert first.md5_of_body == "e4e68fb7bd0e697a0ae8f1bb342846b3"
        assert first.event_source == "aws:sqs"
        assert first.event_source_arn == "arn:aws:sqs:us-east-2:123456789012:my-queue"
        assert first.aws_region == "us-east-2"
        assert first.attributes == SqsAttributes.model_validate(
            {
                "ApproximateReceiveCount": "1",
                "SentTimestamp": "1545082649183",
                "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                "ApproximateFirstReceiveTimestamp": "1545082649185",
            }
        )
        assert first.attributes.approximate_receive_count == 1
        assert first.attributes.sent_timestamp == _utc(1545082649183)
        assert first.attributes.approximate_first_receive_timestamp == _utc(
            1545082649185
        )
        assert first.attributes.sender_id == "AIDAIENQZJOLO23YVJ4VO"
        assert first.attributes.message_group_id is None
        assert first.queue_name == "my-queue"
        assert (
            first.queue_url
            == "https://sqs.us-east-2.amazonaws.com/123456789012/my-queue"
        )
        assert first.is_fifo is False

        assert second.message_id == "2e1424d4-f796-459a-8184-9c92662be6da"
        assert second.body == '{"message": "foo1"}'
        assert second.json_body == {"message": "foo1"}
        assert second.message_attributes == {}
        assert second.attributes.sent_timestamp == _utc(1545082650636)

    def test_sample_binary_value_is_not_base64(self, shared_events: Path) -> None:
        """sqsEvent.json's sample binaryValue is not base64: reading it raises.

        The record itself parses (message attributes are converted on first read),
        and the error names the field, not the value.
        """
        record = parse_sqs(_records(shared_events, "sqsEvent.json")[0])

        with pytest.raises(ValidationError) as caught:
            _ = record.message_attributes

        (error,) = caught.value.errors(include_input=False)
        assert error["loc"] == ("message_attributes", "testAttr", "binaryValue")
        assert "base64Str" not in error["msg"]

    def test_dead_letter_queue(self, shared_events: Path) -> None:
        """A record read from a DLQ names its source queue."""
        (record,) = (
            parse_sqs(r) for r in _records(shared_events, "sqsDlqTriggerEvent.json")
        )

        assert record.message_id == "db37cc61-1bb0-4e77-b6f3-7cf87f44a72a"
        assert record.body == "hello world"
        assert record.attributes.approximate_receive_count == 2
        assert record.attributes.dead_letter_queue_source_arn == (
            "arn:aws:sqs:eu-central-1:123456789012:sqs-redrive-SampleQueue-RNvLCpwGmLi7"
        )
        assert record.queue_name == "sqs-redrive-SampleDLQ-Emgp9MFSLBZm"
        assert record.aws_region == "eu-central-1"

    def test_fifo(self, shared_events: Path) -> None:
        """The FIFO attributes of snsSqsFifoEvent.json, and FIFO-ness from the ARN."""
        (record,) = (
            parse_sqs(r) for r in _records(shared_events, "snsSqsFifoEvent.json")
        )

        assert record.message_id == "69bc4bbd-ed69-4325-a434-85c3b428ceab"
        assert record.attributes.message_group_id == "powertools-test"
        assert record.attributes.message_deduplication_id == (
            "4e0a0f61eed277a4b9e4c01d5722b07b0725e42fe782102abee5711adfac701f"
        )
        assert record.attributes.sequence_number == "18873177232222703872"
        assert record.attributes.sent_timestamp == _utc(1665754525442)
        assert record.is_fifo is True
        assert record.queue_name == "Test.fifo"
        assert (
            record.queue_url
            == "https://sqs.eu-west-1.amazonaws.com/231436140809/Test.fifo"
        )

    @pytest.mark.parametrize(
        ("name", "message_id"),
        [
            ("snsSqsEvent.json", "79406a00-bf15-46ca-978c-22c3613fcb30"),
            ("s3SqsEvent.json", "ca3e7a89-c358-40e5-8aa0-5da01403c267"),
        ],
    )
    def test_envelope_bodies_stay_text(
        self, shared_events: Path, name: str, message_id: str
    ) -> None:
        """Unparametrized, a body holding another service's notification is text."""
        (record,) = (parse_sqs(r) for r in _records(shared_events, name))

        assert record.message_id == message_id
        assert isinstance(record.body, str)
        assert isinstance(record.json_body, dict)

    def test_docs_samples(self, shared_events: Path) -> None:
        """The docs samples, including a body that is not JSON and a bare record."""
        examples = shared_events / "examples"
        ok, not_json = (
            parse_sqs(r) for r in _records(examples, "getting_started_sqs_event.json")
        )
        assert ok.json_body == {"Message": "success"}
        assert not_json.body == "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg=="
        with pytest.raises(ValueError):
            _ = not_json.json_body
        # That sample ARN has a space before the account: no name or URL from it.
        assert ok.event_source_arn == "arn:aws:sqs:us-east-2: 123456789012:my-queue"
        assert ok.queue_name is None
        assert ok.queue_url is None
        assert ok.aws_region == "us-east-1"

        first, second = (
            parse_sqs(r) for r in _records(examples, "pydantic_sqs_event.json")
        )
        assert first.json_body == {"item": {"laptop": "amd"}}
        assert second.json_body == {"item": {"keyboard": "classic"}}

        bare = [
            parse_sqs(r)
            for r in _records(examples, "custom_partial_processor_payload.json")
        ]
        assert [r.message_id for r in bare] == [
            "059f36b4-87a3-44ab-83d2-661975830a7d",
            "244fc6b4-87a3-44ab-83d2-361172410c3a",
        ]
        assert bare[0].attributes == SqsAttributes()
        assert bare[0].message_attributes == {}
        assert bare[0].event_source_arn is None
        assert bare[0].queue_url is None
        assert bare[0].is_fifo is False

    def test_fast_parser_equals_full_validation(self, shared_events: Path) -> None:
        """For every SQS fixture the parser builds what model_validate builds."""
        names = [
            "sqsDlqTriggerEvent.json",
            "snsSqsEvent.json",
            "snsSqsFifoEvent.json",
            "s3SqsEvent.json",
            "examples/getting_started_sqs_event.json",
            "examples/pydantic_sqs_event.json",
            "examples/custom_partial_processor_payload.json",
        ]
        for name in names:
            for raw in _records(shared_events, name):
                fast = parse_sqs(raw)
                slow = SqsRecord.model_validate(raw)
                assert fast == slow
                assert fast.model_dump() == slow.model_dump()
                assert fast.model_fields_set == slow.model_fields_set
                assert repr(fast) == repr(slow)


class TestPayload:
    """Case C01 at the parser level: ``SqsRecord[Order]``."""

    parse = staticmethod(parser_for(SqsRecord[Order], EventType.SQS))

    def test_valid_body(self) -> None:
        """A body that fits becomes an Order; the identifier is the raw one."""
        record = self.parse(_sqs_record('{"order_id": 1, "qty": 2}'))

        assert record.body == Order(order_id=1, qty=2)
        assert record.message_id == "msg-1"
        assert record.json_body == Order(order_id=1, qty=2)
        assert type(record).__name__ == "SqsRecord[Order]"

    def test_model_rejects_body(self) -> None:
        """A body the model rejects raises at once, located at the body."""
        with pytest.raises(ValidationError) as caught:
            self.parse(_sqs_record('{"order_id": "abc"}', "msg-2"))

        errors = caught.value.errors(include_input=False)
        assert [(e["type"], e["loc"]) for e in errors] == [
            ("int_parsing", ("body", "order_id")),
            ("missing", ("body", "qty")),
        ]

    def test_body_not_json(self) -> None:
        """A body that is not JSON raises a JSON error at once."""
        with pytest.raises(ValidationError) as caught:
            self.parse(_sqs_record("not json{", "msg-2"))

        (error,) = caught.value.errors(include_input=False)
        assert error["type"] == "json_invalid"
        assert error["loc"] == ("body",)
        assert "not json" not in str(error)

    def test_same_error_as_full_validation(self) -> None:
        """The parser's error is the one model_validate raises."""
        raw = _sqs_record('{"order_id": "abc"}')
        with pytest.raises(ValidationError) as fast:
            self.parse(raw)
        with pytest.raises(ValidationError) as slow:
            SqsRecord[Order].model_validate(raw)

        assert fast.value.errors() == slow.value.errors()

    def test_str_payload_stays_raw(self) -> None:
        """``SqsRecord[str]`` is the raw body, the same as ``SqsRecord``."""
        record = parser_for(SqsRecord[str], EventType.SQS)(_sqs_record("not json{"))

        assert record.body == "not json{"

    def test_any_json_value(self) -> None:
        """``SqsRecord[list[int]]`` takes any type pydantic validates."""
        record = parser_for(SqsRecord[list[int]], EventType.SQS)(_sqs_record("[1, 2]"))

        assert record.body == [1, 2]

    def test_raw_body_not_json_is_fine(self) -> None:
        """Unparametrized, a body that is not JSON parses; json_body raises on read."""
        record = parse_sqs(_sqs_record("not json{"))

        assert record.body == "not json{"
        with pytest.raises(ValueError):
            _ = record.json_body


class TestLazyFields:
    def test_invalid_attribute_raises_on_read(self) -> None:
        """A bad system attribute parses, and raises a ValidationError when read."""
        raw = _sqs_record("{}")
        raw["attributes"]["ApproximateReceiveCount"] = "many"
        record = parse_sqs(raw)

        with pytest.raises(ValidationError) as caught:
            _ = record.attributes

        (error,) = caught.value.errors(include_input=False)
        assert error["loc"] == ("attributes", "ApproximateReceiveCount")
        with pytest.raises(ValidationError):
            SqsRecord.model_validate(raw)

    def test_message_attributes(self) -> None:
        """String, binary and list values; binary decoded to bytes."""
        raw = _sqs_record(
            "{}",
            messageAttributes={
                "text": {"stringValue": "hi", "dataType": "String"},
                "blob": {"binaryValue": "AAEC/w==", "dataType": "Binary"},
                "list": {
                    "stringListValues": ["a"],
                    "binaryListValues": ["AQ=="],
                    "dataType": "String",
                },
            },
        )
        attributes = parse_sqs(raw).message_attributes

        assert attributes["text"].string_value == "hi"
        assert attributes["text"].binary_value is None
        assert attributes["blob"].binary_value == b"\x00\x01\x02\xff"
        assert attributes["blob"].data_type == "Binary"
        assert attributes["list"].string_list_values == ["a"]
        assert attributes["list"].binary_list_values == [b"\x01"]

    def test_dump_by_alias_has_the_wire_shape(self) -> None:
        """A JSON dump by alias gives back wire keys and base64 binary values."""
        raw = _sqs_record(
            "{}",
            messageAttributes={
                "blob": {"binaryValue": "AAEC/w==", "dataType": "Binary"}
            },
        )
        dumped = parse_sqs(raw).model_dump(mode="json", by_alias=True)

        assert dumped["messageId"] == "msg-1"
        assert dumped["messageAttributes"]["blob"]["binaryValue"] == "AAEC/w=="
        assert dumped["attributes"]["ApproximateReceiveCount"] == 3
        assert SqsRecord.model_validate(dumped) == parse_sqs(raw)

    def test_dump_inside_another_model(self) -> None:
        """A lazily built record inside another model dumps complete."""

        class Batch(BaseModel):
            records: list[SqsRecord]

        raw = _sqs_record("{}")
        dumped = Batch(records=[parse_sqs(raw)]).model_dump()

        assert dumped["records"] == [SqsRecord.model_validate(raw).model_dump()]
        assert dumped["records"][0]["attributes"]["approximate_receive_count"] == 3

    def test_copy_pickle_and_assignment(self) -> None:
        """Copies and pickles of a lazily built record equal the eager one."""
        raw = _sqs_record("{}")
        slow = SqsRecord.model_validate(raw)

        assert copy.copy(parse_sqs(raw)) == slow
        assert copy.deepcopy(parse_sqs(raw)) == slow
        assert pickle.loads(pickle.dumps(parse_sqs(raw))) == slow
        assert dict(parse_sqs(raw)) == dict(slow)

        assigned = parse_sqs(raw)
        assigned.attributes = SqsAttributes()
        assert assigned.attributes == SqsAttributes()
        assert assigned.model_dump()["attributes"]["approximate_receive_count"] is None

    def test_exclude_unset(self) -> None:
        """exclude_unset leaves out what the raw record did not carry, as eagerly."""
        raw = _sqs_record("{}")
        del raw["md5OfBody"]

        dumped = parse_sqs(raw).model_dump(exclude_unset=True)
        assert dumped == SqsRecord.model_validate(raw).model_dump(exclude_unset=True)
        assert "md5_of_body" not in dumped
        assert "md5_of_message_attributes" not in dumped

    def test_first_reads_from_several_threads(self) -> None:
        """Lazy fields read first from several threads at once all come through."""
        raw = _sqs_record(
            "{}", messageAttributes={"a": {"stringValue": "x", "dataType": "String"}}
        )
        expected = SqsRecord.model_validate(raw)
        for _ in range(50):
            record = parse_sqs(raw)
            start = threading.Barrier(3)
            seen: list[object] = []

            threads = [
                threading.Thread(target=_read, args=(record, name, start, seen))
                for name in ("attributes", "message_attributes", "attributes")
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=5)

            assert len(seen) == 3
            assert record == expected

    def test_odd_shapes_take_full_validation(self) -> None:
        """A record the fast path does not expect gets full validation's answer."""
        raw = _sqs_record("{}")
        raw["body"] = 42
        with pytest.raises(ValidationError) as caught:
            parse_sqs(raw)
        assert caught.value.errors(include_input=False)[0]["loc"] == ("body",)

        missing = _sqs_record("{}")
        del missing["receiptHandle"]
        with pytest.raises(ValidationError):
            parse_sqs(missing)


class TestJsonBody:
    def test_parsed_once(self) -> None:
        """Reading json_body twice gives the same object, parsed once."""
        record = parse_sqs(_sqs_record('{"a": [1]}'))

        assert record.json_body is record.json_body
        assert record.json_body == {"a": [1]}

    def test_copy_with_another_body(self) -> None:
        """A copy with another body parses that body, even after a first read."""
        record = parse_sqs(_sqs_record('{"a": 1}'))
        assert record.json_body == {"a": 1}

        copied = record.model_copy(update={"body": '{"a": 2}'})
        deep = record.model_copy(update={"body": '{"a": 3}'}, deep=True)

        assert copied.json_body == {"a": 2}
        assert deep.json_body == {"a": 3}
        assert record.json_body == {"a": 1}
        assert record.model_copy().json_body == {"a": 1}

    def test_assigned_body(self) -> None:
        """A body assigned after a first read is parsed anew."""
        record = parse_sqs(_sqs_record('{"a": 1}'))
        assert record.json_body == {"a": 1}

        record.body = "[2]"

        assert record.json_body == [2]

    def test_not_part_of_the_record(self) -> None:
        """What json_body keeps is no field: not iterated, dumped or compared."""
        raw = _sqs_record('{"a": 1}')
        record = parse_sqs(raw)
        _ = record.json_body

        assert record == SqsRecord.model_validate(raw)
        assert "json_body" not in dict(record)
        assert dict(record) == dict(SqsRecord.model_validate(raw))
        assert record.model_dump() == SqsRecord.model_validate(raw).model_dump()


class TestDerived:
    @pytest.mark.parametrize(
        ("arn", "url"),
        [
            (
                "arn:aws:sqs:eu-west-1:123456789012:orders.fifo",
                "https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo",
            ),
            (
                "arn:aws-cn:sqs:cn-north-1:123456789012:orders",
                "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/orders",
            ),
            (
                "arn:aws-us-gov:sqs:us-gov-west-1:123456789012:orders",
                "https://sqs.us-gov-west-1.amazonaws.com/123456789012/orders",
            ),
            (
                f"arn:aws:sqs:us-east-1:123456789012:{'q' * 75}.fifo",
                f"https://sqs.us-east-1.amazonaws.com/123456789012/{'q' * 75}.fifo",
            ),
            ("arn:aws:sns:us-east-1:123456789012:topic", None),
            ("not-an-arn", None),
            # Isolated partitions: their SQS domains are not guessed.
            ("arn:aws-iso:sqs:us-iso-east-1:123456789012:orders", None),
            ("arn:aws-iso-b:sqs:us-isob-east-1:123456789012:orders", None),
        ],
    )
    def test_queue_url(self, arn: str, url: str | None) -> None:
        """The queue URL from the ARN, per partition; None for other ARNs."""
        assert parse_sqs(_sqs_record("{}", eventSourceARN=arn)).queue_url == url

    @pytest.mark.parametrize(
        "arn",
        [
            "arn:aws:sqs:us-east-1:12345678901 :orders",
            "arn:aws:sqs:us-east-1:12345678901:orders",
            "arn:aws:sqs:us-east-1:1234567890123:orders",
            "arn:aws:sqs:us-east-1:123456789012:",
            "arn:aws:sqs:us-east-1:123456789012:my queue",
            "arn:aws:sqs:us-east-1:123456789012:a/b",
            "arn:aws:sqs:us-east-1:123456789012:orders.fifo.fifo",
            f"arn:aws:sqs:us-east-1:123456789012:{'q' * 81}",
            "arn:aws:sqs::123456789012:orders",
            "arn:aws:sqs:US-EAST-1:123456789012:orders",
            "arn::sqs:us-east-1:123456789012:orders",
        ],
    )
    def test_malformed_arn(self, arn: str) -> None:
        """An ARN that is not a well-formed SQS queue ARN gives no name and no URL."""
        record = parse_sqs(_sqs_record("{}", eventSourceARN=arn))

        assert record.queue_url is None
        assert record.queue_name is None

    def test_queue_name_in_any_partition(self) -> None:
        """The name comes from any well-formed SQS ARN, isolated partitions too."""
        arn = "arn:aws-iso:sqs:us-iso-east-1:123456789012:orders.fifo"
        record = parse_sqs(_sqs_record("{}", eventSourceARN=arn))

        assert record.queue_name == "orders.fifo"
        assert parse_sqs(_sqs_record("{}")).queue_name == "my-queue"

    def test_fifo_without_arn(self) -> None:
        """Without an ARN, a message group marks a FIFO record."""
        raw = _sqs_record("{}")
        del raw["eventSourceARN"]
        assert parse_sqs(raw).is_fifo is False

        raw["attributes"]["MessageGroupId"] = "g1"
        assert parse_sqs(raw).is_fifo is True

    def test_standard_queue_with_group(self) -> None:
        """A standard queue with fair queuing carries a group and is not FIFO."""
        raw = _sqs_record("{}")
        raw["attributes"]["MessageGroupId"] = "tenant-1"

        assert parse_sqs(raw).is_fifo is False
