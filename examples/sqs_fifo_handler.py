"""A FIFO queue of account movements, applied in order within each account.

The message group is the account, so the records of one account run one at a time,
in batch order, while different accounts run concurrently. When a movement fails,
the later movements of that account are not started: they are reported as failed
(skipped) and come back, in order, on the next delivery.

Lambda handler: ``sqs_fifo_handler.lambda_handler``.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import asyncbatch


class InsufficientFundsError(Exception):
    pass


balances: dict[str, Decimal] = {}

# The event type is detected from the records; a queue ARN ending in ".fifo"
# makes the batch FIFO, with the message group as the ordering key.
processor = asyncbatch.BatchProcessor(max_concurrency=10)


async def record_handler(record: asyncbatch.SqsRecord) -> Decimal:
    account = record.attributes.message_group_id  # always set in a FIFO batch
    amount = Decimal(record.json_body["amount"])
    await asyncio.sleep(0.005)  # the read-modify-write against the ledger store
    balance = balances.get(account, Decimal(0)) + amount
    if balance < 0:
        raise InsufficientFundsError(f"account {account} would go below zero")

    balances[account] = balance
    return balance


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return asyncbatch.process_partial_response(
        event, record_handler, processor=processor, context=context
    )
