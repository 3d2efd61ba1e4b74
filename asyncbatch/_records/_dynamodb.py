"""The typed DynamoDB Streams record."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Annotated, Any, ClassVar, Generic

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    field_serializer,
)
from typing_extensions import TypeVar

from ._attributes import from_item, item_from_wire
from ._base import LazyModel, adapter, build
from ._literals import EVENT_NAMES, STREAM_VIEW_TYPES, EventName, StreamViewType
from ._types import b64encode

__all__ = [
    "DynamoDBRecord",
    "DynamoDBStreamRecord",
    "DynamoDBUserIdentity",
    "dynamodb_parser",
]

ImageT = TypeVar("ImageT", default=dict[str, Any])

_VIEW_TYPES = frozenset(STREAM_VIEW_TYPES)


class DynamoDBUserIdentity(BaseModel):
    """Who made the change; DynamoDB's own TTL deletions name the service."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    type: str
    principal_id: str = Field(alias="principalId")


class DynamoDBStreamRecord(LazyModel, Generic[ImageT]):
    """The ``dynamodb`` part of a DynamoDB Streams record: the change itself.

    ``keys`` and the images hold Python values (numbers as ``Decimal``, sets as
    ``set``, binary as ``bytes``), converted when the record is parsed; in
    ``DynamoDBStreamRecord[T]`` each image is validated as ``T``. An image is
    ``None`` when the stream view type leaves it out (``old_image`` of an INSERT,
    ``new_image`` of a REMOVE, both for KEYS_ONLY).
    """

    approximate_creation_date_time: datetime | None = Field(
        default=None, alias="ApproximateCreationDateTime"
    )
    keys: Annotated[dict[str, Any], BeforeValidator(item_from_wire)] = Field(
        alias="Keys"
    )
    new_image: Annotated[ImageT | None, BeforeValidator(item_from_wire)] = Field(
        default=None, alias="NewImage"
    )
    old_image: Annotated[ImageT | None, BeforeValidator(item_from_wire)] = Field(
        default=None, alias="OldImage"
    )
    sequence_number: str = Field(alias="SequenceNumber")
    size_bytes: int | None = Field(default=None, alias="SizeBytes")
    stream_view_type: StreamViewType | None = Field(
        default=None, alias="StreamViewType"
    )

    # The keys and images are the payload: the parser converts them up front.
    _lazy_fields: ClassVar[frozenset[str]] = frozenset(
        {"approximate_creation_date_time"}
    )
    _lazy_direct: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "approximate_creation_date_time": lambda value: adapter(
            datetime | None
        ).validate_python(value),
    }

    @field_serializer("keys", "new_image", "old_image", mode="wrap", when_used="json")
    def _binary_as_base64(
        self, value: Any, handler: SerializerFunctionWrapHandler
    ) -> Any:
        # pydantic would write bytes found in plain values as UTF-8 text (and fail
        # on other bytes); DynamoDB's JSON carries them as standard base64.
        return handler(_base64_bytes(value))


class DynamoDBRecord(LazyModel, Generic[ImageT]):
    """A record from a DynamoDB stream.

    The keys and images are the record's payload: they are converted to Python
    values when the record is parsed, and ``DynamoDBRecord[T]`` also validates
    both images as ``T``. Keys or an image that do not convert (or do not fit
    ``T``) fail the record with the ``pydantic.ValidationError`` before its handler
    runs.
    """

    event_id: str | None = Field(default=None, alias="eventID")
    event_name: EventName | None = Field(default=None, alias="eventName")
    event_version: str | None = Field(default=None, alias="eventVersion")
    event_source: str | None = Field(default=None, alias="eventSource")
    aws_region: str | None = Field(default=None, alias="awsRegion")
    event_source_arn: str | None = Field(default=None, alias="eventSourceARN")
    user_identity: DynamoDBUserIdentity | None = Field(
        default=None, alias="userIdentity"
    )
    dynamodb: DynamoDBStreamRecord[ImageT]

    _lazy_text: ClassVar[frozenset[str]] = frozenset(
        {"event_id", "event_version", "event_source", "aws_region", "event_source_arn"}
    )
    _lazy_fields = _lazy_text | {"user_identity"}
    _lazy_direct: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "user_identity": lambda value: (
            None if value is None else DynamoDBUserIdentity.model_validate(value)
        ),
    }

    @property
    def is_ttl_delete(self) -> bool:
        """Whether DynamoDB itself removed the item because its TTL expired."""
        identity = self.user_identity
        return (
            self.event_name == "REMOVE"
            and identity is not None
            and identity.type == "Service"
            and identity.principal_id == "dynamodb.amazonaws.com"
        )


def dynamodb_parser(
    cls: type[DynamoDBRecord[Any]],
) -> Callable[[Mapping[str, Any]], Any]:
    """A parser from raw DynamoDB Streams records to ``cls``.

    The identifier and the event name are checked, and the payload (the keys and
    both images) converted, at once; for ``DynamoDBRecord[T]`` the images are
    validated as ``T`` too. Everything else is read from the raw record on first
    read. A record of any other shape, or whose payload does not convert or
    validate, goes through full validation, which raises the ``ValidationError``
    that says what is wrong.
    """
    part = cls.model_fields["dynamodb"].annotation
    assert isinstance(part, type)
    args = cls.__pydantic_generic_metadata__["args"]
    validate_image = TypeAdapter(args[0]).validate_python if args else None
    validate = cls.model_validate

    def image_from(image: dict[str, Any] | None) -> Any:
        if image is None:
            return None

        values = from_item(image)
        return values if validate_image is None else validate_image(values)

    def parse(raw: Mapping[str, Any]) -> Any:
        if raw.__class__ is not dict:
            return validate(raw)

        dynamodb = raw.get("dynamodb")
        if dynamodb.__class__ is not dict:
            return validate(raw)

        get = dynamodb.get
        keys = get("Keys")
        new_image = get("NewImage")
        old_image = get("OldImage")
        sequence_number = get("SequenceNumber")
        size_bytes = get("SizeBytes")
        view_type = get("StreamViewType")
        event_name = raw.get("eventName")
        if not (
            keys.__class__ is dict
            and (new_image is None or new_image.__class__ is dict)
            and (old_image is None or old_image.__class__ is dict)
            and sequence_number.__class__ is str
            and (size_bytes is None or size_bytes.__class__ is int)
            and (view_type is None or _member(view_type, _VIEW_TYPES))
            and (event_name is None or _member(event_name, EVENT_NAMES))
        ):
            return validate(raw)

        try:
            change = {
                "keys": from_item(keys),
                "new_image": image_from(new_image),
                "old_image": image_from(old_image),
                "sequence_number": sequence_number,
                "size_bytes": size_bytes,
                "stream_view_type": view_type,
            }
        except ValueError:  # so are AttributeValueError and ValidationError
            # Full validation raises the error with its location.
            return validate(raw)

        return build(
            cls,
            {
                "event_name": event_name,
                "dynamodb": build(part, change, dynamodb),
            },
            raw,
        )

    return parse


def _member(value: object, allowed: frozenset[str]) -> bool:
    return value.__class__ is str and value in allowed


def _base64_bytes(value: Any) -> Any:
    """``value`` with every ``bytes`` inside plain containers as base64 text."""
    if isinstance(value, bytes):
        return b64encode(value)

    if isinstance(value, dict):
        return {key: _base64_bytes(item) for key, item in value.items()}

    if isinstance(value, (list, set)):
        return [_base64_bytes(item) for item in value]

    return value
