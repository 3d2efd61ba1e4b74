"""The record handlers every contender runs, one per way of reading the record id.

Each contender hands its handler a different shape of record (asyncbatch's typed
record, the raw dict, Powertools' data class or its pydantic model), so the handler
is written once per shape with the same body: look the id up in a frozenset and raise
for the failing tenth. Every handler's parameter is named ``record`` because
Powertools passes the record as that keyword.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

__all__ = [
    "SimulatedFailure",
    "async_failing",
    "async_sleep",
    "sync_failing",
    "sync_sleep",
]

#: How a record shape exposes its SQS message id.
#: ``attr``: asyncbatch's SqsRecord and Powertools' SQSRecord (``.message_id``);
#: ``dict``: the raw record; ``camel``: Powertools' pydantic SqsRecordModel.
SHAPES = ("attr", "dict", "camel")


class SimulatedFailure(Exception):
    """What the failing handlers raise (no record data in the message)."""


def async_failing(shape: str, failing: frozenset[str]) -> Callable[..., Any]:
    """A no-op async handler that raises for the ids in ``failing``."""
    if shape == "attr":

        async def handler(record: Any) -> None:
            if record.message_id in failing:
                raise SimulatedFailure("simulated failure")

    elif shape == "dict":

        async def handler(record: Any) -> None:
            if record["messageId"] in failing:
                raise SimulatedFailure("simulated failure")

    else:

        async def handler(record: Any) -> None:
            if record.messageId in failing:
                raise SimulatedFailure("simulated failure")

    return handler


def sync_failing(shape: str, failing: frozenset[str]) -> Callable[..., Any]:
    """A no-op sync handler that raises for the ids in ``failing``."""
    if shape == "attr":

        def handler(record: Any) -> None:
            if record.message_id in failing:
                raise SimulatedFailure("simulated failure")

    elif shape == "dict":

        def handler(record: Any) -> None:
            if record["messageId"] in failing:
                raise SimulatedFailure("simulated failure")

    else:

        def handler(record: Any) -> None:
            if record.messageId in failing:
                raise SimulatedFailure("simulated failure")

    return handler


def async_sleep(seconds: float) -> Callable[..., Any]:
    """An async handler that awaits ``seconds`` of simulated I/O."""

    async def handler(record: Any) -> None:
        await asyncio.sleep(seconds)

    return handler


def sync_sleep(seconds: float) -> Callable[..., Any]:
    """A sync handler that blocks its thread for ``seconds`` of simulated I/O."""

    def handler(record: Any) -> None:
        time.sleep(seconds)

    return handler
