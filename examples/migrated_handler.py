"""A handler moved from Powertools' batch utility: the record handler is unchanged.

Lambda handler: ``migrated_handler.lambda_handler``.
"""

from __future__ import annotations

from typing import Any

import asyncbatch

saved: list[dict[str, Any]] = []


def save(order: dict[str, Any]) -> None:
    saved.append(order)  # stands in for a blocking write to a database


processor = asyncbatch.BatchProcessor(max_concurrency=10, record_timeout=30)


def record_handler(record: asyncbatch.SqsRecord) -> None:
    save(record.json_body)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return asyncbatch.process_partial_response(
        event, record_handler, processor=processor, context=context
    )
