"""Pickling typed records, plain and with a payload type, within one process and
across two."""

from __future__ import annotations

import pickle
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from asyncbatch import EventType
from asyncbatch._records import (
    DynamoDBRecord,
    KinesisRecord,
    SnsNotification,
    SqsRecord,
    parser_for,
)
from asyncbatch.testing import (
    dynamodb_event,
    dynamodb_modify,
    dynamodb_remove,
    kinesis_event,
    sqs_event,
)

ROOT = Path(__file__).resolve().parents[1]


class Order(BaseModel):
    order_id: int


class Item(BaseModel):
    pk: str
    v: Decimal


class Tagged(SqsRecord[Order]):
    tag: str = "none"


_SNS = {
    "Type": "Notification",
    "MessageId": "m-1",
    "TopicArn": "arn:aws:sns:us-east-1:123456789012:orders",
    "Message": '{"order_id": 5}',
    "Timestamp": "2023-11-14T22:13:20.000Z",
}


def _raw(event_type: EventType) -> dict[str, Any]:
    event = {
        EventType.SQS: sqs_event([{"order_id": 1}], message_attributes={"b": b"\0"}),
        EventType.KINESIS: kinesis_event([("k", {"order_id": 2})]),
        EventType.DYNAMODB: dynamodb_event(
            [dynamodb_modify({"pk": "a"}, {"v": Decimal("1.50")}, {"v": 2})]
        ),
    }[event_type]
    record: dict[str, Any] = event["Records"][0]
    return record


CASES = [
    (None, EventType.SQS),
    (SqsRecord[Order], EventType.SQS),
    (None, EventType.KINESIS),
    (KinesisRecord[Order], EventType.KINESIS),
    (None, EventType.DYNAMODB),
    (DynamoDBRecord[Item], EventType.DYNAMODB),
    (Tagged, EventType.SQS),
]


@pytest.mark.parametrize(("model", "event_type"), CASES)
@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_round_trip(
    model: type[Any] | None, event_type: EventType, protocol: int
) -> None:
    """A parsed record pickles and comes back equal, of the very same class."""
    record = parser_for(model, event_type)(_raw(event_type))

    loaded = pickle.loads(pickle.dumps(record, protocol=protocol))

    assert type(loaded) is type(record)
    assert loaded == record
    assert loaded.model_dump() == record.model_dump()


def test_envelope_payload() -> None:
    """An SQS record whose body is an SNS notification of a model pickles too."""
    raw = sqs_event([_SNS])["Records"][0]
    record = parser_for(SqsRecord[SnsNotification[Order]], EventType.SQS)(raw)

    loaded = pickle.loads(pickle.dumps(record))

    assert loaded == record
    assert loaded.body.message == Order(order_id=5)
    assert type(loaded.body) is SnsNotification[Order]


def test_nested_parts_of_a_parametrized_record() -> None:
    """The parts of a parametrized record pickle on their own as well."""
    raw = _raw(EventType.DYNAMODB)
    record = parser_for(DynamoDBRecord[Item], EventType.DYNAMODB)(raw)
    removed = dynamodb_event([dynamodb_remove({"pk": "a"}, {"v": 1})])["Records"][0]
    kinesis = parser_for(KinesisRecord[Order], EventType.KINESIS)(
        _raw(EventType.KINESIS)
    )

    assert pickle.loads(pickle.dumps(record.dynamodb)) == record.dynamodb
    assert pickle.loads(pickle.dumps(kinesis.kinesis)) == kinesis.kinesis
    assert pickle.loads(pickle.dumps(parser_for(None, EventType.DYNAMODB)(removed)))


# The child pickles a record of a payload type it defines in a module of its own;
# a second child loads it without ever having named the parametrized class.
PAYLOAD_MODULE = """
from pydantic import BaseModel


class Order(BaseModel):
    order_id: int
"""

DUMP = """
import pickle, sys
from asyncbatch import EventType
from asyncbatch._records import SqsRecord, parser_for
from asyncbatch.testing import sqs_event
from payload import Order

raw = sqs_event([{"order_id": 7}])["Records"][0]
record = parser_for(SqsRecord[Order], EventType.SQS)(raw)
sys.stdout.buffer.write(pickle.dumps(record))
"""

LOAD = """
import pickle, sys
record = pickle.loads(sys.stdin.buffer.read())
print(type(record).__name__, record.body.order_id)
"""


def test_loads_in_a_fresh_interpreter(tmp_path: Path) -> None:
    """A pickled ``SqsRecord[Order]`` loads where that class was never made."""
    (tmp_path / "payload.py").write_text(PAYLOAD_MODULE)
    path = f"{ROOT}:{tmp_path}"

    def child(code: str, given: bytes) -> bytes:
        done = subprocess.run(
            [sys.executable, "-c", code],
            input=given,
            capture_output=True,
            env={"PYTHONPATH": path},
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout

    pickled = child(DUMP, b"")

    assert child(LOAD, pickled).decode().split() == ["SqsRecord[Order]", "7"]
