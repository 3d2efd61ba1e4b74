"""The typed SQS record."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar, Generic

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypeVar

from ._base import (
    LazyModel,
    adapter,
    build,
    json_payload,
)
from ._types import Base64Bytes, OptionalBase64Bytes

__all__ = ["SqsAttributes", "SqsMessageAttribute", "SqsRecord", "sqs_parser"]

BodyT = TypeVar("BodyT", default=str)

# arn:<partition>:sqs:<region>:<account>:<queue>, with a 12-digit account and a
# queue name of letters, digits, hyphens and underscores (".fifo" at the end of a
# FIFO queue's), 80 characters at most.
_QUEUE_ARN = re.compile(
    r"arn:(aws(?:-[a-z]+)*):sqs:([a-z]+(?:-[a-z]+)+-[0-9]+):([0-9]{12}):"
    r"([A-Za-z0-9_-]+(?:\.fifo)?)"
)
_QUEUE_NAME_LIMIT = 80

# The domain of the SQS endpoints of each partition whose endpoints AWS documents
# publicly. The isolated partitions (aws-iso, aws-iso-b, ...) are left out: no URL
# is guessed for them.
_SQS_DOMAINS = {
    "aws": "amazonaws.com",
    "aws-cn": "amazonaws.com.cn",
    "aws-us-gov": "amazonaws.com",
}


class SqsAttributes(BaseModel):
    """The system attributes SQS sends with a record (``attributes`` on the wire).

    Timestamps are aware datetimes in UTC. A field is ``None`` when the record did
    not carry it: FIFO fields only come from FIFO queues, the dead-letter source
    only from a dead-letter queue.
    """

    model_config = ConfigDict(extra="ignore", defer_build=True)

    approximate_receive_count: int | None = Field(
        default=None, alias="ApproximateReceiveCount"
    )
    sent_timestamp: datetime | None = Field(default=None, alias="SentTimestamp")
    approximate_first_receive_timestamp: datetime | None = Field(
        default=None, alias="ApproximateFirstReceiveTimestamp"
    )
    sender_id: str | None = Field(default=None, alias="SenderId")
    message_group_id: str | None = Field(default=None, alias="MessageGroupId")
    message_deduplication_id: str | None = Field(
        default=None, alias="MessageDeduplicationId"
    )
    sequence_number: str | None = Field(default=None, alias="SequenceNumber")
    dead_letter_queue_source_arn: str | None = Field(
        default=None, alias="DeadLetterQueueSourceArn"
    )
    aws_trace_header: str | None = Field(default=None, alias="AWSTraceHeader")


class SqsMessageAttribute(BaseModel):
    """One user-defined SQS message attribute; binary values are decoded to bytes."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    data_type: str = Field(alias="dataType")
    string_value: str | None = Field(default=None, alias="stringValue")
    binary_value: OptionalBase64Bytes = Field(default=None, alias="binaryValue")
    string_list_values: list[str] = Field(
        default_factory=list, alias="stringListValues"
    )
    binary_list_values: list[Base64Bytes] = Field(
        default_factory=list, alias="binaryListValues"
    )


