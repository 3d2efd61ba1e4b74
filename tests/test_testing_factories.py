"""The event factories of asyncbatch.testing: shapes, values and argument checks."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import asyncbatch
from asyncbatch._events import EventType, read_event
from asyncbatch.testing import (
    SAMPLE_SOURCES,
    DynamoDBChange,
    dynamodb_event,
    dynamodb_insert,
    dynamodb_modify,
    dynamodb_remove,
    kinesis_event,
    sample_event,
    sqs_event,
    sqs_fifo_event,
)

EVENTS = Path(__file__).resolve().parents[1].parent / "shared" / "events"

needs_fixtures = pytest.mark.skipif(
    not EVENTS.is_dir(),
    reason=f"the Lambda event fixtures are not at {EVENTS} (../shared/events)",
)

# Maps whose keys are the user's own names (attribute names), not Lambda's fields.
_USER_MAPS = ("messageAttributes", "Keys", "NewImage", "OldImage")

_ATTRIBUTE_TYPES = {"S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "M", "L"}


def _fixture(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return event


def _shape(value: Any, name: str = "") -> Any:
    """The keys at every level and the type of every value, user data left out."""
    if isinstance(value, dict):
        if name in _USER_MAPS:
            return "user map"
        return {key: _shape(member, key) for key, member in value.items()}
    if isinstance(value, list):
        return "list"
    return type(value).__name__


def _flatten(shape: Any, prefix: str = "") -> dict[str, str]:
    if not isinstance(shape, dict):
        return {prefix: shape}

    flat = {}
    for key, member in shape.items():
        flat.update(_flatten(member, f"{prefix}.{key}" if prefix else key))
    return flat


def _like(record: dict[str, Any]) -> Any:
    """A factory record of the same kind as a fixture record."""
    source = record["eventSource"]
    if source == "aws:sqs":
        if record["eventSourceARN"].endswith(".fifo"):
            return sqs_fifo_event([("group", record["body"])])["Records"][0]
        return sqs_event([record["body"]])["Records"][0]

    if source == "aws:kinesis":
        return kinesis_event([("key", b"data")])["Records"][0]

    stream = record["dynamodb"]
    keys = {"Id": 101}
    old, new = "OldImage" in stream, "NewImage" in stream
    builders = {
        "INSERT": dynamodb_insert(keys, {"Message": "new"}),
        "MODIFY": dynamodb_modify(keys, {"Message": "old"}, {"Message": "new"}),
        "REMOVE": dynamodb_remove(keys, {"Message": "old"}),
    }
    view = {
        (True, True): "NEW_AND_OLD_IMAGES",
        (False, True): "NEW_IMAGE",
        (True, False): "OLD_IMAGE",
        (False, False): "KEYS_ONLY",
    }[old, new]
    change = builders[record["eventName"]]
    event = dynamodb_event([change], stream_view_type=view)  # type: ignore[arg-type]
    return event["Records"][0]


# Fields one side has and the other lacks, each for a stated reason.
_ONLY_IN_FACTORY = {
    # Lambda sends it on every DynamoDB stream record; some fixtures leave it out,
    # dynamoStreamEvent.json's INSERT has it (as a float).
    "dynamodb.ApproximateCreationDateTime",
}
_ONLY_IN_FIXTURE = {
    # Only records read from a dead-letter queue carry it.
    "attributes.DeadLetterQueueSourceArn",
}

_RECORD_FIXTURES = [
    "sqsEvent.json",
    "sqsDlqTriggerEvent.json",
    "snsSqsEvent.json",
    "snsSqsFifoEvent.json",
    "s3SqsEvent.json",
    "kinesisStreamEvent.json",
    "kinesisStreamEventOneRecord.json",
    "kinesisStreamCloudWatchLogsEvent.json",
    "kinesisStreamTumblingWindowEvent.json",
    "dynamoStreamEvent.json",
    "dynamoStreamTumblingWindowEvent.json",
    "examples/getting_started_sqs_event.json",
    "examples/getting_started_kinesis_event.json",
    "examples/getting_started_dynamodb_event.json",
]


@needs_fixtures
@pytest.mark.parametrize("name", _RECORD_FIXTURES)
def test_record_shapes_match_the_fixtures(name: str) -> None:
    """Factory records have a fixture record's keys at every level, typed alike."""
    for index, record in enumerate(_fixture(name)["Records"]):
        expected = _flatten(_shape(record))
        built = _flatten(_shape(_like(record)))

        for path in sorted(set(expected) | set(built)):
            if path not in built:
                assert path in _ONLY_IN_FIXTURE, f"record {index}: no {path}"
            elif path not in expected:
                assert path in _ONLY_IN_FACTORY, f"record {index}: extra {path}"
            else:
                assert built[path] == expected[path], f"record {index}: {path}"


