"""The typed Kinesis Data Streams record."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Annotated, Any, ClassVar, Generic

from pydantic import (
    BeforeValidator,
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    field_serializer,
)
from typing_extensions import TypeVar

from ._base import (
    LazyModel,
    adapter,
    b64decode_strict,
    build,
    decode_base64,
    json_payload,
)
from ._types import b64encode

__all__ = ["KinesisData", "KinesisRecord", "kinesis_parser"]

DataT = TypeVar("DataT", default=bytes)


class KinesisData(LazyModel, Generic[DataT]):
    """The ``kinesis`` part of a Kinesis record: the data and where it sits.

    ``data`` is the decoded data (strict base64), as bytes; in ``KinesisData[T]``
    the decoded data parsed as JSON and validated as ``T``.
    """

    kinesis_schema_version: str | None = Field(
        default=None, alias="kinesisSchemaVersion"
    )
    partition_key: str = Field(alias="partitionKey")
    sequence_number: str = Field(alias="sequenceNumber")
    data: Annotated[DataT, BeforeValidator(decode_base64)]
    approximate_arrival_timestamp: datetime | None = Field(
        default=None, alias="approximateArrivalTimestamp"
    )

    _lazy_text: ClassVar[frozenset[str]] = frozenset({"kinesis_schema_version"})
    _lazy_fields = _lazy_text | {"approximate_arrival_timestamp"}
    _lazy_direct: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "approximate_arrival_timestamp": lambda value: adapter(
            datetime | None
        ).validate_python(value),
    }

    _raw_payload = bytes

    @field_serializer("data", mode="wrap", when_used="json")
    def _data_as_base64(
        self,
        value: Any,
        handler: SerializerFunctionWrapHandler,
        info: SerializationInfo,
    ) -> Any:
        # Raw data goes back to base64 in JSON, as on the wire.
        if isinstance(value, bytes):
            return b64encode(value)

        return handler(value)

    def data_as_text(self, encoding: str = "utf-8") -> str:
        """The decoded data as text.

        :raises TypeError: the data was parsed into a model (``KinesisRecord[T]``).
        :raises UnicodeDecodeError: the data is not text in ``encoding``.
        """
        return self._raw_data("data_as_text").decode(encoding)

    def data_as_json(self) -> Any:
        """The decoded data parsed as JSON (parsed again on every call).

        :raises TypeError: the data was parsed into a model (``KinesisRecord[T]``).
        :raises ValueError: the data is not valid JSON.
        """
        import json

        return json.loads(self._raw_data("data_as_json"))

    def _raw_data(self, method: str) -> bytes:
        data: Any = self.data
        if not isinstance(data, bytes):
            raise TypeError(
                f"{method}() reads raw data, but this record's data was parsed "
                f"into {type(data).__name__}; use .data"
            )

        return data


class KinesisRecord(LazyModel, Generic[DataT]):
    """A record from a Kinesis data stream.

    ``KinesisRecord`` decodes the data to bytes; ``KinesisRecord[T]`` also parses
    it as JSON and validates it as ``T``. Data that is not valid base64 (or, for
    ``KinesisRecord[T]``, not valid JSON or not a valid ``T``) fails the record
    before its handler runs.
    """

    kinesis: KinesisData[DataT]
    event_source: str | None = Field(default=None, alias="eventSource")
    event_version: str | None = Field(default=None, alias="eventVersion")
    event_id: str | None = Field(default=None, alias="eventID")
    event_name: str | None = Field(default=None, alias="eventName")
    invoke_identity_arn: str | None = Field(default=None, alias="invokeIdentityArn")
    aws_region: str | None = Field(default=None, alias="awsRegion")
    event_source_arn: str | None = Field(default=None, alias="eventSourceARN")

    _lazy_text: ClassVar[frozenset[str]] = frozenset(
        {
            "event_source",
            "event_version",
            "event_id",
            "event_name",
            "invoke_identity_arn",
            "aws_region",
            "event_source_arn",
        }
    )
    _lazy_fields = _lazy_text

    _raw_payload = bytes


def kinesis_parser(
    cls: type[KinesisRecord[Any]],
) -> Callable[[Mapping[str, Any]], Any]:
    """A parser from raw Kinesis records to ``cls``.

    The identifiers are checked and the data decoded (and, for
    ``KinesisRecord[T]``, validated) at once; the other fields are read from the
    raw record on first read. A record of any other shape, or whose data does not
    decode or validate, goes through full validation, which raises the
    ``ValidationError`` that says what is wrong.
    """
    part = cls.model_fields["kinesis"].annotation
    assert isinstance(part, type)
    validate_payload = json_payload(cls, bytes)
    validate = cls.model_validate

    def parse(raw: Mapping[str, Any]) -> Any:
        if raw.__class__ is not dict:
            return validate(raw)

        kinesis = raw.get("kinesis")
        if kinesis.__class__ is not dict:
            return validate(raw)

        get = kinesis.get
        partition_key = get("partitionKey")
        sequence_number = get("sequenceNumber")
        data: Any = get("data")
        if not (
            partition_key.__class__ is str
            and sequence_number.__class__ is str
            and data.__class__ is str
        ):
            return validate(raw)

        try:
            data = b64decode_strict(data)
            if validate_payload is not None:
                data = validate_payload(data)
        except ValueError:  # binascii.Error and ValidationError are ValueErrors
            return validate(raw)

        return build(
            cls,
            {
                "kinesis": build(
                    part,
                    {
                        "partition_key": partition_key,
                        "sequence_number": sequence_number,
                        "data": data,
                    },
                    kinesis,
                ),
            },
            raw,
        )

    return parse
