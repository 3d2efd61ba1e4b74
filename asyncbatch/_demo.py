"""The record handler behind ``asyncbatch demo``.

Each order waits as if it called a payment service (5 to 45 ms, fixed per order),
a few are declined, and one service call hangs past the record timeout.
"""

from __future__ import annotations

import asyncio
import zlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._records import SqsRecord

__all__ = ["DESCRIPTION", "TIMEOUT", "PaymentDeclinedError", "handle_order"]

#: The demo's record timeout, in seconds.
TIMEOUT = 1.0
DESCRIPTION = "a 5-45 ms call to a payment service"


class PaymentDeclinedError(Exception):
    """The simulated payment service declined the order."""


async def handle_order(record: SqsRecord) -> str:
    """Charge one order; the outcome depends only on the order id."""
    order = record.json_body
    order_id = str(order["order_id"])
    number = int(order_id.rpartition("-")[2])
    await asyncio.sleep(0.005 + zlib.crc32(order_id.encode()) % 41 / 1000)

    if number % 97 == 13:
        raise PaymentDeclinedError(f"payment declined for {order_id}")

    if number == 500:
        await asyncio.sleep(TIMEOUT * 3)  # a call that hangs: the timeout ends it

    return f"charged {order_id}"