@needs_fixtures
def test_creation_time_has_the_fixture_type() -> None:
    """ApproximateCreationDateTime is a number of seconds, as in the fixture."""
    fixture = _fixture("dynamoStreamEvent.json")["Records"][0]["dynamodb"]
    built = dynamodb_event(count=1)["Records"][0]["dynamodb"]

    expected = fixture["ApproximateCreationDateTime"]
    assert type(built["ApproximateCreationDateTime"]) is type(expected)


@needs_fixtures
def test_message_attribute_shape_matches_the_fixture() -> None:
    """A Number attribute has the fixture's fields, plus Lambda's two list fields."""
    fixture = _fixture("sqsEvent.json")["Records"][0]["messageAttributes"]["testAttr"]
    event = sqs_event(["x"], message_attributes={"testAttr": 100})
    built = event["Records"][0]["messageAttributes"]["testAttr"]

    assert built["dataType"] == fixture["dataType"] == "Number"
    assert built["stringValue"] == fixture["stringValue"] == "100"
    assert built["stringListValues"] == built["binaryListValues"] == []


@needs_fixtures
@pytest.mark.parametrize(
    "name", ["dynamoStreamEvent.json", "dynamoStreamTumblingWindowEvent.json"]
)
def test_dynamodb_images_have_the_fixture_form(name: str) -> None:
    """Keys and images map names to one-key attribute values, as the fixtures do."""
    fixture = _fixture(name)["Records"][0]["dynamodb"]
    keys = {"Id": Decimal(fixture["Keys"]["Id"]["N"])}
    image = {"Message": fixture["NewImage"]["Message"]["S"]}
    built = dynamodb_event([dynamodb_insert(keys, image)])["Records"][0]["dynamodb"]

    assert built["Keys"] == fixture["Keys"]
    assert built["NewImage"] == fixture["NewImage"]
    for value in sample_event("dynamodb", 9)["Records"][0]["dynamodb"][
        "NewImage"
    ].values():
        assert len(value) == 1
        assert set(value) <= _ATTRIBUTE_TYPES


def test_every_factory_returns_a_json_ready_dict() -> None:
    """Each event is a plain dict that survives a JSON round trip unchanged."""
    events = [
        sqs_event(count=3),
        sqs_fifo_event(count=3, ordering_keys=2),
        kinesis_event(count=3, ordering_keys=2),
        dynamodb_event(count=3, ordering_keys=2),
        *(sample_event(source, 7) for source in SAMPLE_SOURCES),
    ]
    for event in events:
        assert type(event) is dict
        assert json.loads(json.dumps(event)) == event
        assert len(event["Records"]) in {3, 7}


