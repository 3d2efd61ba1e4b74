"""Helpers for testing record handlers: event factories and a fake Lambda context.

Every factory returns a plain ``dict`` shaped like the event Lambda delivers for
that source (``json.dumps`` accepts it), reproducible by default and varied through
``seed=``::

    from asyncbatch.testing import FakeLambdaContext, sqs_event

    event = sqs_event([{"order_id": 1}, "plain text"])
    context = FakeLambdaContext(remaining=5)

Nothing here is needed at run time in Lambda, and importing it does not load
pydantic.
"""

from __future__ import annotations

from ._testing._context import FakeLambdaContext
from ._testing._dynamodb import (
    DynamoDBChange,
    StreamViewType,
    dynamodb_event,
    dynamodb_insert,
    dynamodb_modify,
    dynamodb_remove,
)
from ._testing._kinesis import kinesis_event
from ._testing._sample import SAMPLE_SOURCES, sample_event
from ._testing._sqs import sqs_event, sqs_fifo_event

__all__ = [
    "SAMPLE_SOURCES",
    "DynamoDBChange",
    "FakeLambdaContext",
    "StreamViewType",
    "dynamodb_event",
    "dynamodb_insert",
    "dynamodb_modify",
    "dynamodb_remove",
    "kinesis_event",
    "sample_event",
    "sqs_event",
    "sqs_fifo_event",
]
