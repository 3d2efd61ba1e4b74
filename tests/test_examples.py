"""Every example file under ``examples/`` that the documentation includes, run.

Each test loads a fresh copy of the example module (so module-level state starts
empty), builds an event in the test, calls the module's ``lambda_handler`` the way
Lambda would, and checks the partial batch response and the handler's effects.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import asyncbatch

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

QUEUE_ARN = "arn:aws:sqs:eu-west-1:123456789012:orders"
FIFO_ARN = "arn:aws:sqs:eu-west-1:123456789012:ledger.fifo"
STREAM_ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/sensors"
TABLE_ARN = (
    "arn:aws:dynamodb:eu-west-1:123456789012:table/products/stream/2026-01-01T00:00"
)


def load_example(name: str) -> ModuleType:
    """Import ``examples/<name>.py`` afresh, under a name no other test uses."""
    path = EXAMPLES / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_example_{name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered like any imported module: pydantic resolves a model's postponed
    # annotations through sys.modules.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class FakeContext:
    """Just enough of a Lambda context: a request id and a minute to go."""

    aws_request_id = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def failed_ids(response: dict[str, Any]) -> list[str]:
    return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]


def sqs_record(
    message_id: str, body: str, *, arn: str = QUEUE_ARN, group: str | None = None
) -> dict[str, Any]:
    attributes = {
        "ApproximateReceiveCount": "1",
        "SentTimestamp": "1767225600000",
        "SenderId": "AIDAEXAMPLE",
        "ApproximateFirstReceiveTimestamp": "1767225600001",
    }
    if group is not None:
        attributes["MessageGroupId"] = group
        attributes["MessageDeduplicationId"] = f"dedup-{message_id}"
        attributes["SequenceNumber"] = "18849496460467696128"

    return {
        "messageId": message_id,
        "receiptHandle": f"rh-{message_id}",
        "body": body,
        "attributes": attributes,
        "messageAttributes": {},
        "md5OfBody": "0" * 32,
        "eventSource": "aws:sqs",
        "eventSourceARN": arn,
        "awsRegion": "eu-west-1",
    }


def kinesis_record(sequence: str, partition_key: str, data: object) -> dict[str, Any]:
    encoded = base64.b64encode(json.dumps(data).encode()).decode()
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": partition_key,
            "sequenceNumber": sequence,
            "data": encoded,
            "approximateArrivalTimestamp": 1767225600.5,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"shardId-000000000000:{sequence}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": "arn:aws:iam::123456789012:role/reader",
        "awsRegion": "eu-west-1",
        "eventSourceARN": STREAM_ARN,
    }


def dynamodb_record(
    sequence: str,
    event_name: str,
    product_id: str,
    new_image: dict[str, Any] | None = None,
) -> dict[str, Any]:
    change: dict[str, Any] = {
        "ApproximateCreationDateTime": 1767225600,
        "Keys": {"product_id": {"S": product_id}},
        "SequenceNumber": sequence,
        "SizeBytes": 64,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if new_image is not None:
        change["NewImage"] = {"product_id": {"S": product_id}, **new_image}

    return {
        "eventID": f"event-{sequence}",
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-1",
        "dynamodb": change,
        "eventSourceARN": TABLE_ARN,
    }


def test_sqs_async_handler_reports_the_records_that_failed() -> None:
    """A bad quantity and a body that is not JSON fail; the rest are reserved."""
    example = load_example("sqs_async_handler")
    event = {
        "Records": [
            sqs_record("msg-1", '{"order_id": "A-1", "quantity": 2}'),
            sqs_record("msg-2", '{"order_id": "B-2", "quantity": 0}'),
            sqs_record("msg-3", "not json{"),
            sqs_record("msg-4", '{"order_id": "A-1", "quantity": 3}'),
        ]
    }

    response = example.lambda_handler(event, FakeContext())

    assert response == {
        "batchItemFailures": [{"itemIdentifier": "msg-2"}, {"itemIdentifier": "msg-3"}]
    }
    assert example.inventory.reserved == {"A-1": 5}


def test_sqs_sync_handler_receives_the_lambda_context() -> None:
    """Every order is stored, each stamped with the invocation's request id."""
    example = load_example("sqs_sync_handler")
    event = {
        "Records": [
            sqs_record(f"msg-{n}", json.dumps({"order_id": f"o-{n}", "total": n}))
            for n in range(1, 13)
        ]
    }

    response = example.lambda_handler(event, FakeContext())

    assert response == {"batchItemFailures": []}
    assert sorted(example.table.items) == sorted(f"o-{n}" for n in range(1, 13))
    assert {item["stored_by"] for item in example.table.items.values()} == {"req-1"}


