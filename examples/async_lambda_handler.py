"""A Lambda handler written with ``async def``.

``asyncbatch.lambda_handler`` turns it into the sync callable that Lambda calls,
running it on asyncbatch's persistent loop, so it can await its own work around
the batch.

Lambda handler: ``async_lambda_handler.handler``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncbatch

processor = asyncbatch.BatchProcessor(max_concurrency=10, record_timeout=5.0)
processed: list[str] = []


async def record_handler(record: asyncbatch.SqsRecord) -> None:
    await asyncio.sleep(0.001)  # the record's own I/O
    processed.append(record.message_id)


async def flush_metrics(response: dict[str, Any]) -> None:
    await asyncio.sleep(0.001)  # e.g. send the failure count to a metrics service


@asyncbatch.lambda_handler
async def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    response = await asyncbatch.process_partial_response_async(
        event, record_handler, processor=processor, context=context
    )
    await flush_metrics(response)
    return response
