"""Typed records: pydantic models of the records Lambda delivers, and their parsers.

The processor calls :func:`check_model` when it is built and :func:`parser_for` once
per batch; the record classes and envelope models are re-exported by ``asyncbatch``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._dynamodb import DynamoDBRecord as DynamoDBRecord
from ._dynamodb import DynamoDBStreamRecord as DynamoDBStreamRecord
from ._dynamodb import DynamoDBUserIdentity as DynamoDBUserIdentity
from ._kinesis import KinesisData as KinesisData
from ._kinesis import KinesisRecord as KinesisRecord
from ._parsing import check_model as check_model
from ._parsing import parser_for as parser_for
from ._sqs import SqsAttributes as SqsAttributes
from ._sqs import SqsMessageAttribute as SqsMessageAttribute
from ._sqs import SqsRecord as SqsRecord

if TYPE_CHECKING:
    from ._envelopes import S3Bucket as S3Bucket
    from ._envelopes import S3EventNotification as S3EventNotification
    from ._envelopes import S3EventRecord as S3EventRecord
    from ._envelopes import S3Object as S3Object
    from ._envelopes import SnsMessageAttribute as SnsMessageAttribute
    from ._envelopes import SnsNotification as SnsNotification

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

# The envelope models are loaded when first named: a function that never uses them
# does not pay for them at cold start.
_ENVELOPES = frozenset(
    {
        "S3Bucket",
        "S3EventNotification",
        "S3EventRecord",
        "S3Object",
        "SnsMessageAttribute",
        "SnsNotification",
    }
)


def __getattr__(name: str) -> Any:
    if name not in _ENVELOPES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    from . import _envelopes

    value = getattr(_envelopes, name)
    globals()[name] = value
    return value
