"""The typed Kinesis record: every Kinesis fixture, strict base64, payload models
(case C06) and the fast parser against full validation."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from asyncbatch import EventType
from asyncbatch._records import KinesisRecord, parser_for


def _records(folder: Path, name: str) -> list[dict[str, Any]]:
    with (folder / name).open() as file:
        records: list[dict[str, Any]] = json.load(file)["Records"]
    return records


class Item(BaseModel):
    message: str
    username: str


def _kinesis_record(data: str, sequence_number: str, key: str) -> dict[str, Any]:
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": key,
            "sequenceNumber": sequence_number,
            "data": data,
            "approximateArrivalTimestamp": 1545084650.987,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"shardId-000000000006:{sequence_number}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda-role",
        "awsRegion": "us-east-2",
        "eventSourceARN": "arn:aws:kinesis:us-east-2:123456789012:stream/s",
    }


def _b64(text: bytes) -> str:
    return base64.b64encode(text).decode()


parse_kinesis = parser_for(None, EventType.KINESIS)

S1 = "49590338271490256608559692538361571095921575989136588898"
S2 = "49590338271490256608559692540925702759324208523137515618"
S3 = "49590338271490256608559692540925702759324208523137515619"


class TestFixtures:
    def test_stream_event(self, shared_events: Path) -> None:
        """kinesisStreamEvent.json: both records, data decoded, every field."""
        first, second = (
            parse_kinesis(r) for r in _records(shared_events, "kinesisStreamEvent.json")
        )

        assert isinstance(first, KinesisRecord)
        assert first.kinesis.partition_key == "1"
        assert first.kinesis.sequence_number == S1
        assert first.kinesis.data == b"Hello, this is a test."
        assert first.kinesis.data_as_text() == "Hello, this is a test."
        assert first.kinesis.kinesis_schema_version == "1.0"
        assert first.kinesis.approximate_arrival_timestamp == datetime(
            2018, 12, 17, 22, 10, 50, 987000, tzinfo=timezone.utc
        )
        assert first.event_id == f"shardId-000000000006:{S1}"
        assert first.event_name == "aws:kinesis:record"
        assert first.event_source == "aws:kinesis"
        assert first.event_version == "1.0"
        assert first.invoke_identity_arn == "arn:aws:iam::123456789012:role/lambda-role"
        assert first.aws_region == "us-east-2"
        assert first.event_source_arn == (
            "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream"
        )

        assert second.kinesis.sequence_number == S2
        assert second.kinesis.data == b"This is only a test."

    def test_one_record_json(self, shared_events: Path) -> None:
        """kinesisStreamEventOneRecord.json: JSON data, raw and as a model."""
        (raw,) = _records(shared_events, "kinesisStreamEventOneRecord.json")

        record = parse_kinesis(raw)
        assert record.kinesis.data_as_json() == {
            "message": "test message",
            "username": "test",
        }

        typed = parser_for(KinesisRecord[Item], EventType.KINESIS)(raw)
        assert typed.kinesis.data == Item(message="test message", username="test")
        assert typed.kinesis.sequence_number == S1

    def test_cloudwatch_logs(self, shared_events: Path) -> None:
        """CloudWatch Logs subscription data is gzip; the record gives the bytes."""
        records = [
            parse_kinesis(r)
            for r in _records(shared_events, "kinesisStreamCloudWatchLogsEvent.json")
        ]

        assert [r.kinesis.sequence_number for r in records] == [
            "49635052289529725553291405521504870233219489715332317186",
            "49635052289529725553291405520881064510298312199003701250",
        ]
        assert records[0].kinesis.partition_key == "da10bf66b1f54bff5d96eae99149ad1f"
        logs = json.loads(gzip.decompress(records[0].kinesis.data))
        assert logs["messageType"] == "DATA_MESSAGE"
        assert logs["logEvents"]
        with pytest.raises(UnicodeDecodeError):
            records[0].kinesis.data_as_text()

    def test_tumbling_window(self, shared_events: Path) -> None:
        """The tumbling-window event's record parses like any other."""
        (record,) = (
            parse_kinesis(r)
            for r in _records(shared_events, "kinesisStreamTumblingWindowEvent.json")
        )

        assert record.kinesis.sequence_number == S1
        assert record.kinesis.data == b"Hello, this is a test."
        assert record.kinesis.approximate_arrival_timestamp == datetime(
            2020, 12, 9, 7, 4, 35, tzinfo=timezone.utc
        )

    def test_docs_samples(self, shared_events: Path) -> None:
        """The docs samples: one JSON record, one that is not JSON."""
        examples = shared_events / "examples"
        json_data, text_data = (
            parse_kinesis(r)
            for r in _records(examples, "getting_started_kinesis_event.json")
        )
        assert json_data.kinesis.data_as_json() == {"Message": "success"}
        assert text_data.kinesis.data == b"success"
        with pytest.raises(ValueError):
            text_data.kinesis.data_as_json()

        first, second = (
            parse_kinesis(r) for r in _records(examples, "pydantic_kinesis_event.json")
        )
        assert first.kinesis.data_as_json() == {"item": {"laptop": "amd"}}
        assert second.kinesis.sequence_number == (
            "6006958808509702859251049540584488075644979031228738"
        )

    def test_fast_parser_equals_full_validation(self, shared_events: Path) -> None:
        """For every Kinesis fixture the parser builds what model_validate builds."""
        names = [
            "kinesisStreamEvent.json",
            "kinesisStreamEventOneRecord.json",
            "kinesisStreamCloudWatchLogsEvent.json",
            "kinesisStreamTumblingWindowEvent.json",
            "examples/getting_started_kinesis_event.json",
            "examples/pydantic_kinesis_event.json",
        ]
        for name in names:
            for raw in _records(shared_events, name):
                fast = parse_kinesis(raw)
                slow = KinesisRecord.model_validate(raw)
                assert fast == slow
                assert fast.model_dump() == slow.model_dump()
                assert fast.model_fields_set == slow.model_fields_set
                assert fast.kinesis.model_fields_set == slow.kinesis.model_fields_set
                assert repr(fast) == repr(slow)


