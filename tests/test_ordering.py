"""Ordering keys, skips after failures and slot hand-off (SPEC section 4, issue 5)."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import anyio
import pytest

import asyncbatch
from asyncbatch import RecordSkippedError
from asyncbatch.testing import (
    dynamodb_event,
    dynamodb_modify,
    kinesis_event,
    sqs_event,
    sqs_fifo_event,
)

if TYPE_CHECKING:
    from conftest import Eventually, Spy

pytestmark = pytest.mark.anyio

GATE_TIMEOUT = 10.0


def _failures(result: asyncbatch.BatchResult) -> list[str]:
    return [f["itemIdentifier"] for f in result.response()["batchItemFailures"]]


def _fifo(groups: list[str]) -> dict[str, Any]:
    """A FIFO event with one record per entry of ``groups``, ids ``r0``, ``r1``..."""
    return sqs_fifo_event(
        [(group, f"body {i}") for i, group in enumerate(groups)],
        message_ids=[f"r{i}" for i in range(len(groups))],
    )


def _kinesis(keys: list[str]) -> tuple[dict[str, Any], list[str]]:
    event = kinesis_event([(key, {"index": i}) for i, key in enumerate(keys)])
    sequences = [r["kinesis"]["sequenceNumber"] for r in event["Records"]]
    return event, sequences


def _index(record: dict[str, Any]) -> int:
    if "kinesis" in record:
        return int(json.loads(base64.b64decode(record["kinesis"]["data"]))["index"])
    if "dynamodb" in record:
        return int(record["dynamodb"]["NewImage"]["index"]["N"])
    return int(record["messageId"][1:])


class Gates:
    """Per-record release events, and the order in which handlers started."""

    def __init__(self, count: int) -> None:
        self.release = [asyncio.Event() for _ in range(count)]
        self.started: list[int] = []
        self.finished: list[int] = []
        self.fail: set[int] = set()

    async def handler(self, record: dict[str, Any]) -> int:
        index = _index(record)
        self.started.append(index)
        await asyncio.wait_for(self.release[index].wait(), GATE_TIMEOUT)
        self.finished.append(index)
        if index in self.fail:
            raise ValueError(f"record {index} fails")
        return index

    async def run(
        self,
        processor: asyncbatch.BatchProcessor,
        event: dict[str, Any],
        script: Callable[[], Awaitable[None]],
    ) -> asyncbatch.BatchResult:
        """Run the batch while ``script`` releases records; return its result."""
        results: list[asyncbatch.BatchResult] = []

        async def batch() -> None:
            results.append(await processor.process_async(event, self.handler))

        with anyio.fail_after(GATE_TIMEOUT):
            async with anyio.create_task_group() as tg:
                tg.start_soon(batch)
                await script()
        return results[0]


# -- slots ---------------------------------------------------------------------------


async def test_a_waiting_record_holds_no_slot(eventually: Eventually) -> None:
    """While r1 waits for r0 of its group, its slot goes to r3 of another group."""
    gates = Gates(4)

    async def script() -> None:
        await eventually(lambda: sorted(gates.started) == [0, 2])
        gates.release[2].set()
        await eventually(lambda: len(gates.started) == 3)
        assert gates.started[2] == 3, "the waiting record took the slot"
        gates.release[0].set()
        await eventually(lambda: len(gates.started) == 4)
        gates.release[1].set()
        gates.release[3].set()

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=2)
    result = await gates.run(processor, _fifo(["A", "A", "B", "C"]), script)
    assert result.response() == {"batchItemFailures": []}
    assert gates.started == [0, 2, 3, 1]


async def test_a_freed_slot_goes_to_the_lowest_runnable_index(
    eventually: Eventually,
) -> None:
    """When r0 ends, r2 (next of its group) runs before r3 and r4 of other groups."""
    gates = Gates(5)

    async def script() -> None:
        await eventually(lambda: sorted(gates.started) == [0, 1])
        gates.release[0].set()
        await eventually(lambda: len(gates.started) == 3)
        gates.release[1].set()
        await eventually(lambda: len(gates.started) == 4)
        for event in gates.release:
            event.set()

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=2)
    result = await gates.run(processor, _fifo(["A", "B", "A", "C", "D"]), script)
    assert result.response() == {"batchItemFailures": []}
    assert gates.started == [0, 1, 2, 3, 4]


async def test_standard_queue_slots_go_in_index_order(eventually: Eventually) -> None:
    """Without ordering keys, freed slots take the records in batch order."""
    gates = Gates(5)

    async def script() -> None:
        await eventually(lambda: sorted(gates.started) == [0, 1])
        gates.release[1].set()
        await eventually(lambda: len(gates.started) == 3)
        gates.release[0].set()
        await eventually(lambda: len(gates.started) == 4)
        for event in gates.release:
            event.set()

    event = sqs_event(
        [f"b{i}" for i in range(5)], message_ids=[f"r{i}" for i in range(5)]
    )
    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=2)
    result = await gates.run(processor, event, script)
    assert result.response() == {"batchItemFailures": []}
    assert gates.started == [0, 1, 2, 3, 4]


# -- FIFO ----------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["grouped", "interleaved"])
async def test_fifo_groups_in_order_and_overlapping(layout: str, spy: Spy) -> None:
    """Thirty records in ten groups of three at 10: groups keep order, run together."""
    if layout == "grouped":
        groups = [f"g{n}" for n in range(10) for _ in range(3)]
    else:
        groups = [f"g{n}" for _ in range(3) for n in range(10)]
    event = _fifo(groups)

    async def handler(record: dict[str, Any]) -> None:
        index = _index(record)
        spy.enter(index)
        try:
            await asyncio.sleep(0.05)
        finally:
            spy.leave(index)

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=10)
    start = time.monotonic()
    result = await processor.process_async(event, handler)
    elapsed = time.monotonic() - start

    assert result.response() == {"batchItemFailures": []}
    for group in set(groups):
        members = [i for i, g in enumerate(groups) if g == group]
        assert [i for i in spy.started if i in members] == members
        spans = [spy.intervals[i] for i in members]
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert spy.peak > 1, "groups did not overlap"
    assert spy.peak <= 10
    assert elapsed < 10 * 0.05


async def test_a_failed_fifo_group_does_not_stop_other_groups() -> None:
    """Only the failed group's later records are skipped; other groups run."""
    gates = Gates(6)
    gates.fail = {0}
    for event in gates.release:
        event.set()

    processor = asyncbatch.BatchProcessor(model=dict)
    result = await processor.process_async(
        _fifo(["A", "B", "A", "B", "A", "B"]), gates.handler
    )
    assert _failures(result) == ["r0", "r2", "r4"]
    assert sorted(gates.started) == [0, 1, 3, 5]
    for outcome in (result.outcomes[2], result.outcomes[4]):
        assert isinstance(outcome.exception, RecordSkippedError)
        assert outcome.duration is None


