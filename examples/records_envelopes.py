"""SQS bodies that another service wrapped: an SNS notification, an S3 event.

The envelope is the body's type. ``SnsNotification[Order]`` parses the
notification and then its ``Message`` as JSON into an ``Order``;
``S3EventNotification`` is the notification S3 sends when an object changes.
"""

from __future__ import annotations

from pydantic import BaseModel

import asyncbatch
from asyncbatch import S3EventNotification, SnsNotification, SqsRecord


class Order(BaseModel):
    order_id: int
    qty: int


orders: list[tuple[str, Order]] = []
uploads: list[tuple[str, str]] = []

# An SNS topic that the queue subscribes to, with raw message delivery off.
processor = asyncbatch.BatchProcessor(model=SqsRecord[SnsNotification[Order]])


def handle(record: SqsRecord[SnsNotification[Order]]) -> None:
    orders.append((record.body.topic_arn, record.body.message))


# An S3 bucket that notifies the queue directly.
s3_processor = asyncbatch.BatchProcessor(model=SqsRecord[S3EventNotification])


def handle_upload(record: SqsRecord[S3EventNotification]) -> None:
    uploads.extend(
        (event.s3.bucket.name, event.s3.object.decoded_key)
        for event in record.body.records
    )
