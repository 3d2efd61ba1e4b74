"""The peers: what users would write or install instead of asyncbatch.

Every peer takes an SQS event and a record handler and returns the same partial batch
response asyncbatch returns, so that each does the work a Lambda function needs and
no less: run every record, catch its exception, list the failed message ids in batch
order. The async peers run on one persistent loop (:class:`WarmLoop`), as a warm
Lambda process would keep one; none of them pays for a new loop per batch.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

__all__ = [
    "WarmLoop",
    "aiometer_batch",
    "anyio_batch",
    "anyio_to_thread_batch",
    "for_loop_batch",
    "powertools_async",
    "powertools_sync",
    "taskgroup_batch",
    "thread_pool_batch",
]

Response = dict[str, list[dict[str, str]]]
Handler = Callable[..., Any]

#: asyncio.TaskGroup and asyncio.timeout arrived in Python 3.11; on 3.10 the
#: TaskGroup peer falls back to gather and wait_for, and its row says so.
HAS_TASKGROUP = sys.version_info >= (3, 11)


class WarmLoop:
    """One event loop kept for every run of the async peers, never made current."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return self.loop.run_until_complete(coro)

    def close(self) -> None:
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()


def _response(records: Sequence[dict[str, Any]], failed: list[bool]) -> Response:
    return {
        "batchItemFailures": [
            {"itemIdentifier": records[index]["messageId"]}
            for index, flag in enumerate(failed)
            if flag
        ]
    }


def for_loop_batch(event: dict[str, Any], handler: Handler) -> Response:
    """The floor for sync work: call the handler record after record."""
    records = event["Records"]
    failed = [False] * len(records)
    for index, record in enumerate(records):
        try:
            handler(record)
        except Exception:  # noqa: BLE001, PERF203  (any exception fails the record)
            failed[index] = True
    return _response(records, failed)


def thread_pool_batch(
    event: dict[str, Any], handler: Handler, executor: ThreadPoolExecutor
) -> Response:
    """The floor for thread offload: a persistent executor mapped over the records.

    ``executor.map`` submits every record at once, so the bound is the executor's
    ``max_workers``.
    """
    records = event["Records"]

    def run(record: dict[str, Any]) -> bool:
        try:
            handler(record)
        except Exception:  # noqa: BLE001  (any exception fails the record)
            return True
        return False

    return _response(records, list(executor.map(run, records)))


async def taskgroup_batch(
    event: dict[str, Any], handler: Handler, limit: int, timeout: float | None = None
) -> Response:
    """One task per record in an asyncio TaskGroup, bounded by a Semaphore.

    With ``timeout`` each handler runs under its own ``asyncio.timeout`` (``wait_for``
    on 3.10, where gather also stands in for the TaskGroup).
    """
    records = event["Records"]
    failed = [False] * len(records)
    semaphore = asyncio.Semaphore(limit)

    async def run(index: int, record: dict[str, Any]) -> None:
        async with semaphore:
            try:
                if timeout is None:
                    await handler(record)
                elif HAS_TASKGROUP:
                    async with asyncio.timeout(timeout):
                        await handler(record)
                else:
                    await asyncio.wait_for(handler(record), timeout)
            except Exception:  # noqa: BLE001  (any exception fails the record)
                failed[index] = True

    if HAS_TASKGROUP:
        async with asyncio.TaskGroup() as group:
            for index, record in enumerate(records):
                group.create_task(run(index, record))
    else:
        await asyncio.gather(*(run(i, r) for i, r in enumerate(records)))
    return _response(records, failed)


async def anyio_batch(event: dict[str, Any], handler: Handler, limit: int) -> Response:
    """One task per record in an anyio task group, bounded by a CapacityLimiter."""
    import anyio

    records = event["Records"]
    failed = [False] * len(records)
    limiter = anyio.CapacityLimiter(limit)

    async def run(index: int, record: dict[str, Any]) -> None:
        async with limiter:
            try:
                await handler(record)
            except Exception:  # noqa: BLE001  (any exception fails the record)
                failed[index] = True

    async with anyio.create_task_group() as group:
        for index, record in enumerate(records):
            group.start_soon(run, index, record)
    return _response(records, failed)


async def aiometer_batch(
    event: dict[str, Any], handler: Handler, limit: int
) -> Response:
    """aiometer's ``run_on_each`` with ``max_at_once``."""
    import aiometer

    records = event["Records"]
    failed = [False] * len(records)

    async def run(pair: tuple[int, dict[str, Any]]) -> None:
        try:
            await handler(pair[1])
        except Exception:  # noqa: BLE001  (any exception fails the record)
            failed[pair[0]] = True

    await aiometer.run_on_each(run, list(enumerate(records)), max_at_once=limit)
    return _response(records, failed)


async def anyio_to_thread_batch(
    event: dict[str, Any], handler: Handler, limit: int
) -> Response:
    """Sync handlers through ``anyio.to_thread.run_sync``, one task per record.

    The limiter is passed explicitly: anyio's default thread limiter holds 40.
    """
    import anyio
    import anyio.to_thread

    records = event["Records"]
    failed = [False] * len(records)
    limiter = anyio.CapacityLimiter(limit)

    async def run(index: int, record: dict[str, Any]) -> None:
        try:
            await anyio.to_thread.run_sync(handler, record, limiter=limiter)
        except Exception:  # noqa: BLE001  (any exception fails the record)
            failed[index] = True

    async with anyio.create_task_group() as group:
        for index, record in enumerate(records):
            group.start_soon(run, index, record)
    return _response(records, failed)


def powertools_async(model: Any = None) -> Callable[[dict[str, Any], Handler], Any]:
    """Powertools' AsyncBatchProcessor through ``async_process_partial_response``.

    The processor is made once, at module level in a real function. Powertools runs
    its "Lambda mode" when ``LAMBDA_TASK_ROOT`` is set: it reuses the thread's
    current event loop (``asyncio.get_event_loop()``) instead of ``asyncio.run``.
    The harness sets that variable and a current loop before any run.
    """
    from aws_lambda_powertools.utilities.batch import (
        AsyncBatchProcessor,
        EventType,
        async_process_partial_response,
    )

    processor = AsyncBatchProcessor(event_type=EventType.SQS, model=model)

    def call(event: dict[str, Any], handler: Handler) -> Any:
        return async_process_partial_response(
            event=event, record_handler=handler, processor=processor
        )

    return call


def powertools_sync(model: Any = None) -> Callable[[dict[str, Any], Handler], Any]:
    """Powertools' sequential BatchProcessor through ``process_partial_response``."""
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    processor = BatchProcessor(event_type=EventType.SQS, model=model)

    def call(event: dict[str, Any], handler: Handler) -> Any:
        return process_partial_response(
            event=event, record_handler=handler, processor=processor
        )

    return call


def powertools_model() -> Any:
    """Powertools' pydantic model of an SQS record."""
    from aws_lambda_powertools.utilities.parser.models import SqsRecordModel

    return SqsRecordModel
