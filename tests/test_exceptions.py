"""The exceptions asyncbatch raises or records keep their fields through pickling.

Outcomes travel: a user may send a failed record's exception to another process
(a dead-letter report, a multiprocessing pool), so each exception that builds its
own message from fields must rebuild from them.
"""

from __future__ import annotations

import pickle

import pytest

import asyncbatch
from asyncbatch import (
    DeadlineExceededError,
    RecordSkippedError,
    RecordTimeoutError,
    WorkerThreadsExhaustedError,
)


@pytest.mark.parametrize(
    ("exc", "fields"),
    [
        (RecordTimeoutError(2.5), {"timeout": 2.5}),
        (DeadlineExceededError(started=True), {"started": True}),
        (
            RecordSkippedError(3, "ordering key"),
            {"failed_index": 3, "reason": "ordering key"},
        ),
        (WorkerThreadsExhaustedError(64, 64), {"stuck": 64, "limit": 64}),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else "",
)
def test_round_trip_through_pickle(exc: Exception, fields: dict[str, object]) -> None:
    """A pickled exception comes back with the same type, fields and message."""
    copy = pickle.loads(pickle.dumps(exc))

    assert type(copy) is type(exc)
    assert str(copy) == str(exc)
    for name, value in fields.items():
        assert getattr(copy, name) == value


def test_batch_processing_error_round_trips_with_its_result() -> None:
    """BatchProcessingError keeps the full result and the records' exceptions."""
    event = {
        "Records": [
            {"messageId": f"m-{i}", "body": "{}", "eventSource": "aws:sqs"}
            for i in range(2)
        ]
    }

    def fails(record: object) -> None:
        raise RecordTimeoutError(1.0)

    processor = asyncbatch.BatchProcessor(model=dict)
    with pytest.raises(asyncbatch.BatchProcessingError) as raised:
        processor.process(event, fails)

    copy = pickle.loads(pickle.dumps(raised.value))

    assert copy.result.response() == raised.value.result.response()
    assert [type(e) for e in copy.exceptions] == [RecordTimeoutError] * 2
    assert str(copy) == str(raised.value)


def test_thread_limit_is_named_in_the_message() -> None:
    """The refusal says how many threads are stuck and what the limit is."""
    exc = WorkerThreadsExhaustedError(70, 64)

    assert "70 worker threads" in str(exc)
    assert "limit 64" in str(exc)
