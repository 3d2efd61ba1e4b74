"""A plain ``def`` record handler that makes blocking calls, boto3-style.

Sync handlers run in worker threads, so blocking calls of ten records overlap. The
handler asks for the Lambda context by declaring a ``lambda_context`` parameter.

Lambda handler: ``sqs_sync_handler.lambda_handler``.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import asyncbatch


class OrdersTable:
    """Stands in for ``boto3.resource("dynamodb").Table("orders")``.

    Its calls block the calling thread, as boto3's do.
    """

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def put_item(self, *, Item: dict[str, Any]) -> None:
        time.sleep(0.01)  # the round trip to DynamoDB
        with self._lock:
            self.items[Item["order_id"]] = Item


table = OrdersTable()
processor = asyncbatch.BatchProcessor(max_concurrency=10, record_timeout=10.0)


def record_handler(record: asyncbatch.SqsRecord, lambda_context: Any) -> None:
    order = record.json_body
    request_id = getattr(lambda_context, "aws_request_id", "local")
    table.put_item(
        Item={
            "order_id": order["order_id"],
            "total": order["total"],
            "stored_by": request_id,
        }
    )


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return asyncbatch.process_partial_response(
        event, record_handler, processor=processor, context=context
    )
