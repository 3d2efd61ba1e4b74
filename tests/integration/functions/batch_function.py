"""A Lambda function that processes SQS batches with asyncbatch, run by awslambdaric.

At cold start it opens a stream to the loopback echo server named by
``ECHO_ADDRESS``, on asyncbatch's persistent loop. Every record then goes through
that stream under an ``asyncio.Lock`` made lazily in the first invocation, so both
only keep working if every warm invocation runs on the loop they were made on.

A record's body says what its record handler does: ``fail`` raises, ``sleep:N``
sleeps N seconds first, anything else is echoed. Each response carries, next to
``batchItemFailures``, a ``probe`` the tests read: the process, the loops seen and
the exception type of every failed record.
"""

from __future__ import annotations

import asyncio
import os
import warnings
from typing import Any

# Any deprecation that asyncbatch's own code triggers fails the invocation. The
# filter names asyncbatch's modules only, so that the runtime client's own warnings
# on some Python version cannot fail these tests.
for _category in (DeprecationWarning, RuntimeWarning):
    warnings.filterwarnings("error", category=_category, module="asyncbatch")

# Imported after the warning filters, on purpose.
import asyncbatch

# Raw records: this function tests the loop, not record parsing.
processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=4)

_state: dict[str, Any] = {"invocations": 0, "echoed": 0, "lock": None, "loops": set()}


async def _connect() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = os.environ["ECHO_ADDRESS"].rsplit(":", 1)
    return await asyncio.open_connection(host, int(port))


async def _loop_id() -> int:
    return id(asyncio.get_running_loop())


async def _loop_type() -> str:
    loop = asyncio.get_running_loop()
    return f"{type(loop).__module__}.{type(loop).__qualname__}"


# Cold start: the stream belongs to the persistent loop from here on.
reader, writer = asyncbatch.run(_connect())
COLD_START_LOOP = asyncbatch.run(_loop_id())
COLD_START_LOOP_TYPE = asyncbatch.run(_loop_type())


def _lock() -> asyncio.Lock:
    if _state["lock"] is None:
        _state["lock"] = asyncio.Lock()
        _state["lock_loop"] = id(asyncio.get_running_loop())

    lock: asyncio.Lock = _state["lock"]
    return lock


async def record_handler(record: dict[str, Any]) -> str:
    _state["loops"].add(await _loop_id())
    body: str = record["body"]
    if body == "fail":
        raise ValueError("the record asked to fail")

    if body.startswith("sleep:"):
        await asyncio.sleep(float(body.removeprefix("sleep:")))

    async with _lock():
        writer.write(body.encode() + b"\n")
        await writer.drain()
        echoed = (await reader.readline()).decode().rstrip("\n")
        _state["echoed"] += 1

    if echoed != body:
        raise AssertionError(f"echo returned {echoed!r} for {body!r}")

    return echoed


def _probe(result: asyncbatch.BatchResult) -> dict[str, Any]:
    _state["invocations"] += 1
    return {
        "pid": os.getpid(),
        "loops": sorted(_state["loops"]),
        "cold_start_loop": COLD_START_LOOP,
        "loop_type": COLD_START_LOOP_TYPE,
        "lock_loop": _state.get("lock_loop"),
        "invocations": _state["invocations"],
        "echoed": _state["echoed"],
        "failures": [type(o.exception).__name__ for o in result.failures],
    }


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The sync Lambda handler: the sync API on the persistent loop."""
    _state["loops"] = set()
    result = processor.process(event, record_handler, context=context)
    return {**result.response(), "probe": _probe(result)}


@asyncbatch.lambda_handler
async def async_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The async Lambda handler, wrapped into the sync callable Lambda calls."""
    _state["loops"] = set()
    result = await processor.process_async(event, record_handler, context=context)
    return {**result.response(), "probe": _probe(result)}
