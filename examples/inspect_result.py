"""Look at every record's outcome before answering Lambda.

``processor.process`` returns the ``BatchResult``: one ``RecordOutcome`` per
record, in batch order, with the handler's return value or the exception and how
long the handler ran. ``result.response()`` is the same dict that
``process_partial_response`` returns.

Lambda handler: ``inspect_result.lambda_handler``.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import asyncbatch

logger = logging.getLogger(__name__)
processor = asyncbatch.BatchProcessor(max_concurrency=10, record_timeout=2.0)
failure_kinds: Counter[str] = Counter()


def record_handler(record: asyncbatch.SqsRecord) -> int:
    return len(record.json_body["lines"])


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    result = processor.process(event, record_handler, context=context)

    lines = sum(outcome.result for outcome in result.outcomes if outcome.ok)
    logger.info("processed %d order lines", lines)
    for outcome in result.failures:
        failure_kinds[type(outcome.exception).__name__] += 1

    return result.response()
