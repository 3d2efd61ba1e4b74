"""An SQS record handler that does asynchronous I/O.

Each record is an order; the handler reserves its stock with an async call. Twenty
records are in flight at once, each may take five seconds at most, and the batch
ends a second before Lambda's own timeout.

Lambda handler: ``sqs_async_handler.lambda_handler``. Turn on
``ReportBatchItemFailures`` in the event source mapping.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncbatch


class InventoryClient:
    """Stands in for an async HTTP client of an inventory service."""

    def __init__(self) -> None:
        self.reserved: dict[str, int] = {}

    async def reserve(self, order_id: str, quantity: int) -> None:
        if quantity <= 0:
            raise ValueError(f"quantity must be positive, got {quantity}")

        await asyncio.sleep(0.01)  # the round trip to the service
        self.reserved[order_id] = self.reserved.get(order_id, 0) + quantity


# Made once per process, at cold start, and shared by warm invocations. The
# processor holds configuration only, so sharing it is safe.
inventory = InventoryClient()
processor = asyncbatch.BatchProcessor(
    asyncbatch.EventType.SQS, max_concurrency=20, record_timeout=5.0
)


async def record_handler(record: asyncbatch.SqsRecord) -> str:
    order = record.json_body
    await inventory.reserve(order["order_id"], order["quantity"])
    return str(order["order_id"])


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return asyncbatch.process_partial_response(
        event, record_handler, processor=processor, context=context
    )
