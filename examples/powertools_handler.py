"""The handler of ``migrated_handler.py`` as it was, on Powertools' batch utility.

Needs ``aws-lambda-powertools`` (the version pinned in the ``bench`` extra).

Lambda handler: ``powertools_handler.lambda_handler``.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

saved: list[dict[str, Any]] = []


def save(order: dict[str, Any]) -> None:
    saved.append(order)  # stands in for a blocking write to a database


processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    save(record.json_body)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