async def test_fifo_is_known_by_group_when_no_arn_names_the_queue(spy: Spy) -> None:
    """Without eventSourceARN, a MessageGroupId makes the batch FIFO."""
    event = _fifo(["A", "A", "A"])
    for record in event["Records"]:
        del record["eventSourceARN"]

    async def handler(record: dict[str, Any]) -> None:
        spy.enter(_index(record))
        await asyncio.sleep(0.01)
        spy.leave(_index(record))
        if _index(record) == 0:
            raise ValueError("first fails")

    processor = asyncbatch.BatchProcessor(
        model=dict, raise_on_entire_batch_failure=False
    )
    result = await processor.process_async(event, handler)
    assert spy.started == [0]
    assert _failures(result) == ["r0", "r1", "r2"]


async def test_standard_queue_with_message_groups_is_not_fifo(spy: Spy) -> None:
    """A standard queue's MessageGroupId (fair queuing) does not order records."""
    event = _fifo(["A", "A", "A", "A"])
    for record in event["Records"]:
        record["eventSourceARN"] = "arn:aws:sqs:us-east-1:123456789012:standard"
    reached = asyncio.Event()

    async def handler(record: dict[str, Any]) -> None:
        if spy.enter(_index(record)) >= 4:
            reached.set()
        await asyncio.wait_for(reached.wait(), GATE_TIMEOUT)
        spy.leave(_index(record))
        if _index(record) == 0:
            raise ValueError("first fails")

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=4)
    result = await processor.process_async(event, handler)
    assert spy.peak == 4
    assert _failures(result) == ["r0"]


# -- streams -------------------------------------------------------------------------


