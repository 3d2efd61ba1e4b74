"""Testing your own record handlers with ``asyncbatch.testing``.

This is a test module as it would sit in your project, run with pytest. The record
handlers under test would live in your application; they are at the top so that
the example stands alone. Each test builds an event with a factory, runs it
through the handler as the Lambda function would, and checks the partial batch
response: the records Lambda will deliver again.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

import asyncbatch
from asyncbatch.testing import (
    FakeLambdaContext,
    dynamodb_event,
    dynamodb_insert,
    dynamodb_modify,
    dynamodb_remove,
    kinesis_event,
    sqs_event,
    sqs_fifo_event,
)

# The application under test: a small shop. Orders arrive on SQS queues and
# reserve stock; restocks arrive on a Kinesis stream; the product table's stream
# keeps a price list in step.

stock: dict[str, int] = {}
prices: dict[str, Decimal] = {}


class OutOfStockError(Exception):
    """An order asked for more than is left."""


async def order_handler(record: asyncbatch.SqsRecord) -> int:
    order = record.json_body
    await asyncio.sleep(0)  # stands in for the call to the stock service
    left = stock.get(order["sku"], 0) - order["quantity"]
    if left < 0:
        raise OutOfStockError(f"not enough {order['sku']} for {order['order_id']}")

    stock[order["sku"]] = left
    return left


def restock_handler(record: asyncbatch.KinesisRecord) -> int:
    restock = record.kinesis.data_as_json()
    stock[restock["sku"]] = stock.get(restock["sku"], 0) + restock["quantity"]
    return stock[restock["sku"]]


def price_handler(record: asyncbatch.DynamoDBRecord) -> None:
    sku = record.dynamodb.keys["sku"]
    if record.event_name == "REMOVE":
        prices.pop(sku, None)
        return

    price = record.dynamodb.new_image["price"]
    if price <= 0:
        raise ValueError(f"{sku} has no valid price")

    prices[sku] = price


# The tests.


@pytest.fixture
def anyio_backend() -> str:
    # asyncbatch runs on asyncio; anyio's plugin would also try trio if installed.
    return "asyncio"


@pytest.fixture(autouse=True)
def _empty_shop() -> None:
    stock.clear()
    prices.clear()


def failed_ids(response: dict[str, Any]) -> list[str]:
    return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]


def test_an_order_that_cannot_be_served_is_retried() -> None:
    stock["apple"] = 5
    event = sqs_event(
        [
            {"order_id": "o-1", "sku": "apple", "quantity": 2},
            {"order_id": "o-2", "sku": "apple", "quantity": 9},
            {"order_id": "o-3", "sku": "pear", "quantity": 1},
        ]
    )

    response = asyncbatch.process_partial_response(event, order_handler)

    ids = [record["messageId"] for record in event["Records"]]
    assert failed_ids(response) == [ids[1], ids[2]]
    assert stock == {"apple": 3}


def test_a_batch_where_every_order_fails_raises() -> None:
    event = sqs_event(count=3)  # bodies {"index": 0}, ...: no order fields

    with pytest.raises(asyncbatch.BatchProcessingError) as caught:
        asyncbatch.process_partial_response(event, order_handler)

    assert all(isinstance(e, KeyError) for e in caught.value.exceptions)


def test_a_failed_fifo_order_holds_back_the_rest_of_its_group() -> None:
    stock["apple"] = 3
    event = sqs_fifo_event(
        {
            "alice": [
                {"order_id": "a-1", "sku": "apple", "quantity": 1},
                {"order_id": "a-2", "sku": "apple", "quantity": 5},
                {"order_id": "a-3", "sku": "apple", "quantity": 1},
            ],
            "bob": [{"order_id": "b-1", "sku": "apple", "quantity": 1}],
        }
    )

    response = asyncbatch.process_partial_response(event, order_handler)

    # a-2 failed, so a-3 never ran; it comes back after a-2, in order. Bob's
    # group is not held back.
    ids = [record["messageId"] for record in event["Records"]]
    assert failed_ids(response) == [ids[1], ids[2]]
    assert stock == {"apple": 1}


def test_a_bad_restock_stops_the_stream_at_that_record() -> None:
    event = kinesis_event(
        [
            ("warehouse-1", {"sku": "apple", "quantity": 10}),
            ("warehouse-2", b"\x00 not json"),
            ("warehouse-2", {"sku": "pear", "quantity": 4}),
        ]
    )

    response = asyncbatch.process_partial_response(event, restock_handler)

    # Lambda resumes the shard from the first failure, so the pear restock
    # after it is not started and is reported too.
    numbers = [record["kinesis"]["sequenceNumber"] for record in event["Records"]]
    assert failed_ids(response) == numbers[1:]
    assert stock == {"apple": 10}


def test_price_changes_follow_the_table() -> None:
    event = dynamodb_event(
        [
            dynamodb_insert({"sku": "apple"}, {"price": Decimal("0.50")}),
            dynamodb_modify(
                {"sku": "apple"}, {"price": Decimal("0.50")}, {"price": Decimal("0.55")}
            ),
            dynamodb_insert({"sku": "pear"}, {"price": Decimal("0.80")}),
            dynamodb_remove({"sku": "pear"}, {"price": Decimal("0.80")}),
        ]
    )

    response = asyncbatch.process_partial_response(event, price_handler)

    assert response == {"batchItemFailures": []}
    assert prices == {"apple": Decimal("0.55")}


def test_a_bad_price_stops_the_stream_at_that_record() -> None:
    event = dynamodb_event(
        [
            dynamodb_insert({"sku": "apple"}, {"price": Decimal("0.50")}),
            dynamodb_insert({"sku": "pear"}, {"price": Decimal(0)}),
            dynamodb_remove({"sku": "apple"}, {"price": Decimal("0.50")}),
        ]
    )
    # One record at a time, so that no record is running when the bad price
    # fails: one of another item that had started by then would be let finish.
    one_at_a_time = asyncbatch.BatchProcessor(max_concurrency=1)

    response = asyncbatch.process_partial_response(
        event, price_handler, processor=one_at_a_time
    )

    numbers = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
    assert failed_ids(response) == numbers[1:]
    assert prices == {"apple": Decimal("0.50")}


def test_no_order_starts_without_time_left() -> None:
    # Lambda would stop the function in 0.5 s, less than the processor keeps
    # free (deadline_margin, 1 s by default), so no record starts.
    stock["apple"] = 5
    event = sqs_event([{"order_id": "o-1", "sku": "apple", "quantity": 1}])
    context = FakeLambdaContext(remaining=0.5)

    with pytest.raises(asyncbatch.BatchProcessingError) as caught:
        asyncbatch.process_partial_response(event, order_handler, context=context)

    (error,) = caught.value.exceptions
    assert isinstance(error, asyncbatch.DeadlineExceededError)
    assert stock == {"apple": 5}


@pytest.mark.anyio
async def test_async_code_awaits_the_async_entry_point() -> None:
    stock["apple"] = 1
    event = sqs_event(
        [
            {"order_id": "o-1", "sku": "apple", "quantity": 1},
            {"order_id": "o-2", "sku": "apple", "quantity": 1},
        ],
        seed=7,  # other message ids than the default ones
    )
    processor = asyncbatch.BatchProcessor(max_concurrency=1)

    response = await asyncbatch.process_partial_response_async(
        event, order_handler, processor=processor, context=FakeLambdaContext()
    )

    # One at a time, in batch order: the first order gets the last apple.
    assert failed_ids(response) == [event["Records"][1]["messageId"]]