def test_sqs_fifo_handler_keeps_each_account_in_order() -> None:
    """A failed movement holds back the later movements of its account only."""
    example = load_example("sqs_fifo_handler")
    movements = [
        ("msg-1", "acct-a", "10"),
        ("msg-2", "acct-b", "1"),
        ("msg-3", "acct-a", "-30"),
        ("msg-4", "acct-b", "2"),
        ("msg-5", "acct-a", "5"),
    ]
    event = {
        "Records": [
            sqs_record(id_, json.dumps({"amount": amount}), arn=FIFO_ARN, group=group)
            for id_, group, amount in movements
        ]
    }

    response = example.lambda_handler(event, FakeContext())

    assert failed_ids(response) == ["msg-3", "msg-5"]
    assert example.balances == {"acct-a": Decimal(10), "acct-b": Decimal(3)}

    # The same batch through the processor shows why msg-5 failed: it never ran.
    example.balances.clear()
    result = example.processor.process(event, example.record_handler)
    reasons = [type(outcome.exception) for outcome in result.failures]
    assert reasons == [example.InsufficientFundsError, asyncbatch.RecordSkippedError]


def test_kinesis_handler_reports_the_failed_reading() -> None:
    """An out-of-range reading fails; its identifier is the exact sequence number."""
    example = load_example("kinesis_handler")
    s1, s2, s3 = (
        f"4959033827149025660855969253836157109592157598913658889{n}" for n in (1, 2, 3)
    )
    event = {
        "Records": [
            kinesis_record(s1, "sensor-1", {"celsius": 20.5}),
            kinesis_record(s2, "sensor-2", {"celsius": 18}),
            kinesis_record(s3, "sensor-1", {"celsius": 999}),
        ]
    }

    response = example.lambda_handler(event, FakeContext())

    assert failed_ids(response) == [s3]
    assert example.latest == {"sensor-1": 20.5, "sensor-2": 18.0}


def test_kinesis_handler_retries_the_whole_batch_when_every_record_fails() -> None:
    """A first reading that fails holds back the rest of its partition key; with
    every record failed, the default is to raise so Lambda retries the batch."""
    example = load_example("kinesis_handler")
    event = {
        "Records": [
            kinesis_record("1001", "sensor-1", {"celsius": -100}),
            kinesis_record("1002", "sensor-1", {"celsius": 21}),
        ]
    }

    with pytest.raises(asyncbatch.BatchProcessingError) as caught:
        example.lambda_handler(event, FakeContext())

    assert failed_ids(caught.value.result.response()) == ["1001", "1002"]
    assert example.latest == {}


def test_dynamodb_handler_follows_the_table() -> None:
    """Inserts, modifications and removals land in the index, in stream order."""
    example = load_example("dynamodb_handler")
    event = {
        "Records": [
            dynamodb_record(
                "100000000000000000001",
                "INSERT",
                "p-1",
                {
                    "name": {"S": "kettle"},
                    "price": {"N": "19.99"},
                    "tags": {"SS": ["kitchen", "electric"]},
                },
            ),
            dynamodb_record(
                "100000000000000000002",
                "INSERT",
                "p-2",
                {"name": {"S": "toaster"}, "price": {"N": "25"}},
            ),
            dynamodb_record(
                "100000000000000000003",
                "MODIFY",
                "p-1",
                {
                    "name": {"S": "kettle"},
                    "price": {"N": "17.50"},
                    "tags": {"SS": ["kitchen", "electric"]},
                },
            ),
            dynamodb_record("100000000000000000004", "REMOVE", "p-2"),
            dynamodb_record(
                "100000000000000000005", "INSERT", "p-3", {"price": {"N": "3"}}
            ),
        ]
    }

    response = example.lambda_handler(event, FakeContext())

    assert failed_ids(response) == ["100000000000000000005"]
    assert example.search_index == {
        "p-1": {
            "name": "kettle",
            "price": Decimal("17.50"),
            "tags": ["electric", "kitchen"],
        }
    }


def test_quickstart_handler_fails_only_the_bad_order() -> None:
    """The quickstart's handler: a bad quantity and a non-JSON body fail."""
    example = load_example("quickstart_handler")
    event = {
        "Records": [
            sqs_record("msg-1", '{"quantity": 1}'),
            sqs_record("msg-2", '{"quantity": -1}'),
            sqs_record("msg-3", "plain text"),
        ]
    }

    response = example.lambda_handler(event, FakeContext())

    assert failed_ids(response) == ["msg-2", "msg-3"]


def test_cold_start_client_serves_every_warm_invocation() -> None:
    """A client opened at import keeps working in later invocations."""
    example = load_example("cold_start_client")
    first = {"Records": [sqs_record(f"msg-{n}", f"order {n}") for n in range(5)]}
    second = {"Records": [sqs_record("msg-9", "order 9")]}

    assert example.lambda_handler(first, FakeContext()) == {"batchItemFailures": []}
    assert example.lambda_handler(second, FakeContext()) == {"batchItemFailures": []}
    assert sorted(example.api.sent) == [f"order {n}" for n in (0, 1, 2, 3, 4, 9)]


