"""Records validated into a pydantic model before the handler sees them.

With ``model=SqsRecord[Order]`` each body is parsed as JSON and validated as an
``Order``. A body that is not JSON, or not a valid order, fails its record with the
validation error and the handler is never called for it: the handler only ever
sees good orders.

Lambda handler: ``pydantic_handler.lambda_handler``.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

import asyncbatch
from asyncbatch import SqsRecord


class Order(BaseModel):
    order_id: int
    quantity: int = Field(gt=0)
    unit_price: Decimal = Field(ge=0)


shipped: dict[int, Decimal] = {}

processor = asyncbatch.BatchProcessor(model=SqsRecord[Order], max_concurrency=20)


async def record_handler(record: SqsRecord[Order]) -> Decimal:
    order = record.body  # an Order, already validated
    await asyncio.sleep(0.001)  # the shipping service's API
    total = order.quantity * order.unit_price
    shipped[order.order_id] = total
    return total


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return asyncbatch.process_partial_response(
        event, record_handler, processor=processor, context=context
    )