async def test_kinesis_keys_in_order_and_concurrent(spy: Spy) -> None:
    """Records of one partition key run in order; the three keys run together."""
    keys = ["A", "B", "C"] * 3
    event, _ = _kinesis(keys)
    reached = asyncio.Event()

    async def handler(record: dict[str, Any]) -> None:
        index = _index(record)
        if spy.enter(index) >= 3:
            reached.set()
        try:
            await asyncio.wait_for(reached.wait(), GATE_TIMEOUT)
            await asyncio.sleep(0.005)
        finally:
            spy.leave(index)

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=10)
    result = await processor.process_async(event, handler)
    assert result.response() == {"batchItemFailures": []}
    assert spy.peak == 3
    for key in "ABC":
        members = [i for i, k in enumerate(keys) if k == key]
        assert [i for i in spy.started if i in members] == members
        spans = [spy.intervals[i] for i in members]
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


async def test_dynamodb_items_in_order_and_concurrent(spy: Spy) -> None:
    """Records of one item run in order; different items run together."""
    items = [1, 2, 1, 2]
    event = dynamodb_event(
        [
            dynamodb_modify(
                {"pk": f"item-{item}", "sk": 7},
                old_image={"index": i},
                new_image={"index": i},
            )
            for i, item in enumerate(items)
        ]
    )
    reached = asyncio.Event()

    async def handler(record: dict[str, Any]) -> None:
        index = _index(record)
        if spy.enter(index) >= 2:
            reached.set()
        try:
            await asyncio.wait_for(reached.wait(), GATE_TIMEOUT)
        finally:
            spy.leave(index)

    processor = asyncbatch.BatchProcessor(model=dict)
    result = await processor.process_async(event, handler)
    assert result.response() == {"batchItemFailures": []}
    assert spy.peak == 2
    assert [i for i in spy.started if items[i] == 1] == [0, 2]
    assert [i for i in spy.started if items[i] == 2] == [1, 3]


async def test_nothing_after_a_stream_failure_starts(eventually: Eventually) -> None:
    """After r1 (key B) fails, r2 (key A) is not started; running r0 finishes."""
    keys = ["A", "B", "A", "B", "A"]
    event, sequences = _kinesis(keys)
    gates = Gates(5)
    gates.fail = {1}

    async def script() -> None:
        await eventually(lambda: sorted(gates.started) == [0, 1])
        gates.release[1].set()
        await eventually(lambda: 1 in gates.finished)
        await asyncio.sleep(0.01)
        gates.release[0].set()
        for release in gates.release:
            release.set()

    processor = asyncbatch.BatchProcessor(model=dict)
    result = await gates.run(processor, event, script)
    assert sorted(gates.started) == [0, 1]
    assert result.outcomes[0].ok
    assert _failures(result) == sequences[1:]
    for outcome in result.outcomes[2:]:
        assert isinstance(outcome.exception, RecordSkippedError)
        assert outcome.duration is None


async def test_stream_records_before_a_failure_still_run(
    eventually: Eventually,
) -> None:
    """A stream failure forbids only later positions: an earlier waiting one runs."""
    keys = ["A", "A", "B"]
    event, sequences = _kinesis(keys)
    gates = Gates(3)
    gates.fail = {2}

    async def script() -> None:
        await eventually(lambda: sorted(gates.started) == [0, 2])
        gates.release[2].set()
        await eventually(lambda: 2 in gates.finished)
        await asyncio.sleep(0.01)
        gates.release[0].set()
        gates.release[1].set()

    processor = asyncbatch.BatchProcessor(model=dict)
    result = await gates.run(processor, event, script)
    assert sorted(gates.started) == [0, 1, 2]
    assert _failures(result) == [sequences[2]]


async def test_key_ordering_off_lets_one_stream_key_run_concurrently(
    spy: Spy,
) -> None:
    """With ``key_ordering=False`` records of one partition key run together."""
    event, _ = _kinesis(["A"] * 4)
    reached = asyncio.Event()

    async def handler(record: dict[str, Any]) -> None:
        if spy.enter() >= 4:
            reached.set()
        try:
            await asyncio.wait_for(reached.wait(), GATE_TIMEOUT)
        finally:
            spy.leave()

    processor = asyncbatch.BatchProcessor(
        model=dict, key_ordering=False, max_concurrency=4
    )
    result = await processor.process_async(event, handler)
    assert result.response() == {"batchItemFailures": []}
    assert spy.peak == 4