def test_async_lambda_handler_is_a_sync_callable() -> None:
    """The wrapped ``async def`` handler is called like any Lambda handler."""
    example = load_example("async_lambda_handler")
    event = {"Records": [sqs_record("msg-1", "a"), sqs_record("msg-2", "b")]}

    response = example.handler(event, FakeContext())

    assert response == {"batchItemFailures": []}
    assert sorted(example.processed) == ["msg-1", "msg-2"]


@pytest.fixture
def _restore_structlog() -> Iterator[None]:
    # structlog is imported here, not at the top, so that collecting this module
    # does not put it in sys.modules for every other test of the session.
    import structlog

    yield
    structlog.reset_defaults()


@pytest.mark.usefixtures("_restore_structlog")
def test_structlog_handler_lines_name_their_record(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The handler's own lines carry the record; asyncbatch's events follow."""
    example = load_example("structlog_handler")
    event = {
        "Records": [
            sqs_record("msg-1", '{"amount": 50}'),
            sqs_record("msg-2", '{"amount": 5000}'),
        ]
    }

    response = example.lambda_handler(event, FakeContext())

    assert failed_ids(response) == ["msg-2"]
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    charging = {
        line["item_identifier"]: line
        for line in lines
        if line["event"] == "charging card"
    }
    assert charging["msg-1"]["record_index"] == 0
    assert charging["msg-1"]["amount"] == 50
    assert charging["msg-2"]["record_index"] == 1
    events = [line["event"] for line in lines]
    assert "record failed" in events
    assert "batch processed" in events
    assert "5000" not in json.dumps(
        [line for line in lines if line["event"] != "charging card"]
    )


def test_inspect_result_counts_the_failures_by_kind() -> None:
    """The result's outcomes give the return values and the exceptions."""
    example = load_example("inspect_result")
    event = {
        "Records": [
            sqs_record("msg-1", '{"lines": [1, 2, 3]}'),
            sqs_record("msg-2", '{"no_lines": true}'),
            sqs_record("msg-3", '{"lines": []}'),
        ]
    }

    response = example.lambda_handler(event, FakeContext())

    assert failed_ids(response) == ["msg-2"]
    assert example.failure_kinds == {"KeyError": 1}


def test_manual_clock_moves_the_remaining_time() -> None:
    """The fake context's remaining time follows a clock driven by hand."""
    example = load_example("manual_clock")

    example.test_the_remaining_time_follows_the_clock()


def test_migrated_handler_saves_every_order() -> None:
    """The handler moved from Powertools runs unchanged."""
    example = load_example("migrated_handler")
    event = {
        "Records": [sqs_record(f"msg-{n}", json.dumps({"n": n})) for n in range(20)]
    }

    response = example.lambda_handler(event, FakeContext())

    assert response == {"batchItemFailures": []}
    assert sorted(order["n"] for order in example.saved) == list(range(20))


# Example files that a page may include but that other test modules run.
EXAMPLES_TESTED_ELSEWHERE = {"powertools_handler", "test_my_handler"}

TESTED_EXAMPLES = {
    "async_lambda_handler",
    "cold_start_client",
    "dynamodb_handler",
    "inspect_result",
    "kinesis_handler",
    "manual_clock",
    "migrated_handler",
    "pydantic_handler",
    "quickstart_handler",
    "records_envelopes",
    "records_own_model",
    "records_typed",
    "sqs_async_handler",
    "sqs_fifo_handler",
    "sqs_sync_handler",
    "structlog_handler",
}


def test_every_example_in_the_docs_is_run_here() -> None:
    """Each example file that a page includes has a test in this module."""
    docs = Path(__file__).resolve().parents[1] / "docs"
    included = set()
    for page in docs.rglob("*.md"):
        for match in re.finditer(r'--8<-- "examples/(\w+)\.py', page.read_text()):
            included.add(match.group(1))

    assert included, "no page includes an example: has the snippet syntax changed?"
    assert included - EXAMPLES_TESTED_ELSEWHERE <= TESTED_EXAMPLES


def test_pydantic_handler_never_sees_a_bad_order() -> None:
    """Bodies that are not valid orders fail with their validation error."""
    from pydantic import ValidationError

    example = load_example("pydantic_handler")
    event = {
        "Records": [
            sqs_record("msg-1", '{"order_id": 1, "quantity": 2, "unit_price": "2.50"}'),
            sqs_record("msg-2", '{"order_id": "abc", "quantity": 1, "unit_price": 1}'),
            sqs_record("msg-3", "not json{"),
            sqs_record("msg-4", '{"order_id": 4, "quantity": 0, "unit_price": 1}'),
            sqs_record("msg-5", '{"order_id": 5, "quantity": 1, "unit_price": "9"}'),
        ]
    }

    response = example.lambda_handler(event, FakeContext())

    assert failed_ids(response) == ["msg-2", "msg-3", "msg-4"]
    assert example.shipped == {1: Decimal("5.00"), 5: Decimal(9)}

    result = example.processor.process(event, example.record_handler)
    for outcome in result.failures:
        assert isinstance(outcome.exception, ValidationError)
        assert outcome.duration is None


@pytest.mark.parametrize(
    "handler",
    [
        "examples.quickstart_handler:record_handler",
        "examples.sqs_async_handler:record_handler",
    ],
)
def test_command_line_runs_the_examples_as_the_docs_show(handler: str) -> None:
    """``asyncbatch event sqs`` piped into ``asyncbatch run`` (docs/cli.md)."""
    root = Path(__file__).resolve().parents[1]
    command = [sys.executable, "-m", "asyncbatch"]
    event = subprocess.run(
        [*command, "event", "sqs", "--count", "100"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout

    run = subprocess.run(
        [*command, "run", handler, "-"],
        cwd=root,
        input=event,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"batchItemFailures": []}
    assert "100 succeeded" in run.stderr


def test_snippet_includes_survive_ruff_format() -> None:
    """Includes sit in brace-style fences, which ``ruff format`` leaves alone.

    ruff formats ```` ```python ```` blocks in Markdown and would turn an include
    line into ``--8 < --"..."``: valid Python, so the page would quietly show that
    line instead of the example.
    """
    docs = Path(__file__).resolve().parents[1] / "docs"
    misplaced = []
    for page in sorted(docs.rglob("*.md")):
        lines = page.read_text().splitlines()
        for number, line in enumerate(lines, start=1):
            opened_as_python = number > 1 and re.match(
                r"```\s*(python|py)\b", lines[number - 2]
            )
            if re.match(r"--8 ?< ?--", line) and (opened_as_python or "8 <" in line):
                misplaced.append(f"{page.relative_to(docs)}:{number}")

    assert not misplaced, (
        "use a ``` { .python } fence around snippet includes: " + ", ".join(misplaced)
    )


def test_records_typed_reads_attributes_and_validates_orders() -> None:
    """The default record carries its attributes; the Order model its body."""
    from pydantic import ValidationError

    example = load_example("records_typed")
    event = {
        "Records": [
            sqs_record("msg-1", '{"order_id": 1, "qty": 2}'),
            sqs_record("msg-2", '{"order_id": "abc", "qty": 1}'),
        ]
    }

    assert example.processor.process(event, example.handle).response() == {
        "batchItemFailures": []
    }
    assert example.receive_counts == {"msg-1": 1, "msg-2": 1}

    result = example.order_processor.process(event, example.handle_order)
    assert failed_ids(result.response()) == ["msg-2"]
    assert isinstance(result.outcomes[1].exception, ValidationError)
    assert example.reserved == {1: 2}


def test_records_envelopes_unwrap_sns_and_s3(shared_events: Path) -> None:
    """An SNS notification's message and an S3 event's objects reach the handlers."""
    example = load_example("records_envelopes")
    notification = {
        "Type": "Notification",
        "MessageId": "5b9c5f3e-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
        "TopicArn": "arn:aws:sns:eu-west-1:123456789012:orders",
        "Message": json.dumps({"order_id": 7, "qty": 3}),
        "Timestamp": "2026-01-01T00:00:00.000Z",
        "SignatureVersion": "1",
        "Signature": "c2lnbmF0dXJl",
        "SigningCertURL": "https://sns.eu-west-1.amazonaws.com/cert.pem",
        "UnsubscribeURL": "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe",
    }
    event = {"Records": [sqs_record("msg-1", json.dumps(notification))]}

    response = example.processor.process(event, example.handle).response()

    assert response == {"batchItemFailures": []}
    ((topic, order),) = example.orders
    assert topic == "arn:aws:sns:eu-west-1:123456789012:orders"
    assert (order.order_id, order.qty) == (7, 3)

    s3_event = json.loads((shared_events / "s3SqsEvent.json").read_text())
    result = example.s3_processor.process(s3_event, example.handle_upload)
    assert result.response() == {"batchItemFailures": []}
    assert example.uploads == [("xxx", "test.pdf")]


def test_records_own_model_sees_the_wire_names() -> None:
    """A model of your own gets the raw record's fields by their wire names."""
    example = load_example("records_own_model")
    event = {"Records": [sqs_record("msg-1", "hello")]}

    response = example.processor.process(event, example.handle).response()

    assert response == {"batchItemFailures": []}
    assert example.bodies == {"msg-1": "hello"}
