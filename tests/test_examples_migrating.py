"""docs/migrating.md's side-by-side tables, checked against the pinned Powertools.

Powertools comes with the ``bench`` extra; without it these tests are skipped.
"""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import pytest

import asyncbatch
from asyncbatch.testing import kinesis_event, sqs_event, sqs_fifo_event

batch = pytest.importorskip(
    "aws_lambda_powertools.utilities.batch",
    reason="Powertools is installed with the bench extra",
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def fail_if_asked(record: Any) -> None:
    """A record handler for both libraries: a body with "fail" fails."""
    if json.loads(record.body).get("fail"):
        raise ValueError("asked to fail")


def failed_positions(response: dict[str, Any], event: dict[str, Any]) -> list[int]:
    """The failed records as batch positions, in the response's order."""
    positions = {r["messageId"]: i for i, r in enumerate(event["Records"])}
    return [positions[f["itemIdentifier"]] for f in response["batchItemFailures"]]


def test_the_migrated_handler_answers_as_the_old_one() -> None:
    """The before and after examples give the same response and save the same."""
    before = runpy.run_path(str(EXAMPLES / "powertools_handler.py"))
    after = runpy.run_path(str(EXAMPLES / "migrated_handler.py"))
    event = sqs_event([{"n": 1}, "not json", {"n": 3}])

    expected = {
        "batchItemFailures": [{"itemIdentifier": event["Records"][1]["messageId"]}]
    }
    assert before["lambda_handler"](event, None) == expected
    assert after["lambda_handler"](event, None) == expected
    assert before["saved"] == after["saved"] == [{"n": 1}, {"n": 3}]


FIFO = [("g1", {}), ("g1", {"fail": 1}), ("g2", {}), ("g1", {}), ("g2", {})]


def test_fifo_by_default_powertools_stops_and_asyncbatch_holds_the_group() -> None:
    """Powertools fails everything after the first failure; asyncbatch its group."""
    event = sqs_fifo_event(FIFO)
    old = batch.process_partial_response(
        event, fail_if_asked, batch.SqsFifoPartialProcessor()
    )
    grouped = batch.process_partial_response(
        event, fail_if_asked, batch.SqsFifoPartialProcessor(skip_group_on_error=True)
    )

    new = asyncbatch.process_partial_response(event, fail_if_asked)

    assert failed_positions(old, event) == [1, 2, 3, 4]
    assert failed_positions(grouped, event) == failed_positions(new, event) == [1, 3]


def test_stop_on_first_failure_matches_powertools_one_record_at_a_time() -> None:
    """With max_concurrency=1, stop_on_first_failure gives Powertools' answer."""
    event = sqs_fifo_event(FIFO)
    old = batch.process_partial_response(
        event, fail_if_asked, batch.SqsFifoPartialProcessor()
    )
    strict = asyncbatch.BatchProcessor(max_concurrency=1, stop_on_first_failure=True)

    new = asyncbatch.process_partial_response(event, fail_if_asked, strict)

    assert failed_positions(new, event) == failed_positions(old, event)


def test_a_duplicated_id_is_listed_once() -> None:
    """Powertools lists each failed copy; asyncbatch lists the id once."""
    event = sqs_event([{"fail": 1}, {"fail": 1}, {}], message_ids=["a", "a", "b"])
    processor = batch.BatchProcessor(event_type=batch.EventType.SQS)

    old = batch.process_partial_response(event, fail_if_asked, processor)
    new = asyncbatch.process_partial_response(event, fail_if_asked)

    assert old == {"batchItemFailures": [{"itemIdentifier": "a"}] * 2}
    assert new == {"batchItemFailures": [{"itemIdentifier": "a"}]}


def test_an_empty_batch() -> None:
    """Powertools raises on an empty Records list; asyncbatch answers F[]."""
    processor = batch.BatchProcessor(event_type=batch.EventType.SQS)
    with pytest.raises(batch.exceptions.UnexpectedBatchTypeError):
        batch.process_partial_response({"Records": []}, fail_if_asked, processor)

    new = asyncbatch.process_partial_response({"Records": []}, fail_if_asked)

    assert new == {"batchItemFailures": []}


def test_a_stream_after_a_failure() -> None:
    """Powertools runs every stream record; asyncbatch starts none after a failure."""
    event = kinesis_event([("k0", {}), ("k1", {"fail": 1}), ("k2", {}), ("k1", {})])
    ran: list[str] = []

    def record_handler(record: Any) -> None:
        ran.append(record.kinesis.partition_key)
        if record.kinesis.data_as_json().get("fail"):
            raise ValueError("asked to fail")

    processor = batch.BatchProcessor(event_type=batch.EventType.KinesisDataStreams)
    old = batch.process_partial_response(event, record_handler, processor)
    assert len(ran) == 4
    assert len(old["batchItemFailures"]) == 1

    ran.clear()
    one_at_a_time = asyncbatch.BatchProcessor(max_concurrency=1)
    new = asyncbatch.process_partial_response(event, record_handler, one_at_a_time)

    assert ran == ["k0", "k1"]
    assert len(new["batchItemFailures"]) == 3