class TestC06:
    """Case C06 at the parser level: ``KinesisRecord[Item]``."""

    parse = staticmethod(parser_for(KinesisRecord[Item], EventType.KINESIS))

    def test_valid_payloads(self) -> None:
        """r1 and r3 parse; their sequence numbers are the exact strings."""
        payload = _b64(b'{"message": "m", "username": "u"}')
        r1 = self.parse(_kinesis_record(payload, S1, "k1"))
        r3 = self.parse(_kinesis_record(payload, S3, "k3"))

        assert r1.kinesis.data == Item(message="m", username="u")
        assert (r1.kinesis.sequence_number, r3.kinesis.sequence_number) == (S1, S3)

    def test_plain_text_data(self) -> None:
        """Data that decodes to plain text fails with a JSON error, at once."""
        with pytest.raises(ValidationError) as caught:
            self.parse(_kinesis_record(_b64(b"just some text"), S2, "k2"))

        (error,) = caught.value.errors(include_input=False)
        assert error["type"] == "json_invalid"
        assert error["loc"] == ("kinesis", "data")

    def test_not_base64(self) -> None:
        """``%%%notbase64`` fails with a decode error that does not repeat it."""
        with pytest.raises(ValidationError) as caught:
            self.parse(_kinesis_record("%%%notbase64", S2, "k2"))

        (error,) = caught.value.errors(include_input=False)
        assert error["type"] == "value_error"
        assert error["loc"] == ("kinesis", "data")
        assert "base64" in error["msg"]
        assert "%%%" not in str(caught.value.errors(include_input=False))

    def test_raw_record_fails_on_bad_base64_too(self) -> None:
        """Unparametrized, data that is not base64 fails the record at once."""
        with pytest.raises(ValidationError):
            parse_kinesis(_kinesis_record("%%%notbase64", S2, "k2"))

    def test_data_methods_on_parsed_data(self) -> None:
        """data_as_text() and data_as_json() need raw data, and say so."""
        payload = _b64(b'{"message": "m", "username": "u"}')
        record = self.parse(_kinesis_record(payload, S1, "k1"))

        with pytest.raises(TypeError, match="parsed into Item"):
            record.kinesis.data_as_text()


class TestStrictBase64:
    @pytest.mark.parametrize(
        "data",
        [
            "SGVsbG8",  # missing padding
            "SGVsbG8==",  # excess padding
            "SGVs bG8=",  # a space inside
            "SGVsbG8=\n",  # a newline after
            "SGVsbG8=QQ==",  # data after padding
            "SGVs-bG8=",  # the URL-safe alphabet
            "ÄGVsbG8=",  # not ASCII
        ],
    )
    def test_refused(self, data: str) -> None:
        """Anything but exact standard base64 fails the record."""
        with pytest.raises(ValidationError):
            parse_kinesis(_kinesis_record(data, S1, "k1"))

    @pytest.mark.parametrize(
        ("data", "decoded"),
        [("", b""), ("SGVsbG8=", b"Hello"), ("AAEC/w==", b"\x00\x01\x02\xff")],
    )
    def test_accepted(self, data: str, decoded: bytes) -> None:
        """Standard base64, including empty data, decodes exactly."""
        assert parse_kinesis(_kinesis_record(data, S1, "k1")).kinesis.data == decoded

    def test_json_dump_encodes_data_again(self) -> None:
        """A JSON dump by alias has the data in base64, as on the wire."""
        raw = _kinesis_record("AAEC/w==", S1, "k1")
        dumped = parse_kinesis(raw).model_dump(mode="json", by_alias=True)

        assert dumped["kinesis"]["data"] == "AAEC/w=="
        assert KinesisRecord.model_validate(dumped) == parse_kinesis(raw)
