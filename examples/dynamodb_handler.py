"""Keep a search index in step with a DynamoDB table through its stream.

Images arrive as Python values: numbers as ``Decimal``, sets as ``set``, binary as
``bytes``. The changes of one item (the same ``Keys``) run in stream order.

Lambda handler: ``dynamodb_handler.lambda_handler``.
"""

from __future__ import annotations

from typing import Any

import asyncbatch

search_index: dict[str, dict[str, Any]] = {}

processor = asyncbatch.BatchProcessor(asyncbatch.EventType.DYNAMODB)


def record_handler(record: asyncbatch.DynamoDBRecord) -> str:
    product_id = str(record.dynamodb.keys["product_id"])
    if record.event_name == "REMOVE":
        search_index.pop(product_id, None)
        return "removed"

    image = record.dynamodb.new_image
    if image is None:
        raise ValueError("the stream must carry new images (NEW_IMAGE or NEW_AND_OLD)")

    search_index[product_id] = {
        "name": image["name"],
        "price": image["price"],
        "tags": sorted(image.get("tags", set())),
    }
    return "indexed"


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return asyncbatch.process_partial_response(
        event, record_handler, processor=processor, context=context
    )
