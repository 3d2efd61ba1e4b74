"""The smallest useful Lambda function for an SQS queue."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncbatch

processor = asyncbatch.BatchProcessor(max_concurrency=20, record_timeout=5.0)


async def record_handler(record: asyncbatch.SqsRecord) -> None:
    order = record.json_body  # a body that is not JSON fails this record
    await asyncio.sleep(0.01)  # your async I/O: an HTTP call, a database write
    if order["quantity"] <= 0:
        raise ValueError(f"quantity must be positive, got {order['quantity']}")


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return asyncbatch.process_partial_response(
        event, record_handler, processor=processor, context=context
    )
