"""The typed record a handler receives, and a payload validated into a model.

``handle`` gets the default ``SqsRecord``; ``handle_order`` gets an
``SqsRecord[Order]``, whose body is already an ``Order``: a body that is not a
valid order fails its record, and the handler never sees it.
"""

from __future__ import annotations

from pydantic import BaseModel

import asyncbatch
from asyncbatch import SqsRecord

receive_counts: dict[str, int | None] = {}
reserved: dict[int, int] = {}

processor = asyncbatch.BatchProcessor()


def handle(record: SqsRecord) -> None:
    count = record.attributes.approximate_receive_count
    receive_counts[record.message_id] = count


class Order(BaseModel):
    order_id: int
    qty: int


order_processor = asyncbatch.BatchProcessor(model=SqsRecord[Order])


def handle_order(record: SqsRecord[Order]) -> None:
    reserved[record.body.order_id] = record.body.qty
