"""The interface the processor calls: check a ``model`` and get a record parser."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel

from .._events import EventType
from ._dynamodb import DynamoDBRecord, dynamodb_parser
from ._kinesis import KinesisRecord, kinesis_parser
from ._sqs import SqsRecord, sqs_parser

__all__ = ["check_model", "parser_for"]

RecordParser = Callable[[Mapping[str, Any]], Any]

_RECORDS: dict[EventType, type[BaseModel]] = {
    EventType.SQS: SqsRecord,
    EventType.KINESIS: KinesisRecord,
    EventType.DYNAMODB: DynamoDBRecord,
}
_PARSERS: dict[type[BaseModel], Callable[[Any], RecordParser]] = {
    SqsRecord: sqs_parser,
    KinesisRecord: kinesis_parser,
    DynamoDBRecord: dynamodb_parser,
}
_SOURCE_NAMES = {
    EventType.SQS: "SQS",
    EventType.KINESIS: "Kinesis",
    EventType.DYNAMODB: "DynamoDB Streams",
}


def check_model(model: object) -> None:
    """Check the ``model`` argument of a processor.

    :raises TypeError: ``model`` is not ``None``, ``dict`` or a pydantic model
        class.
    """
    if model is None or model is dict:
        return
    if isinstance(model, type) and issubclass(model, BaseModel):
        return

    if isinstance(model, type):
        kind = f"the class {model.__qualname__}"
    else:
        kind = type(model).__name__
    raise TypeError(f"model must be None, dict or a pydantic model class, not {kind}")


def parser_for(model: type[Any] | None, event_type: EventType) -> RecordParser:
    """The parser that turns a raw record of ``event_type`` into the handler's input.

    ``None`` gives the built-in typed record of the source, ``dict`` the raw
    record itself, and any other pydantic model class that model validated from
    the raw record. The parser raises for a record whose payload does not decode
    or validate; the processor fails that record with the exception.

    :raises TypeError: ``model`` is a typed record of another source (a
        ``KinesisRecord`` for an SQS batch, for example).
    """
    parser = _CACHE.get((model, event_type))
    if parser is None:
        parser = _CACHE[model, event_type] = _parser_for(model, event_type)
    return parser


# Model classes live as long as the processors that name them, so the cache stays
# as small as the set of (model, source) pairs a program uses.
_CACHE: dict[tuple[type[Any] | None, EventType], RecordParser] = {}


def _parser_for(model: type[Any] | None, event_type: EventType) -> RecordParser:
    if model is None:
        model = _RECORDS[event_type]
    if model is dict:
        return _as_is

    check_model(model)
    expected = _RECORDS[event_type]
    for source, record_class in _RECORDS.items():
        if record_class is not expected and issubclass(model, record_class):
            raise TypeError(
                f"model {model.__name__} is a typed record of {_SOURCE_NAMES[source]}, "
                f"but the batch comes from {_SOURCE_NAMES[event_type]} "
                f"({event_type.value}); use {expected.__name__} or a model of "
                "your own"
            )

    # The fast parsers build exactly the classes they know: the record classes and
    # their parametrizations. A subclass may add fields or validators, so it gets
    # plain validation.
    build_parser = _PARSERS.get(model)
    metadata = model.__pydantic_generic_metadata__
    origin = metadata["origin"]
    if build_parser is None and origin is not None and not metadata["parameters"]:
        build_parser = _PARSERS.get(origin)
    if build_parser is not None:
        return build_parser(model)

    validate: RecordParser = model.model_validate
    return validate


def _as_is(raw: Mapping[str, Any]) -> Any:
    return raw