class SqsRecord(LazyModel, Generic[BodyT]):
    """A record from an SQS queue, standard or FIFO.

    ``SqsRecord`` keeps the body as text; ``SqsRecord[T]`` parses the body as JSON
    and validates it as ``T`` (a pydantic model or any type pydantic validates). A
    body that is not valid JSON, or not a valid ``T``, fails the record before its
    handler runs.
    """

    # Where json_body keeps what it parsed. A slot, not a key of __dict__: the
    # first read may come while another thread iterates __dict__ (a repr, a
    # pickle), and copies and pickles start without it, parsing anew.
    __slots__ = ("_parsed_body",)

    message_id: str = Field(alias="messageId")
    receipt_handle: str = Field(alias="receiptHandle")
    body: BodyT
    attributes: SqsAttributes = Field(default_factory=lambda: SqsAttributes())
    message_attributes: dict[str, SqsMessageAttribute] = Field(
        default_factory=dict, alias="messageAttributes"
    )
    md5_of_body: str | None = Field(default=None, alias="md5OfBody")
    md5_of_message_attributes: str | None = Field(
        default=None, alias="md5OfMessageAttributes"
    )
    event_source: str | None = Field(default=None, alias="eventSource")
    event_source_arn: str | None = Field(default=None, alias="eventSourceARN")
    aws_region: str | None = Field(default=None, alias="awsRegion")

    _lazy_text: ClassVar[frozenset[str]] = frozenset(
        {
            "md5_of_body",
            "md5_of_message_attributes",
            "event_source",
            "event_source_arn",
            "aws_region",
        }
    )
    _lazy_fields = _lazy_text | {"attributes", "message_attributes"}
    _lazy_direct: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "attributes": lambda value: SqsAttributes.model_validate(value),
        "message_attributes": lambda value: _message_attributes(value),
    }

    _raw_payload = str

    @property
    def json_body(self) -> Any:
        """The body parsed as JSON, on first read.

        What was parsed is kept while the body stays the same: a copy with another
        body (``model_copy(update={"body": ...})``) or a newly assigned body is
        parsed anew. For ``SqsRecord[T]`` the body is parsed already and is
        returned as it is.

        :raises ValueError: the body is not valid JSON.
        """
        body: Any = self.body
        if not isinstance(body, str):
            return body

        # Kept with the body it was parsed from, for a body assigned since.
        try:
            parsed = _parsed_body.__get__(self)
        except AttributeError:
            parsed = None

        if parsed is not None and parsed[0] is body:
            return parsed[1]

        import json

        value = json.loads(body)
        _parsed_body.__set__(self, (body, value))
        return value

    @property
    def queue_name(self) -> str | None:
        """The queue's name, from ``event_source_arn``.

        ``None`` when the ARN is absent or not a well-formed SQS queue ARN.
        """
        match = _queue_arn(self.event_source_arn)
        return match[4] if match else None

    @property
    def queue_url(self) -> str | None:
        """The queue's URL, from ``event_source_arn``.

        Built for the ``aws``, ``aws-cn`` and ``aws-us-gov`` partitions; ``None``
        for the other partitions and when the ARN is absent or not a well-formed
        SQS queue ARN (a 12-digit account, a valid queue name).
        """
        match = _queue_arn(self.event_source_arn)
        if match is None:
            return None

        partition, region, account, name = match.groups()
        domain = _SQS_DOMAINS.get(partition)
        if domain is None:
            return None

        return f"https://sqs.{region}.{domain}/{account}/{name}"

    @property
    def is_fifo(self) -> bool:
        """Whether the queue is FIFO.

        The ARN decides (a FIFO queue's name ends in ``.fifo``); only without an
        ARN does a ``MessageGroupId`` mark the record as FIFO, as asyncbatch's
        ordering does.
        """
        arn = self.event_source_arn
        if arn is not None:
            return arn.endswith(".fifo")

        return self.attributes.message_group_id is not None


_parsed_body = SqsRecord.__dict__["_parsed_body"]


def _message_attributes(value: Any) -> dict[str, SqsMessageAttribute]:
    # Most records carry none: an empty mapping needs no validator.
    if value.__class__ is dict and not value:
        return {}

    validate = adapter(dict[str, SqsMessageAttribute]).validate_python
    result: dict[str, SqsMessageAttribute] = validate(value)
    return result


def _queue_arn(arn: str | None) -> re.Match[str] | None:
    """The parts of a well-formed SQS queue ARN; ``None`` for anything else."""
    if arn is None:
        return None

    match = _QUEUE_ARN.fullmatch(arn)
    if match is None or len(match[4]) > _QUEUE_NAME_LIMIT:
        return None

    return match


def sqs_parser(cls: type[SqsRecord[Any]]) -> Callable[[Mapping[str, Any]], Any]:
    """A parser from raw SQS records to ``cls`` (``SqsRecord`` or a parametrization).

    The identifier, the receipt handle and the body are checked and copied; the
    body is validated at once when ``cls`` gives it a type; the rest (the other
    strings, ``attributes`` and ``messageAttributes``) is converted on first read.
    A record whose first three are of another shape goes through full validation
    instead, which raises the ``ValidationError`` that says what is wrong.
    """
    validate_payload = json_payload(cls, str)
    validate = cls.model_validate

    def parse(raw: Mapping[str, Any]) -> Any:
        if raw.__class__ is not dict:
            return validate(raw)

        get = raw.get
        message_id = get("messageId")
        receipt_handle = get("receiptHandle")
        body = get("body")
        if not (
            message_id.__class__ is str
            and receipt_handle.__class__ is str
            and body.__class__ is str
        ):
            return validate(raw)

        if validate_payload is not None:
            try:
                body = validate_payload(body)
            except ValueError:  # ValidationError is one too
                return validate(raw)

        return build(
            cls,
            {"message_id": message_id, "receipt_handle": receipt_handle, "body": body},
            raw,
        )

    return parse
