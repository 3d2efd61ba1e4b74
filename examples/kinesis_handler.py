"""Sensor readings from a Kinesis data stream, in order per sensor.

The partition key is the sensor, so each sensor's readings run in stream order.
After a failure, no record positioned after it is started: Lambda resumes the shard
from the failed record and delivers everything after it again.

Lambda handler: ``kinesis_handler.lambda_handler``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncbatch

latest: dict[str, float] = {}

processor = asyncbatch.BatchProcessor(
    asyncbatch.EventType.KINESIS, max_concurrency=8, record_timeout=2.0
)


async def record_handler(record: asyncbatch.KinesisRecord) -> float:
    reading = record.kinesis.data_as_json()
    value = float(reading["celsius"])
    if not -90.0 <= value <= 60.0:
        raise ValueError(f"reading out of range: {value}")

    await asyncio.sleep(0.005)  # writing to the time-series store
    latest[record.kinesis.partition_key] = value
    return value


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return asyncbatch.process_partial_response(
        event, record_handler, processor=processor, context=context
    )