class TestSqs:
    def test_bodies_as_text_or_json(self) -> None:
        """A str body is sent as is; anything else is dumped as JSON."""
        event = sqs_event(["plain", {"order": 1}, [1, 2], 7, None])

        bodies = [record["body"] for record in event["Records"]]
        assert bodies == ["plain", '{"order": 1}', "[1, 2]", "7", "null"]

    def test_record_fields(self) -> None:
        """The ARN, region, receive count and body digest are Lambda's."""
        event = sqs_event(
            ["hello"], queue="orders", region="eu-west-1", account_id="111122223333"
        )
        (record,) = event["Records"]

        assert record["eventSource"] == "aws:sqs"
        assert record["eventSourceARN"] == "arn:aws:sqs:eu-west-1:111122223333:orders"
        assert record["awsRegion"] == "eu-west-1"
        assert record["md5OfBody"] == hashlib.md5(b"hello").hexdigest()
        assert record["attributes"]["ApproximateReceiveCount"] == "1"
        assert "MessageGroupId" not in record["attributes"]
        assert re.fullmatch(
            r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
            record["messageId"],
        )

    def test_timestamps_are_epoch_milliseconds_in_order(self) -> None:
        """SentTimestamp grows with the batch and precedes the first receive."""
        records = sqs_event(count=5)["Records"]

        sent = [int(record["attributes"]["SentTimestamp"]) for record in records]
        assert sent == sorted(sent)
        assert len(set(sent)) == 5
        for record in records:
            attributes = record["attributes"]
            first = int(attributes["ApproximateFirstReceiveTimestamp"])
            assert first >= int(attributes["SentTimestamp"])
            assert len(attributes["SentTimestamp"]) == 13

    def test_count_makes_index_bodies(self) -> None:
        """count=N gives N records with bodies {"index": i}."""
        event = sqs_event(count=3)

        bodies = [json.loads(record["body"]) for record in event["Records"]]
        assert bodies == [{"index": 0}, {"index": 1}, {"index": 2}]
        assert sqs_event(count=0) == {"Records": []}

    def test_same_call_same_event_and_seed_varies_it(self) -> None:
        """Events are reproducible; another seed draws other ids."""
        assert sqs_event(count=4) == sqs_event(count=4)

        ids = [r["messageId"] for r in sqs_event(count=4)["Records"]]
        other = [r["messageId"] for r in sqs_event(count=4, seed=1)["Records"]]
        assert len(set(ids)) == 4
        assert not set(ids) & set(other)

    def test_message_ids_are_used_as_given(self) -> None:
        """Given message ids, duplicates included, are the records' ids."""
        event = sqs_event(["a", "b", "c"], message_ids=["m-1", "m-2", "m-1"])

        ids = [record["messageId"] for record in event["Records"]]
        assert ids == ["m-1", "m-2", "m-1"]

    def test_message_attributes(self) -> None:
        """Attributes convert by type, and each record gets its own copy."""
        wire = {"stringValue": "x", "dataType": "String.custom"}
        event = sqs_event(
            ["a", "b"],
            message_attributes={
                "kind": "order",
                "amount": Decimal("12.50"),
                "blob": b"\x00\xff",
                "raw": wire,
            },
            receive_count=3,
        )
        first, second = (record["messageAttributes"] for record in event["Records"])

        assert first["kind"]["dataType"] == "String"
        assert first["kind"]["stringValue"] == "order"
        assert first["amount"] == {
            "stringValue": "12.50",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "Number",
        }
        assert first["blob"]["binaryValue"] == base64.b64encode(b"\x00\xff").decode()
        assert first["blob"]["dataType"] == "Binary"
        assert first["raw"] == wire
        assert first == second
        assert first["kind"] is not second["kind"]
        assert (
            first["kind"]["stringListValues"] is not second["kind"]["stringListValues"]
        )
        assert first["raw"] is not wire
        assert event["Records"][1]["attributes"]["ApproximateReceiveCount"] == "3"

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({}, ValueError, "pass bodies or count="),
            ({"bodies": ["a"], "count": 1}, ValueError, "not both"),
            ({"count": -1}, ValueError, "count must be >= 0, not -1"),
            ({"count": True}, TypeError, "count must be an int"),
            ({"bodies": "abc"}, TypeError, "bodies must be a list"),
            ({"bodies": [b"raw"]}, TypeError, r"bodies\[0\] must be text"),
            ({"bodies": [{1, 2}]}, TypeError, r"bodies\[0\] is neither"),
            ({"bodies": [float("nan")]}, TypeError, r"bodies\[0\] is neither"),
            ({"count": 1, "queue": "q.fifo"}, ValueError, "sqs_fifo_event"),
            ({"count": 1, "queue": ""}, ValueError, "queue must not be empty"),
            ({"count": 1, "queue": 3}, TypeError, "queue must be a str, not int"),
            ({"count": 2, "message_ids": ["a"]}, ValueError, "has 1 entries"),
            ({"count": 1, "message_ids": [""]}, ValueError, r"message_ids\[0\]"),
            ({"count": 1, "message_ids": [1]}, TypeError, r"message_ids\[0\]"),
            ({"count": 1, "receive_count": 0}, ValueError, "receive_count"),
            (
                {"count": 1, "message_attributes": {"a": 1.5}},
                TypeError,
                r"message_attributes\['a'\]",
            ),
        ],
    )
    def test_bad_arguments_are_named(
        self, kwargs: dict[str, Any], error: type[Exception], match: str
    ) -> None:
        """Each bad argument raises an error that names it."""
        with pytest.raises(error, match=match):
            sqs_event(**kwargs)

    def test_intake_reads_it_as_a_standard_queue(self) -> None:
        """The runtime's intake sees a standard queue: no ordering keys."""
        batch = read_event(sqs_event(count=3), None, key_ordering=True)

        assert batch.event_type is EventType.SQS
        assert batch.keys is None


