"""Child process of the cold-start scenario: import, then process a first batch.

Run as ``python -c "from benchmarks._cold import main; main()" TASK`` from the
repository root. Only ``os``, ``sys`` and ``time`` are imported before the clock
starts, and the interpreter has loaded those already, so the measured time is what
the task itself imports and runs. Everything the report needs (``json``) is imported
after the clock stops. The result is one JSON line on stdout.
"""

import os
import sys
import time

#: Import-only tasks: the module each one imports.
IMPORTS = {
    "asyncio": "asyncio",
    "anyio": "anyio",
    "pydantic": "pydantic",
    "structlog": "structlog",
    "asyncbatch": "asyncbatch",
    "powertools-batch": "aws_lambda_powertools.utilities.batch",
}

#: First-batch tasks.
BATCHES = (
    "asyncbatch-dict",
    "asyncbatch-typed",
    "powertools-async",
    "powertools-async-model",
)

#: Modules whose presence after the task tells what it pulled in.
WATCHED = ("asyncio", "anyio", "pydantic", "structlog", "concurrent.futures")


def main() -> None:
    task = sys.argv[1]
    from benchmarks._events import failing_ids, sqs_event

    event = sqs_event(10)
    failing = failing_ids(10)

    start = time.perf_counter()
    if task in IMPORTS:
        __import__(IMPORTS[task])
        response = None
    else:
        response = _first_batch(task, event, failing)
    elapsed = time.perf_counter() - start

    import json

    failed = (
        None
        if response is None
        else sorted(f["itemIdentifier"] for f in response["batchItemFailures"])
    )
    print(
        json.dumps(
            {
                "task": task,
                "seconds": elapsed,
                "failed": failed,
                "expected": sorted(failing),
                "loaded": [name for name in WATCHED if name in sys.modules],
                "lambda_mode": bool(os.environ.get("LAMBDA_TASK_ROOT")),
            }
        )
    )


def _first_batch(
    task: str, event: dict[str, list[dict[str, object]]], failing: frozenset[str]
) -> dict[str, list[dict[str, str]]]:
    # The handlers are defined here, after the clock started, as a Lambda function
    # module would define them; an ``async def`` needs no import of asyncio.
    if task.startswith("asyncbatch"):
        import asyncbatch

        if task == "asyncbatch-dict":
            processor = asyncbatch.BatchProcessor(model=dict)

            async def handler(record):
                if record["messageId"] in failing:
                    raise ValueError("simulated failure")

        else:
            processor = asyncbatch.BatchProcessor()

            async def handler(record):
                if record.message_id in failing:
                    raise ValueError("simulated failure")

        return asyncbatch.process_partial_response(event, handler, processor=processor)

    if task not in BATCHES:
        raise SystemExit(f"unknown cold-start task {task!r}")

    from aws_lambda_powertools.utilities.batch import (
        AsyncBatchProcessor,
        EventType,
        async_process_partial_response,
    )

    if task == "powertools-async-model":
        from aws_lambda_powertools.utilities.parser.models import SqsRecordModel

        pt_processor = AsyncBatchProcessor(
            event_type=EventType.SQS, model=SqsRecordModel
        )

        async def handler(record):
            if record.messageId in failing:
                raise ValueError("simulated failure")

    else:
        pt_processor = AsyncBatchProcessor(event_type=EventType.SQS)

        async def handler(record):
            if record.message_id in failing:
                raise ValueError("simulated failure")

    return async_process_partial_response(
        event=event, record_handler=handler, processor=pt_processor
    )
