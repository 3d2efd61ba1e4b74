"""SNS and S3 notifications in an SQS body."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from asyncbatch import EventType
from asyncbatch._records import (
    S3EventNotification,
    SnsNotification,
    SqsRecord,
    parser_for,
)


def _records(folder: Path, name: str) -> list[dict[str, Any]]:
    with (folder / name).open() as file:
        records: list[dict[str, Any]] = json.load(file)["Records"]
    return records


class Greeting(BaseModel):
    message: str
    username: str


class TestSns:
    def test_notification(self, shared_events: Path) -> None:
        """snsSqsEvent.json: the notification, its Message parsed into a model."""
        (raw,) = _records(shared_events, "snsSqsEvent.json")
        record = parser_for(SqsRecord[SnsNotification[Greeting]], EventType.SQS)(raw)
        notification = record.body

        assert record.message_id == "79406a00-bf15-46ca-978c-22c3613fcb30"
        assert notification.type == "Notification"
        assert notification.message_id == "d88d4479-6ec0-54fe-b63f-1cf9df4bb16e"
        assert (
            notification.topic_arn == "arn:aws:sns:eu-west-1:231436140809:powertools265"
        )
        assert notification.message == Greeting(message="hello world", username="lessa")
        assert notification.timestamp == datetime(
            2021, 1, 19, 10, 7, 7, 287000, tzinfo=timezone.utc
        )
        assert notification.signature_version == "1"
        assert notification.signing_cert_url is not None
        assert notification.signing_cert_url.startswith("https://sns.eu-west-1.")
        assert notification.unsubscribe_url is not None
        assert notification.subject is None
        assert notification.sequence_number is None
        assert notification.message_attributes == {}

    def test_fifo_notification(self, shared_events: Path) -> None:
        """snsSqsFifoEvent.json: a FIFO topic's notification has a sequence number."""
        (raw,) = _records(shared_events, "snsSqsFifoEvent.json")
        record = parser_for(SqsRecord[SnsNotification], EventType.SQS)(raw)

        assert record.body.sequence_number == "10000000000000004000"
        assert record.body.topic_arn == "arn:aws:sns:eu-west-1:231436140809:Test.fifo"
        assert record.body.message == '{"message": "hello world", "username": "lessa"}'
        assert record.attributes.message_group_id == "powertools-test"

    def test_message_attributes(self) -> None:
        """SNS message attributes keep their type and value."""
        body = {
            "Type": "Notification",
            "MessageId": "m-1",
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:t",
            "Message": "plain",
            "Timestamp": "2024-01-01T00:00:00.000Z",
            "MessageAttributes": {"kind": {"Type": "String", "Value": "order"}},
        }
        notification = SnsNotification.model_validate(body)

        assert notification.message == "plain"
        assert notification.message_attributes["kind"].type == "String"
        assert notification.message_attributes["kind"].value == "order"

    def test_message_not_valid(self, shared_events: Path) -> None:
        """A Message the model rejects fails the record, located inside the body."""
        (raw,) = _records(shared_events, "snsSqsEvent.json")

        class Other(BaseModel):
            order_id: int

        with pytest.raises(ValidationError) as caught:
            parser_for(SqsRecord[SnsNotification[Other]], EventType.SQS)(raw)

        (error,) = caught.value.errors(include_input=False)
        assert error["loc"] == ("body", "Message", "order_id")

    def test_name(self) -> None:
        """Parametrized envelope classes read as written."""
        model = SqsRecord[SnsNotification[Greeting]]
        assert model.__name__ == "SqsRecord[SnsNotification[Greeting]]"


class TestS3:
    def test_notification(self, shared_events: Path) -> None:
        """s3SqsEvent.json: bucket, object and event of the S3 notification."""
        (raw,) = _records(shared_events, "s3SqsEvent.json")
        record = parser_for(SqsRecord[S3EventNotification], EventType.SQS)(raw)
        (event,) = record.body.records

        assert record.message_id == "ca3e7a89-c358-40e5-8aa0-5da01403c267"
        assert event.event_name == "ObjectCreated:Put"
        assert event.event_source == "aws:s3"
        assert event.aws_region == "us-east-1"
        assert event.event_time == datetime(
            2023, 4, 12, 20, 43, 38, 21000, tzinfo=timezone.utc
        )
        assert event.s3.bucket.name == "xxx"
        assert event.s3.bucket.arn == "arn:aws:s3:::xxx"
        assert event.s3.object.key == "test.pdf"
        assert event.s3.object.size == 104681
        assert event.s3.object.e_tag == "2e3ad1e983318bbd8e73b080e2997980"
        assert event.s3.object.version_id == "yd3d4HaWOT2zguDLvIQLU6ptDTwKBnQV"
        assert event.s3.object.sequencer == "00643717F9F8B85354"
        assert record.body.is_test_event is False

    def test_decoded_key(self) -> None:
        """Object keys arrive URL-encoded; decoded_key undoes it."""
        notification = S3EventNotification.model_validate(
            {
                "Records": [
                    {
                        "eventTime": "2024-01-01T00:00:00.000Z",
                        "eventName": "ObjectCreated:Put",
                        "s3": {
                            "bucket": {"name": "b"},
                            "object": {"key": "reports/2024+Q1/r%C3%A9sum%C3%A9.pdf"},
                        },
                    }
                ]
            }
        )

        key = notification.records[0].s3.object
        assert key.decoded_key == "reports/2024 Q1/résumé.pdf"

    def test_test_event(self) -> None:
        """S3's set-up test event has no records."""
        notification = S3EventNotification.model_validate(
            {
                "Service": "Amazon S3",
                "Event": "s3:TestEvent",
                "Time": "2024-01-01T00:00:00.000Z",
                "Bucket": "b",
            }
        )

        assert notification.is_test_event is True
        assert notification.records == []