class TestSqsFifo:
    def test_groups_from_a_mapping(self) -> None:
        """A mapping gives each group's bodies in turn, in mapping order."""
        event = sqs_fifo_event({"g1": ["a", "b"], "g2": [{"n": 1}]})

        records = event["Records"]
        groups = [record["attributes"]["MessageGroupId"] for record in records]
        assert groups == ["g1", "g1", "g2"]
        assert [record["body"] for record in records] == ["a", "b", '{"n": 1}']

    def test_pairs_interleave_groups(self) -> None:
        """(group, body) pairs keep their order, so groups can interleave."""
        event = sqs_fifo_event([("a", 1), ("b", 2), ("a", 3)])

        groups = [r["attributes"]["MessageGroupId"] for r in event["Records"]]
        assert groups == ["a", "b", "a"]

    def test_fifo_fields(self) -> None:
        """FIFO records carry 20-digit growing sequence numbers and dedup ids."""
        event = sqs_fifo_event(count=6, ordering_keys=3, queue="orders.fifo")
        records = event["Records"]

        numbers = [r["attributes"]["SequenceNumber"] for r in records]
        assert all(re.fullmatch(r"\d{20}", number) for number in numbers)
        assert [int(n) for n in numbers] == sorted({int(n) for n in numbers})

        groups = [r["attributes"]["MessageGroupId"] for r in records]
        assert groups == ["group-0", "group-1", "group-2"] * 2
        for record in records:
            digest = hashlib.sha256(record["body"].encode()).hexdigest()
            assert record["attributes"]["MessageDeduplicationId"] == digest
            assert record["eventSourceARN"].endswith(":orders.fifo")

    def test_deduplication_ids_as_given(self) -> None:
        """Given deduplication ids are used as they are."""
        event = sqs_fifo_event([("g", "a"), ("g", "a")], deduplication_ids=["1", "2"])

        dedup = [r["attributes"]["MessageDeduplicationId"] for r in event["Records"]]
        assert dedup == ["1", "2"]

    def test_intake_reads_the_groups_as_ordering_keys(self) -> None:
        """The runtime's intake sees a FIFO queue keyed by message group."""
        event = sqs_fifo_event([("a", 1), ("b", 2), ("a", 3)])
        batch = read_event(event, None, key_ordering=True)

        assert batch.keys == ["a", "b", "a"]

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"count": 1, "queue": "orders"}, ValueError, "must end in '.fifo'"),
            ({"records": [("", "x")]}, ValueError, "message group id"),
            ({"records": [(None, "x")]}, TypeError, "message group id"),
            ({"records": ["x"]}, TypeError, r"records\[0\] must be a"),
            ({"records": {"g": "abc"}}, TypeError, "list of bodies"),
            ({"count": 2, "ordering_keys": 0}, ValueError, "ordering_keys"),
            ({"count": 1, "deduplication_ids": "a"}, TypeError, "deduplication"),
        ],
    )
    def test_bad_arguments_are_named(
        self, kwargs: dict[str, Any], error: type[Exception], match: str
    ) -> None:
        """Each bad argument raises an error that names it."""
        with pytest.raises(error, match=match):
            sqs_fifo_event(**kwargs)


