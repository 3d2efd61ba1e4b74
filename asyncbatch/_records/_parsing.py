"""The interface the processor calls: check a ``model`` and get a record parser.

pydantic is imported when first needed, not with this module, so that importing
``asyncbatch.testing`` (which shares names with the records) does not load it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

from .._events import EventType

__all__ = ["check_model", "parser_for"]

RecordParser = Callable[[Mapping[str, Any]], Any]

# The module of each source's typed record, imported when a batch of that source
# is first parsed. The names of the record class and of its parser follow.
_SOURCES: dict[EventType, tuple[str, str, str]] = {
    EventType.SQS: ("_sqs", "SqsRecord", "sqs_parser"),
    EventType.KINESIS: ("_kinesis", "KinesisRecord", "kinesis_parser"),
    EventType.DYNAMODB: ("_dynamodb", "DynamoDBRecord", "dynamodb_parser"),
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

    from pydantic import BaseModel

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
    if model is dict:
        return _as_is

    record_class, build_parser = _source(event_type)
    if model is None:
        return build_parser(record_class)

    check_model(model)
    for source, (module_name, class_name, _) in _SOURCES.items():
        # A subclass of a source's record means that source's module is loaded:
        # the sources not loaded yet need no look.
        module = sys.modules.get(f"{__package__}.{module_name}")
        if source is event_type or module is None:
            continue

        if issubclass(model, getattr(module, class_name)):
            raise TypeError(
                f"model {model.__name__} is a typed record of {_SOURCE_NAMES[source]}, "
                f"but the batch comes from {_SOURCE_NAMES[event_type]} "
                f"({event_type.value}); use {record_class.__name__} or a model of "
                "your own"
            )

    # The fast parsers build exactly the classes they know: the record class and
    # its parametrizations. A subclass may add fields or validators, so it gets
    # plain validation.
    metadata = model.__pydantic_generic_metadata__
    if model is record_class or (
        metadata["origin"] is record_class and not metadata["parameters"]
    ):
        return build_parser(model)

    validate: RecordParser = model.model_validate
    return validate


def _source(event_type: EventType) -> tuple[type[Any], Callable[[Any], RecordParser]]:
    """The typed record class of ``event_type`` and its parser factory."""
    module_name, class_name, parser_name = _SOURCES[event_type]
    # The class through the package, which loads it as asyncbatch exports it.
    record_class = getattr(importlib.import_module(__package__), class_name)
    module = importlib.import_module(f".{module_name}", __package__)
    return record_class, getattr(module, parser_name)


def _as_is(raw: Mapping[str, Any]) -> Any:
    return raw
