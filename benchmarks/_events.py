"""SQS events for the benchmarks, built with plain dict code.

This module imports nothing, not even ``__future__`` (its annotations are builtins):
the cold-start children build their batch with it before their clock starts, and an
import here would be counted as already paid for.
"""

QUEUE_ARN = "arn:aws:sqs:us-east-2:123456789012:asyncbatch-bench"

#: One record in this many fails in the scenarios that fail records (the last of
#: each run of ten, so a 10-record batch has exactly one failure).
FAIL_EVERY = 10


def message_id(index: int) -> str:
    """A UUID-shaped SQS message id that encodes ``index``."""
    return f"{index:08x}-1b2c-4d3e-8f40-{index:012x}"


def sqs_event(size: int) -> dict[str, list[dict[str, object]]]:
    """An SQS standard-queue event of ``size`` records shaped like Lambda's own.

    Bodies are small JSON objects written with f-strings (no ``json`` import).
    """
    records: list[dict[str, object]] = [
        {
            "messageId": message_id(index),
            "receiptHandle": f"AQEB{index:016x}rZb4y6Vp2Kd0QwLm7t+9sGx==",
            "body": f'{{"order_id": {index}, "sku": "SKU-{index % 97:03d}"}}',
            "attributes": {
                "ApproximateReceiveCount": "1",
                "SentTimestamp": "1700000000000",
                "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                "ApproximateFirstReceiveTimestamp": "1700000000001",
            },
            "messageAttributes": {},
            "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
            "eventSource": "aws:sqs",
            "eventSourceARN": QUEUE_ARN,
            "awsRegion": "us-east-2",
        }
        for index in range(size)
    ]
    return {"Records": records}


def failing_ids(size: int) -> frozenset[str]:
    """The message ids of the records that the failing handlers raise on."""
    return frozenset(
        message_id(index)
        for index in range(size)
        if index % FAIL_EVERY == FAIL_EVERY - 1
    )


def expected_response(
    size: int, failing: frozenset[str]
) -> dict[str, list[dict[str, str]]]:
    """The partial batch response a correct run over ``sqs_event(size)`` returns."""
    if not failing:
        return {"batchItemFailures": []}

    return {
        "batchItemFailures": [
            {"itemIdentifier": message_id(index)}
            for index in range(size)
            if index % FAIL_EVERY == FAIL_EVERY - 1
        ]
    }