class TestKinesis:
    def test_data_is_base64_of_bytes_text_or_json(self) -> None:
        """bytes go as they are, str as UTF-8, anything else as JSON."""
        event = kinesis_event([("k", b"\x00\x01"), ("k", "h\u00e9"), ("k", {"a": 1})])

        data = [base64.b64decode(r["kinesis"]["data"]) for r in event["Records"]]
        assert data == [b"\x00\x01", "h\u00e9".encode(), b'{"a": 1}']

    def test_sequence_numbers(self) -> None:
        """56-digit sequence numbers grow in batch order and make the event id."""
        event = kinesis_event(
            count=50, ordering_keys=3, shard_id="shardId-000000000007"
        )

        numbers = [r["kinesis"]["sequenceNumber"] for r in event["Records"]]
        assert all(re.fullmatch(r"\d{56}", number) for number in numbers)
        assert [int(n) for n in numbers] == sorted({int(n) for n in numbers})
        for record, number in zip(event["Records"], numbers, strict=True):
            assert record["eventID"] == f"shardId-000000000007:{number}"

    def test_partition_keys_and_fields(self) -> None:
        """count spreads over partition keys; the source fields are Lambda's."""
        event = kinesis_event(count=4, ordering_keys=2, stream="clicks")
        records = event["Records"]

        keys = [r["kinesis"]["partitionKey"] for r in records]
        assert keys == ["partition-key-0", "partition-key-1"] * 2
        arrivals = [r["kinesis"]["approximateArrivalTimestamp"] for r in records]
        assert arrivals == sorted(arrivals)
        assert records[0]["eventSourceARN"].endswith(":stream/clicks")
        assert records[0]["eventName"] == "aws:kinesis:record"
        assert json.loads(base64.b64decode(records[3]["kinesis"]["data"])) == {
            "index": 3
        }

    def test_intake_reads_the_partition_keys(self) -> None:
        """The runtime's intake keys the records by partition key."""
        event = kinesis_event([("a", 1), ("b", 2), ("a", 3)])
        batch = read_event(event, None, key_ordering=True)

        assert batch.event_type is EventType.KINESIS
        assert batch.keys == ["a", "b", "a"]

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({}, ValueError, "pass records or count="),
            ({"records": [("", b"x")]}, ValueError, "partition key"),
            ({"records": [(1, b"x")]}, TypeError, "partition key"),
            ({"records": [("k",)]}, TypeError, "pair"),
            ({"records": [("k", object())]}, TypeError, r"records\[0\] data"),
            ({"count": 1, "shard_id": None}, TypeError, "shard_id"),
        ],
    )
    def test_bad_arguments_are_named(
        self, kwargs: dict[str, Any], error: type[Exception], match: str
    ) -> None:
        """Each bad argument raises an error that names it."""
        with pytest.raises(error, match=match):
            kinesis_event(**kwargs)


def _new_image(value: Any) -> dict[str, Any]:
    change = dynamodb_insert({"pk": "a"}, {"v": value})
    image = dynamodb_event([change])["Records"][0]["dynamodb"]["NewImage"]
    result: dict[str, Any] = image["v"]
    return result


class TestDynamoDBValues:
    @pytest.mark.parametrize(
        ("value", "wire"),
        [
            ("text", {"S": "text"}),
            ("", {"S": ""}),
            (0, {"N": "0"}),
            (-17, {"N": "-17"}),
            (10**38, {"N": "1" + "0" * 38}),
            (Decimal(0), {"N": "0"}),
            (Decimal("-0.000001234"), {"N": "-0.000001234"}),
            (Decimal("1.50"), {"N": "1.50"}),
            (Decimal("1E+3"), {"N": "1000"}),
            (
                Decimal(123456789012345678901234567890123456780),
                {"N": "123456789012345678901234567890123456780"},
            ),
            (
                Decimal("0.1234567890123456789012345678901234567"),
                {"N": "0.1234567890123456789012345678901234567"},
            ),
            (b"\x00\xffdata", {"B": base64.b64encode(b"\x00\xffdata").decode()}),
            (True, {"BOOL": True}),
            (False, {"BOOL": False}),
            (None, {"NULL": True}),
            ({"b", "a"}, {"SS": ["a", "b"]}),
            (frozenset({3, Decimal("1.5")}), {"NS": ["1.5", "3"]}),
            ({b"y", b"x"}, {"BS": ["eA==", "eQ=="]}),
            ([1, "a", None], {"L": [{"N": "1"}, {"S": "a"}, {"NULL": True}]}),
            ((), {"L": []}),
            ({}, {"M": {}}),
            (
                {"inner": {"tags": {"t"}, "n": [Decimal("2.5")]}},
                {
                    "M": {
                        "inner": {
                            "M": {"tags": {"SS": ["t"]}, "n": {"L": [{"N": "2.5"}]}}
                        }
                    }
                },
            ),
        ],
    )
    def test_python_values_convert_exactly(self, value: Any, wire: Any) -> None:
        """Each Python type becomes its DynamoDB attribute value, digits intact."""
        assert _new_image(value) == wire

    @pytest.mark.parametrize(
        ("value", "error", "match"),
        [
            (0.1, TypeError, r"new_image\['v'\]: float 0.1 is refused"),
            ([1, [2.5]], TypeError, r"new_image\['v'\]\[1\]\[0\]: float"),
            ({"x": object()}, TypeError, r"\['x'\]: object has no DynamoDB type"),
            ({1: "a"}, TypeError, "map keys must be str"),
            (set(), ValueError, "no empty sets"),
            ({1, "a"}, TypeError, "a set must hold only"),
            ({True}, TypeError, "a set must hold only"),
            (Decimal("NaN"), ValueError, "finite"),
            (Decimal("Infinity"), ValueError, "finite"),
        ],
    )
    def test_values_without_a_dynamodb_type_are_refused(
        self, value: Any, error: type[Exception], match: str
    ) -> None:
        """A value DynamoDB cannot hold raises an error naming where it is."""
        with pytest.raises(error, match=match):
            dynamodb_insert({"pk": "a"}, {"v": value})

    def test_keys_take_only_key_types(self) -> None:
        """Key attributes are S, N or B; the keys mapping must not be empty."""
        with pytest.raises(TypeError, match=r"keys\['pk'\]: a key attribute"):
            dynamodb_insert({"pk": True})
        with pytest.raises(TypeError, match=r"keys\['pk'\]: a key attribute"):
            dynamodb_insert({"pk": None})
        with pytest.raises(ValueError, match="keys must not be empty"):
            dynamodb_insert({})
        with pytest.raises(TypeError, match="keys must be a mapping, not list"):
            dynamodb_insert([("pk", "a")])  # type: ignore[arg-type]

    def test_images_hold_the_keys(self) -> None:
        """The key attributes come first in every image, and may not contradict."""
        change = dynamodb_modify({"pk": "a", "sk": 1}, {"v": 1}, {"sk": 1, "v": 2})

        assert change.keys == {"pk": {"S": "a"}, "sk": {"N": "1"}}
        assert change.old_image is not None
        assert list(change.old_image) == ["pk", "sk", "v"]
        assert change.new_image == {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"N": "2"}}
        with pytest.raises(ValueError, match=r"new_image\['pk'\] is 'b'"):
            dynamodb_insert({"pk": "a"}, {"pk": "b"})


