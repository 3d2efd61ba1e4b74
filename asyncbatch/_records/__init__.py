"""Typed records: pydantic models of the records Lambda delivers, and their parsers.

The processor calls :func:`check_model` when it is built and :func:`parser_for` once
per batch; the record classes and envelope models are re-exported by ``asyncbatch``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._parsing import check_model as check_model
from ._parsing import parser_for as parser_for

if TYPE_CHECKING:
    from ._dynamodb import DynamoDBRecord as DynamoDBRecord
    from ._dynamodb import DynamoDBStreamRecord as DynamoDBStreamRecord
    from ._dynamodb import DynamoDBUserIdentity as DynamoDBUserIdentity
    from ._envelopes import S3Bucket as S3Bucket
    from ._envelopes import S3EventNotification as S3EventNotification
    from ._envelopes import S3EventRecord as S3EventRecord
    from ._envelopes import S3Object as S3Object
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
    "S3Bucket",
    "S3EventNotification",
    "S3EventRecord",
    "S3Object",
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
_MODULES = {
    "DynamoDBRecord": "_dynamodb",
    "DynamoDBStreamRecord": "_dynamodb",
    "DynamoDBUserIdentity": "_dynamodb",
    "KinesisData": "_kinesis",
    "KinesisRecord": "_kinesis",
    "S3Bucket": "_envelopes",
    "S3EventNotification": "_envelopes",
    "S3EventRecord": "_envelopes",
    "S3Object": "_envelopes",
    "SnsMessageAttribute": "_envelopes",
    "SnsNotification": "_envelopes",
    "SqsAttributes": "_sqs",
    "SqsMessageAttribute": "_sqs",
    "SqsRecord": "_sqs",
}


def __getattr__(name: str) -> Any:
    module_name = _MODULES.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    import importlib

    value = getattr(importlib.import_module(f".{module_name}", __name__), name)
    globals()[name] = value
    return value
