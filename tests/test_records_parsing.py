"""The records' interface to the processor: check_model and parser_for."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from asyncbatch import EventType
from asyncbatch._records import (
    DynamoDBRecord,
    KinesisRecord,
    SqsRecord,
    check_model,
    parser_for,
)


class Order(BaseModel):
    order_id: int
    qty: int


class OwnRecord(BaseModel):
    messageId: str
    body: str


def _sqs_record(body: str, message_id: str = "msg-1") -> dict[str, Any]:
    return {"messageId": message_id, "receiptHandle": "rh", "body": body}


class TestCheckModel:
    @pytest.mark.parametrize(
        "model", [None, dict, Order, SqsRecord, SqsRecord[Order], BaseModel]
    )
    def test_accepted(self, model: object) -> None:
        """None, dict and pydantic model classes pass."""
        check_model(model)

    @pytest.mark.parametrize(
        ("model", "named"),
        [
            (3, "not int"),
            ("Order", "not str"),
            (Order(order_id=1, qty=1), "not Order"),
            (int, "not the class int"),
            (list, "not the class list"),
        ],
    )
    def test_refused(self, model: object, named: str) -> None:
        """Anything else is a TypeError naming the argument and what it got."""
        with pytest.raises(TypeError) as caught:
            check_model(model)

        assert str(caught.value) == (
            f"model must be None, dict or a pydantic model class, {named}"
        )


class TestParserFor:
    @pytest.mark.parametrize(
        ("event_type", "record_class"),
        [
            (EventType.SQS, SqsRecord),
            (EventType.KINESIS, KinesisRecord),
            (EventType.DYNAMODB, DynamoDBRecord),
        ],
    )
    def test_default_records(
        self, event_type: EventType, record_class: type[BaseModel]
    ) -> None:
        """None gives the built-in typed record of the source."""
        raw = {
            EventType.SQS: _sqs_record("hi"),
            EventType.KINESIS: {
                "kinesis": {"partitionKey": "k", "sequenceNumber": "1", "data": "aGk="}
            },
            EventType.DYNAMODB: {
                "dynamodb": {"Keys": {"k": {"S": "a"}}, "SequenceNumber": "1"}
            },
        }[event_type]

        assert type(parser_for(None, event_type)(raw)) is record_class

    def test_cached(self) -> None:
        """The parser for one (model, source) pair is built once."""
        assert parser_for(SqsRecord[Order], EventType.SQS) is parser_for(
            SqsRecord[Order], EventType.SQS
        )

    def test_dict_gives_the_raw_record(self) -> None:
        """dict passes the raw record through, the very same object."""
        raw = _sqs_record("hi")
        assert parser_for(dict, EventType.SQS)(raw) is raw

    def test_own_model(self) -> None:
        """A model of the user's own validates the raw record."""
        parse = parser_for(OwnRecord, EventType.SQS)

        assert parse(_sqs_record("hi")) == OwnRecord(messageId="msg-1", body="hi")
        with pytest.raises(ValidationError):
            parse({"messageId": "msg-1"})

    def test_subclass_gets_full_validation(self) -> None:
        """A subclass of a typed record keeps its own fields and validators."""

        class Tagged(SqsRecord[Order]):
            tag: str = "none"

        record = parser_for(Tagged, EventType.SQS)(
            {**_sqs_record('{"order_id": 1, "qty": 1}'), "tag": "x"}
        )

        assert isinstance(record, Tagged)
        assert record.tag == "x"
        assert record.body == Order(order_id=1, qty=1)

    @pytest.mark.parametrize(
        ("model", "event_type", "message"),
        [
            (
                KinesisRecord,
                EventType.SQS,
                "KinesisRecord is a typed record of Kinesis",
            ),
            (
                SqsRecord[Order],
                EventType.DYNAMODB,
                "SqsRecord[Order] is a typed record of SQS",
            ),
            (DynamoDBRecord, EventType.KINESIS, "batch comes from Kinesis"),
        ],
    )
    def test_wrong_source(
        self, model: type[BaseModel], event_type: EventType, message: str
    ) -> None:
        """A typed record of another source is refused before any record runs."""
        with pytest.raises(TypeError, match=re.escape(message)):
            parser_for(model, event_type)

    def test_c01_parser_level(self) -> None:
        """C01: msg-2's body fails with the error itself; msg-1 and msg-3 parse."""
        parse = parser_for(SqsRecord[Order], EventType.SQS)
        bodies = [
            ("msg-1", json.dumps({"order_id": 1, "qty": 2})),
            ("msg-2", json.dumps({"order_id": "abc"})),
            ("msg-3", json.dumps({"order_id": 3, "qty": 1})),
        ]

        def outcome(message_id: str, body: str) -> object:
            try:
                return parse(_sqs_record(body, message_id))
            except ValidationError as exc:
                return exc

        outcomes = [outcome(message_id, body) for message_id, body in bodies]

        first, second, third = outcomes
        assert isinstance(first, SqsRecord)
        assert first.body == Order(order_id=1, qty=2)
        assert isinstance(second, ValidationError)
        assert isinstance(third, SqsRecord)
        assert third.message_id == "msg-3"

        with pytest.raises(ValidationError) as caught:
            parse(_sqs_record("not json{", "msg-2"))
        assert caught.value.errors()[0]["type"] == "json_invalid"


class TestImportCost:
    def test_schemas_are_built_on_first_use(self) -> None:
        """Importing the records builds no validator: that waits for first use."""
        code = (
            "import asyncbatch._records as r\n"
            "names = ['SqsRecord', 'KinesisRecord', 'DynamoDBRecord', "
            "'SnsNotification', 'S3EventNotification']\n"
            "print(sorted({type(getattr(r, n).__pydantic_validator__).__name__ "
            "for n in names}))\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )

        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "['MockValSer']"

    def test_envelopes_load_when_named(self) -> None:
        """The envelope models are imported only when first named."""
        code = (
            "import sys, asyncbatch._records as r\n"
            "print('asyncbatch._records._envelopes' in sys.modules)\n"
            "r.SnsNotification\n"
            "print('asyncbatch._records._envelopes' in sys.modules)\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )

        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["False", "True"]