class TestDynamoDBEvent:
    def test_changes_become_records(self) -> None:
        """Each change gives its event name and images, in batch order."""
        keys = {"id": 7}
        event = dynamodb_event(
            [
                dynamodb_insert(keys, {"state": "new"}),
                dynamodb_modify(keys, {"state": "new"}, {"state": "done"}),
                dynamodb_remove(keys, {"state": "done"}),
            ],
            table="jobs-table",
        )
        records = event["Records"]

        assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
        insert, modify, remove = (r["dynamodb"] for r in records)
        assert "OldImage" not in insert
        assert insert["NewImage"]["state"] == {"S": "new"}
        assert modify["OldImage"]["state"] == {"S": "new"}
        assert modify["NewImage"]["state"] == {"S": "done"}
        assert "NewImage" not in remove
        assert remove["OldImage"] == {"id": {"N": "7"}, "state": {"S": "done"}}
        for record in records:
            assert record["eventSource"] == "aws:dynamodb"
            assert record["dynamodb"]["Keys"] == {"id": {"N": "7"}}
            assert re.fullmatch(r"[0-9a-f]{32}", record["eventID"])
            assert ":table/jobs-table/stream/" in record["eventSourceARN"]
            assert "userIdentity" not in record

    def test_sequence_numbers_grow(self) -> None:
        """SequenceNumber is a string of digits that grows in batch order."""
        records = dynamodb_event(count=30, ordering_keys=4)["Records"]

        numbers = [r["dynamodb"]["SequenceNumber"] for r in records]
        assert all(number.isdigit() for number in numbers)
        assert [int(n) for n in numbers] == sorted({int(n) for n in numbers})
        sizes = [r["dynamodb"]["SizeBytes"] for r in records]
        assert all(isinstance(size, int) and size > 0 for size in sizes)

    @pytest.mark.parametrize(
        ("view", "new", "old"),
        [
            ("KEYS_ONLY", False, False),
            ("NEW_IMAGE", True, False),
            ("OLD_IMAGE", False, True),
            ("NEW_AND_OLD_IMAGES", True, True),
        ],
    )
    def test_stream_view_types(self, view: Any, new: bool, old: bool) -> None:
        """The stream view type decides which images a record carries."""
        change = dynamodb_modify({"id": 1}, {"v": 1}, {"v": 2})
        (record,) = dynamodb_event([change], stream_view_type=view)["Records"]

        assert ("NewImage" in record["dynamodb"]) is new
        assert ("OldImage" in record["dynamodb"]) is old
        assert record["dynamodb"]["StreamViewType"] == view
        assert record["dynamodb"]["Keys"] == {"id": {"N": "1"}}

    def test_ttl_deletion_carries_the_service_identity(self) -> None:
        """A REMOVE made by the time to live names DynamoDB as its user."""
        (record,) = dynamodb_event([dynamodb_remove({"id": 1}, ttl=True)])["Records"]

        assert record["userIdentity"] == {
            "type": "Service",
            "principalId": "dynamodb.amazonaws.com",
        }

    def test_count_inserts_then_modifies_each_item(self) -> None:
        """count gives each item an INSERT, then MODIFYs with the previous image."""
        records = dynamodb_event(count=5, ordering_keys=2)["Records"]

        names = [r["eventName"] for r in records]
        assert names == ["INSERT", "INSERT", "MODIFY", "MODIFY", "MODIFY"]
        pks = [r["dynamodb"]["Keys"]["pk"]["S"] for r in records]
        assert pks == ["item-0", "item-1", "item-0", "item-1", "item-0"]
        assert records[4]["dynamodb"]["OldImage"]["index"] == {"N": "2"}
        assert records[4]["dynamodb"]["NewImage"]["index"] == {"N": "4"}

    def test_records_share_no_objects(self) -> None:
        """Editing one record of an event leaves the change and other records alone."""
        change = dynamodb_insert({"id": 1}, {"tags": ["a"]})
        event = dynamodb_event([change, change])

        event["Records"][0]["dynamodb"]["NewImage"]["tags"]["L"].append({"S": "b"})
        assert event["Records"][1]["dynamodb"]["NewImage"]["tags"] == {
            "L": [{"S": "a"}]
        }
        assert change.new_image is not None
        assert change.new_image["tags"] == {"L": [{"S": "a"}]}

    def test_intake_keys_records_by_item(self) -> None:
        """The runtime's intake keys the records by the item's Keys."""
        event = dynamodb_event(count=4, ordering_keys=2)
        batch = read_event(event, None, key_ordering=True)

        assert batch.event_type is EventType.DYNAMODB
        assert batch.keys is not None
        assert batch.keys[0] == batch.keys[2] != batch.keys[1] == batch.keys[3]

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({}, ValueError, "pass changes or count="),
            ({"count": 1, "stream_view_type": "ALL"}, ValueError, "stream_view_type"),
            ({"changes": [{"eventName": "INSERT"}]}, TypeError, r"changes\[0\]"),
            ({"count": 1, "table": ""}, ValueError, "table must not be empty"),
            ({"count": 1, "region": None}, TypeError, "region must be a str"),
        ],
    )
    def test_bad_arguments_are_named(
        self, kwargs: dict[str, Any], error: type[Exception], match: str
    ) -> None:
        """Each bad argument raises an error that names it."""
        with pytest.raises(error, match=match):
            dynamodb_event(**kwargs)

    def test_change_is_a_value(self) -> None:
        """A change is a frozen value that compares by content."""
        change = dynamodb_remove({"id": 1})

        assert isinstance(change, DynamoDBChange)
        assert change == dynamodb_remove({"id": 1})
        with pytest.raises(AttributeError):
            change.ttl = True  # type: ignore[misc]


