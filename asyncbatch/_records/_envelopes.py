"""Models of the notifications other services put into an SQS body.

Use them as the payload type of an SQS record: ``SqsRecord[SnsNotification[T]]``
parses the body as an SNS notification and its ``Message`` as JSON into ``T``;
``SqsRecord[S3EventNotification]`` parses an S3 event notification.
"""

from __future__ import annotations

from datetime import datetime
from typing import Generic

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypeVar

from ._base import PayloadModel

__all__ = [
    "S3Bucket",
    "S3Entity",
    "S3EventNotification",
    "S3EventRecord",
    "S3Object",
    "SnsMessageAttribute",
    "SnsNotification",
]

MessageT = TypeVar("MessageT", default=str)


class SnsMessageAttribute(BaseModel):
    """One SNS message attribute (``{"Type": ..., "Value": ...}``)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    type: str = Field(alias="Type")
    value: str = Field(alias="Value")


class SnsNotification(PayloadModel, Generic[MessageT]):
    """An SNS notification delivered to an SQS queue (raw delivery turned off).

    ``SnsNotification`` keeps ``message`` as text; ``SnsNotification[T]`` parses it
    as JSON into ``T``. ``sequence_number`` is set for FIFO topics only.
    """

    model_config = ConfigDict(extra="ignore", defer_build=True)

    type: str = Field(alias="Type")
    message_id: str = Field(alias="MessageId")
    topic_arn: str = Field(alias="TopicArn")
    subject: str | None = Field(default=None, alias="Subject")
    message: MessageT = Field(alias="Message")
    timestamp: datetime = Field(alias="Timestamp")
    sequence_number: str | None = Field(default=None, alias="SequenceNumber")
    message_attributes: dict[str, SnsMessageAttribute] = Field(
        default_factory=dict, alias="MessageAttributes"
    )
    signature_version: str | None = Field(default=None, alias="SignatureVersion")
    signature: str | None = Field(default=None, alias="Signature")
    signing_cert_url: str | None = Field(default=None, alias="SigningCertURL")
    unsubscribe_url: str | None = Field(default=None, alias="UnsubscribeURL")

    _raw_payload = str


class S3Bucket(BaseModel):
    """The bucket of an S3 event."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    name: str
    arn: str | None = None


class S3Object(BaseModel):
    """The object of an S3 event. ``key`` is URL-encoded, as S3 sends it."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    key: str
    size: int | None = None
    e_tag: str | None = Field(default=None, alias="eTag")
    version_id: str | None = Field(default=None, alias="versionId")
    sequencer: str | None = None

    @property
    def decoded_key(self) -> str:
        """The object key as stored: ``key`` with its URL encoding undone."""
        from urllib.parse import unquote_plus

        return unquote_plus(self.key)


class S3Entity(BaseModel):
    """The ``s3`` part of an S3 event record."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    s3_schema_version: str | None = Field(default=None, alias="s3SchemaVersion")
    configuration_id: str | None = Field(default=None, alias="configurationId")
    bucket: S3Bucket
    object: S3Object


class S3EventRecord(BaseModel):
    """One S3 event in an S3 event notification."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    event_version: str | None = Field(default=None, alias="eventVersion")
    event_source: str | None = Field(default=None, alias="eventSource")
    aws_region: str | None = Field(default=None, alias="awsRegion")
    event_time: datetime = Field(alias="eventTime")
    event_name: str = Field(alias="eventName")
    s3: S3Entity


class S3EventNotification(BaseModel):
    """An S3 event notification, as S3 sends it to an SQS queue.

    The test event S3 sends when a notification is set up has no records:
    ``records`` is empty and ``is_test_event`` is true.
    """

    model_config = ConfigDict(extra="ignore", defer_build=True)

    records: list[S3EventRecord] = Field(default_factory=list, alias="Records")
    event: str | None = Field(default=None, alias="Event")

    @property
    def is_test_event(self) -> bool:
        """Whether this is S3's ``s3:TestEvent``, sent when notifications are set up."""
        return self.event == "s3:TestEvent"
