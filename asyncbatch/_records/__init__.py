"""Typed records: pydantic models of the records Lambda delivers, and their parsers.

The processor calls :func:`check_model` when it is built and :func:`parser_for` once
per batch. The models named here (the records, the parts users annotate with, the
envelopes) are exactly those ``asyncbatch`` re-exports, and they show as
``asyncbatch.X``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._parsing import check_model as check_model
from ._parsing import parser_for as parser_for

if TYPE_CHECKING:
    from ._dynamodb import DynamoDBRecord as DynamoDBRecord
    from ._dynamodb import DynamoDBStreamRecord as DynamoDBStreamRecord
    from ._dynamodb import DynamoDBUserIdentity as DynamoDBUserIdentity
    from ._envelopes import S3EventNotification as S3EventNotification
    from ._envelopes import S3EventRecord as S3EventRecord
    from ._envelopes import SnsMessageAttribute as SnsMessageAttribute
    from ._envelopes import SnsNotification as SnsNotification
    from ._kinesis import KinesisData as KinesisData
    from ._kinesis import KinesisRecord as KinesisRecord
    from ._sqs import SqsAttributes as SqsAttributes
    from ._sqs import SqsMessageAttribute as SqsMessageAttribute
    from ._sqs import SqsRecord as SqsRecord

__all__ = [
    "DynamoDBRecord",
    "DynamoDBStreamRecord",
    "DynamoDBUserIdentity",
    "KinesisData",
    "KinesisRecord",
    "S3EventNotification",
    "S3EventRecord",
    "SnsMessageAttribute",
    "SnsNotification",
    "SqsAttributes",
    "SqsMessageAttribute",
    "SqsRecord",
    "check_model",
    "parser_for",
]

# Each source's models are loaded when first named (or when a batch of that source
# is first parsed): an SQS function never pays at cold start for the Kinesis and
# DynamoDB models, nor any function for the envelopes it does not use.
# asyncbatch's own lazy exports come from here.
_MODULES = {
    "DynamoDBRecord": "_dynamodb",
    "DynamoDBStreamRecord": "_dynamodb",
    "DynamoDBUserIdentity": "_dynamodb",
    "KinesisData": "_kinesis",
    "KinesisRecord": "_kinesis",
    "S3EventNotification": "_envelopes",
    "S3EventRecord": "_envelopes",
    "SnsMessageAttribute": "_envelopes",
    "SnsNotification": "_envelopes",
    "SqsAttributes": "_sqs",
    "SqsMessageAttribute": "_sqs",
    "SqsRecord": "_sqs",
}

# Where the models show themselves (reprs, tracebacks, pickles by reference):
# asyncbatch, which resolves each of them lazily through this module.
_PACKAGE = __name__.rpartition(".")[0]


def __getattr__(name: str) -> Any:
    module_name = _MODULES.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    import importlib

    # All the models of that module at once, so that the parts of a record show
    # the package as the record does, wherever they were first named.
    module = importlib.import_module(f".{module_name}", __name__)
    for public, home in _MODULES.items():
        if home == module_name:
            value = getattr(module, public)
            value.__module__ = _PACKAGE
            globals()[public] = value

    return globals()[name]