class TestSampleEvent:
    @pytest.mark.parametrize("source", SAMPLE_SOURCES)
    @pytest.mark.parametrize("count", [0, 1, 10])
    def test_samples_pass_intake(self, source: str, count: int) -> None:
        """Every sample is an event the runtime accepts, with count records."""
        event = sample_event(source, count)
        batch = read_event(event, None, key_ordering=True)

        assert len(event["Records"]) == count
        assert len(set(batch.identifiers)) == count
        assert json.loads(json.dumps(event)) == event
        assert sample_event(source, count) == event

    def test_fifo_sample_uses_a_few_groups(self) -> None:
        """The FIFO sample spreads its records over three message groups."""
        event = sample_event("sqs-fifo", 9)
        batch = read_event(event, None, key_ordering=True)

        assert batch.keys is not None
        assert len(set(batch.keys)) == 3

    def test_kinesis_sample_carries_json_payloads(self) -> None:
        """The Kinesis sample has JSON data over a few partition keys."""
        records = sample_event("kinesis", 6)["Records"]

        keys = {r["kinesis"]["partitionKey"] for r in records}
        assert len(keys) == 3
        for record in records:
            payload = json.loads(base64.b64decode(record["kinesis"]["data"]))
            assert payload["sensor_id"] == record["kinesis"]["partitionKey"]

    def test_dynamodb_sample_is_a_possible_history(self) -> None:
        """Each item is inserted, modified, removed and inserted again, in order."""
        records = sample_event("dynamodb", 24)["Records"]

        names = {r["eventName"] for r in records}
        assert names == {"INSERT", "MODIFY", "REMOVE"}
        exists: dict[str, bool] = {}
        for record in records:
            key = record["dynamodb"]["Keys"]["product_id"]["S"]
            if record["eventName"] == "INSERT":
                assert not exists.get(key, False)
                exists[key] = True
            else:
                assert exists.get(key, False)
                exists[key] = record["eventName"] == "MODIFY"

    @pytest.mark.parametrize(
        ("source", "count", "error", "match"),
        [
            ("kafka", 1, ValueError, "unknown event source 'kafka'"),
            ("SQS", 1, ValueError, "unknown event source 'SQS'"),
            ("sqs", -1, ValueError, "count must be >= 0 for a 'sqs' sample, not -1"),
            ("sqs", "3", TypeError, "count must be an int"),
        ],
    )
    def test_bad_arguments_are_named(
        self, source: str, count: Any, error: type[Exception], match: str
    ) -> None:
        """An unknown source or a bad count raises an error that names it."""
        with pytest.raises(error, match=match):
            sample_event(source, count)


