"""Log through structlog; every line a handler logs names its record.

While a record handler runs, asyncbatch binds ``record_index`` and
``item_identifier`` in structlog's context variables, and ``merge_contextvars``
adds them to each line. asyncbatch's own events (``batch processed``, ``record
failed``) go through the same configuration.

Lambda handler: ``structlog_handler.lambda_handler``.
"""

from __future__ import annotations

import sys
from typing import Any

import structlog

import asyncbatch


def configure_logging() -> None:
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
    )


configure_logging()
log = structlog.get_logger()
processor = asyncbatch.BatchProcessor()


async def record_handler(record: asyncbatch.SqsRecord) -> None:
    order = record.json_body
    log.info("charging card", amount=order["amount"])
    if order["amount"] > 1000:
        raise ValueError("amount above the card limit")


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return asyncbatch.process_partial_response(
        event, record_handler, processor=processor, context=context
    )
