"""Typed records: pydantic models of the records Lambda delivers, and their parsers.

The processor calls :func:`check_model` when it is built and :func:`parser_for` once
per batch; the record classes and envelope models are re-exported by ``asyncbatch``.
"""

from __future__ import annotations

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

__all__ = [
    "DynamoDBRecord",
    "DynamoDBStreamRecord",
    "DynamoDBUserIdentity",
    "KinesisData",
    "KinesisRecord",
    "SqsAttributes",
    "SqsMessageAttribute",
    "SqsRecord",
    "check_model",
    "parser_for",
]