def _received(event: dict[str, Any]) -> list[Any]:
    """The typed records a record handler receives for ``event``."""
    records: list[Any] = []
    result = asyncbatch.BatchProcessor(max_concurrency=1).process(event, records.append)
    assert not result.failures, [outcome.exception for outcome in result.failures]
    return records


class TestTypedRecordsReadTheFactories:
    def test_sqs(self) -> None:
        """SQS bodies, ids and attributes read back as they were given."""
        event = sqs_event(
            [{"order": 1}, "text"],
            message_ids=["m-1", "m-2"],
            message_attributes={"kind": "order", "blob": b"\x00"},
            receive_count=2,
        )
        first, second = _received(event)

        assert first.message_id == "m-1"
        assert first.json_body == {"order": 1}
        assert second.body == "text"
        assert first.attributes.approximate_receive_count == 2
        assert first.message_attributes["kind"].string_value == "order"
        assert first.message_attributes["blob"].binary_value == b"\x00"

    def test_sqs_fifo(self) -> None:
        """FIFO records carry their message group and sequence number."""
        event = sqs_fifo_event([("a", 1), ("b", 2)])
        first, second = _received(event)

        assert first.attributes.message_group_id == "a"
        assert second.attributes.message_group_id == "b"
        assert int(first.attributes.sequence_number) < int(
            second.attributes.sequence_number
        )

    def test_kinesis(self) -> None:
        """Kinesis data decodes to the bytes, text or JSON that was given."""
        event = kinesis_event([("k", b"\x00\xff"), ("k", "t\u00e9xt"), ("k", [1])])
        raw, text, data = _received(event)

        assert raw.kinesis.data == b"\x00\xff"
        assert text.kinesis.data_as_text() == "t\u00e9xt"
        assert data.kinesis.data_as_json() == [1]
        assert raw.kinesis.partition_key == "k"

    def test_dynamodb_values_round_trip(self) -> None:
        """Python values put in an image come back equal, through the typed record."""
        values = {
            "text": "x",
            "price": Decimal("1.50"),
            "big": 10**38,
            "zero": Decimal(0),
            "blob": b"\x00",
            "flag": True,
            "nothing": None,
            "tags": {"a", "b"},
            "sizes": {1, Decimal("2.5")},
            "blobs": {b"x", b"y"},
            "nested": {"list": [1, "a", None, {"deep": {b"z"}}]},
        }
        change = dynamodb_modify({"id": 7}, {"text": "old"}, values)
        (record,) = _received(dynamodb_event([change]))

        assert record.event_name == "MODIFY"
        assert record.dynamodb.keys == {"id": 7}
        assert record.dynamodb.old_image == {"id": 7, "text": "old"}
        assert record.dynamodb.new_image == {"id": 7, **values}
