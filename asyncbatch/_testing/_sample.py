"""Realistic sample events, for ``asyncbatch event SOURCE --count N``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ._common import Generator
from ._dynamodb import (
    DynamoDBChange,
    dynamodb_event,
    dynamodb_insert,
    dynamodb_modify,
    dynamodb_remove,
)
from ._kinesis import kinesis_event
from ._sqs import sqs_event, sqs_fifo_event

__all__ = ["SAMPLE_SOURCES", "sample_event"]

SAMPLE_SOURCES = ("sqs", "sqs-fifo", "kinesis", "dynamodb")
"""The sources that :func:`sample_event` builds events for."""

# How many ordering keys (FIFO groups, partition keys, items) a sample spreads over.
_KEYS = 3

# A product's tags after each change; the change after the last one removes it.
_TAGS = (("new",), ("new", "sale"), ("clearance",))


def sample_event(source: str, count: int) -> dict[str, Any]:
    """A realistic sample event of ``count`` records, the same on every call.

    - ``sqs``: order bodies in JSON.
    - ``sqs-fifo``: account movements in a few message groups (one per account),
      in an order that never overdraws an account.
    - ``kinesis``: sensor readings in JSON, over a few partition keys.
    - ``dynamodb``: a mix of ``INSERT``, ``MODIFY`` and ``REMOVE`` over a few
      products of a catalogue table, in an order that could happen (an item is
      inserted before it is modified and removed, and inserted again after it was
      removed).

    :param source: ``sqs``, ``sqs-fifo``, ``kinesis`` or ``dynamodb``.
    :param count: how many records, >= 0.
    :raises ValueError: for an unknown source or a negative count.
    :raises TypeError: when ``count`` is not an int.
    """
    if source not in SAMPLE_SOURCES:
        raise ValueError(
            f"unknown event source {source!r}; choose one of "
            f"{', '.join(SAMPLE_SOURCES)}"
        )

    if isinstance(count, bool) or not isinstance(count, int):
        raise TypeError(f"count must be an int, not {type(count).__name__}")

    if count < 0:
        raise ValueError(f"count must be >= 0 for a {source!r} sample, not {count}")

    ids = Generator(0)
    if source == "sqs":
        return sqs_event([_order(index, ids) for index in range(count)])

    if source == "sqs-fifo":
        return sqs_fifo_event(_movements(count, ids), queue="ledger.fifo")

    if source == "kinesis":
        readings = [
            (f"sensor-{index % _KEYS + 1}", _reading(index, ids))
            for index in range(count)
        ]
        return kinesis_event(readings, stream="sensor-readings")

    return dynamodb_event(_item_changes(count, ids), table="products")


def _order(index: int, ids: Generator) -> dict[str, Any]:
    cents = 500 + ids.below(20_000)
    return {
        "order_id": f"order-{index + 1:05d}",
        "customer_id": f"customer-{index % _KEYS + 1}",
        "quantity": 1 + ids.below(5),
        "total": f"{cents // 100}.{cents % 100:02d}",
        "currency": "EUR",
    }


def _movements(count: int, ids: Generator) -> list[tuple[str, dict[str, Any]]]:
    """Account movements, grouped by account, that never overdraw it."""
    pairs = []
    balances: dict[str, int] = {}
    for index in range(count):
        account = f"account-{index % _KEYS + 1}"
        balance = balances.get(account, 0)
        cents = 1_000 + ids.below(20_000) if balance < 1_000 else -ids.below(balance)
        balances[account] = balance + cents
        sign = "-" if cents < 0 else ""
        movement = {
            "movement_id": f"movement-{index + 1:05d}",
            "account_id": account,
            "amount": f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}",
            "currency": "EUR",
        }
        pairs.append((account, movement))

    return pairs


def _reading(index: int, ids: Generator) -> dict[str, Any]:
    return {
        "sensor_id": f"sensor-{index % _KEYS + 1}",
        "reading": index + 1,
        "celsius": round(18 + ids.below(80) / 10, 1),
    }


def _item_changes(count: int, ids: Generator) -> list[DynamoDBChange]:
    changes = []
    images: dict[str, dict[str, Any]] = {}
    for index in range(count):
        product_id = f"product-{index % _KEYS + 1}"
        keys = {"product_id": product_id}
        old = images.get(product_id)
        if old is None:
            new = {
                "name": f"Product {index % _KEYS + 1}",
                "price": _price(ids),
                "tags": set(_TAGS[0]),
                "version": 1,
            }
            changes.append(dynamodb_insert(keys, new))
            images[product_id] = new
        elif old["version"] >= len(_TAGS):
            changes.append(dynamodb_remove(keys, old))
            del images[product_id]
        else:
            version = old["version"] + 1
            new = {
                **old,
                "price": _price(ids),
                "tags": set(_TAGS[version - 1]),
                "version": version,
            }
            changes.append(dynamodb_modify(keys, old, new))
            images[product_id] = new

    return changes


def _price(ids: Generator) -> Decimal:
    return Decimal(100 + ids.below(10_000)) / 100
