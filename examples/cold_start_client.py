"""Open an async client once, at cold start, on asyncbatch's persistent loop.

``asyncbatch.run`` runs a coroutine on the same event loop that the sync entry
points use, so a client made at import time serves every record handler of every
warm invocation.

Lambda handler: ``cold_start_client.lambda_handler``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncbatch


class OrdersApi:
    """Stands in for an async HTTP client such as ``httpx.AsyncClient``.

    Like a real client, it belongs to the loop it was opened on and refuses any
    other.
    """

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.lock = asyncio.Lock()
        self.sent: list[str] = []

    async def post(self, body: str) -> None:
        if asyncio.get_running_loop() is not self.loop:
            raise RuntimeError("the client is attached to a different loop")

        async with self.lock:
            await asyncio.sleep(0.001)  # the request
            self.sent.append(body)


async def open_api() -> OrdersApi:
    return OrdersApi()


api = asyncbatch.run(open_api())  # once per process, at import
processor = asyncbatch.BatchProcessor(max_concurrency=10)


async def record_handler(record: asyncbatch.SqsRecord) -> None:
    await api.post(record.body)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return asyncbatch.process_partial_response(
        event, record_handler, processor=processor, context=context
    )