async def test_key_ordering_off_keeps_the_stream_position_rule() -> None:
    """Without key order, nothing positioned after a stream failure starts."""
    event, sequences = _kinesis(["A", "B", "C", "D"])
    gates = Gates(4)
    gates.fail = {1}
    for release in gates.release:
        release.set()

    processor = asyncbatch.BatchProcessor(
        model=dict, key_ordering=False, max_concurrency=1
    )
    result = await processor.process_async(event, gates.handler)
    assert gates.started == [0, 1]
    assert _failures(result) == sequences[1:]


async def test_key_ordering_off_keeps_fifo_ordered(spy: Spy) -> None:
    """``key_ordering=False`` is for streams: a FIFO group stays one at a time."""
    event = _fifo(["A"] * 4)

    async def handler(record: dict[str, Any]) -> None:
        spy.enter(_index(record))
        await asyncio.sleep(0.01)
        spy.leave(_index(record))

    processor = asyncbatch.BatchProcessor(
        model=dict, key_ordering=False, max_concurrency=4
    )
    await processor.process_async(event, handler)
    assert spy.peak == 1
    assert spy.started == [0, 1, 2, 3]


# -- stop_on_first_failure -----------------------------------------------------------


async def test_stop_on_first_failure_on_a_standard_queue() -> None:
    """After the first failure no further record starts, on any queue."""
    gates = Gates(5)
    gates.fail = {1}
    for release in gates.release:
        release.set()
    event = sqs_event(
        [f"b{i}" for i in range(5)], message_ids=[f"r{i}" for i in range(5)]
    )

    processor = asyncbatch.BatchProcessor(
        model=dict, max_concurrency=1, stop_on_first_failure=True
    )
    result = await processor.process_async(event, gates.handler)
    assert gates.started == [0, 1]
    assert _failures(result) == ["r1", "r2", "r3", "r4"]
    for outcome in result.outcomes[2:]:
        assert isinstance(outcome.exception, RecordSkippedError)
        assert outcome.duration is None


async def test_stop_on_first_failure_stops_every_group(eventually: Eventually) -> None:
    """A failure in group A stops group B's later records; B's running one ends."""
    gates = Gates(4)
    gates.fail = {0}

    async def script() -> None:
        await eventually(lambda: sorted(gates.started) == [0, 1])
        gates.release[0].set()
        await eventually(lambda: 0 in gates.finished)
        await asyncio.sleep(0.01)
        for release in gates.release:
            release.set()

    processor = asyncbatch.BatchProcessor(model=dict, stop_on_first_failure=True)
    result = await gates.run(processor, _fifo(["A", "B", "A", "B"]), script)
    assert sorted(gates.started) == [0, 1]
    assert result.outcomes[1].ok
    assert _failures(result) == ["r0", "r2", "r3"]
    for outcome in (result.outcomes[2], result.outcomes[3]):
        assert isinstance(outcome.exception, RecordSkippedError)


async def test_without_stop_on_first_failure_a_standard_queue_runs_on() -> None:
    """By default a standard queue runs every record whatever fails."""
    gates = Gates(4)
    gates.fail = {0}
    for release in gates.release:
        release.set()
    event = sqs_event(
        [f"b{i}" for i in range(4)], message_ids=[f"r{i}" for i in range(4)]
    )

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=1)
    result = await processor.process_async(event, gates.handler)
    assert gates.started == [0, 1, 2, 3]
    assert _failures(result) == ["r0"]


async def test_stop_on_first_failure_beats_the_stream_rule(
    eventually: Eventually,
) -> None:
    """On a stream, the stop also forbids a waiting record placed before the failure.

    r1 waits behind r0 (key A) when r2 (key B) fails: the stream rule alone would
    let r1 run, since it comes before the failure; stop_on_first_failure does not.
    """
    gates = Gates(3)
    gates.fail = {2}
    event, sequences = _kinesis(["A", "A", "B"])

    async def script() -> None:
        await eventually(lambda: sorted(gates.started) == [0, 2])
        gates.release[2].set()
        await eventually(lambda: 2 in gates.finished)
        gates.release[0].set()
        gates.release[1].set()

    processor = asyncbatch.BatchProcessor(model=dict, stop_on_first_failure=True)
    result = await gates.run(processor, event, script)

    assert sorted(gates.started) == [0, 2]
    assert result.outcomes[0].ok
    skipped = result.outcomes[1].exception
    assert isinstance(skipped, RecordSkippedError)
    assert skipped.reason == "stop on first failure"
    assert skipped.failed_index == 2
    assert _failures(result) == [sequences[1], sequences[2]]
