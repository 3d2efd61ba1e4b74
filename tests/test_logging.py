"""Structured logs without payloads (SPEC section 8)."""

from __future__ import annotations

import asyncio
import builtins
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pydantic
import pytest
import structlog
from structlog.testing import capture_logs

import asyncbatch
from asyncbatch.testing import sqs_event, sqs_fifo_event

pytestmark = pytest.mark.anyio

#: Put into record bodies: it must never show up in any log output.
MARKER = "PAYLOAD-MARKER-7f3c9a"


@pytest.fixture(autouse=True)
def _plain_structlog() -> Iterator[None]:
    """Each test starts and ends with structlog unconfigured and no bound context."""
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()
    yield
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()


@pytest.fixture
def records(caplog: pytest.LogCaptureFixture) -> Callable[[], list[logging.LogRecord]]:
    """The ``asyncbatch`` log records so far, captured down to INFO."""
    caplog.set_level(logging.INFO, logger="asyncbatch")

    def ours() -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name == "asyncbatch"]

    return ours


def _named(records: list[logging.LogRecord], event: str) -> list[logging.LogRecord]:
    return [r for r in records if r.getMessage().startswith(event)]


def _everything(records: list[logging.LogRecord]) -> str:
    """All text a handler could render from ``records``, attributes included."""
    formatter = logging.Formatter()
    parts = []
    for record in records:
        parts.append(formatter.format(record))
        parts.extend(f"{key}={value}" for key, value in vars(record).items())
    return "\n".join(parts)


def _ids(*ids: str, bodies: list[Any] | None = None) -> dict[str, Any]:
    bodies = bodies if bodies is not None else [f"{MARKER} {i}" for i in ids]
    return sqs_event(bodies, message_ids=list(ids))


async def _fail_m2(record: dict[str, Any]) -> str:
    secret = record["body"]  # a local holding the payload: never in a traceback
    if record["messageId"] == "m-2":
        raise ValueError("the handler's own message")
    return secret[:0]


async def test_batch_processed_and_record_failed_through_stdlib(
    records: Callable[[], list[logging.LogRecord]],
) -> None:
    """One INFO summary with the counts, one WARNING per failed record."""
    processor = asyncbatch.BatchProcessor(model=dict)
    await processor.process_async(_ids("m-1", "m-2", "m-3", "m-4"), _fail_m2)

    (summary,) = _named(records(), "batch processed")
    assert summary.levelno == logging.INFO
    assert summary.event_type == "aws:sqs"
    assert summary.records == 4
    assert summary.succeeded == 3
    assert summary.failed == 1
    assert summary.failed_invalid == 0
    assert summary.failed_timed_out == 0
    assert summary.failed_skipped == 0
    assert summary.failed_deadline == 0
    assert summary.duration >= 0
    assert 1 <= summary.peak_concurrency <= 4
    assert summary.abandoned_threads == 0

    (failure,) = _named(records(), "record failed")
    assert failure.levelno == logging.WARNING
    assert failure.index == 1
    assert failure.item_identifier == "m-2"
    assert failure.exception_type.endswith("ValueError")
    assert failure.exception_message == "the handler's own message"
    traceback = str(failure.traceback)
    assert traceback.startswith("Traceback (most recent call last):")
    assert "_fail_m2" in traceback
    assert "ValueError: the handler's own message" in traceback
    assert MARKER not in _everything(records())


async def test_one_summary_per_batch(
    records: Callable[[], list[logging.LogRecord]],
) -> None:
    """Each batch logs its own summary, and no record failures when all succeed."""
    processor = asyncbatch.BatchProcessor(model=dict)
    for _ in range(2):
        await processor.process_async(_ids("m-1"), _fail_m2)
    assert len(_named(records(), "batch processed")) == 2
    assert _named(records(), "record failed") == []


async def test_failures_are_counted_by_kind(
    records: Callable[[], list[logging.LogRecord]],
) -> None:
    """The summary counts timed-out and skipped records apart."""
    event = sqs_fifo_event(
        [("A", "a0"), ("A", "a1"), ("B", "b0")], message_ids=["a0", "a1", "b0"]
    )

    async def handler(record: dict[str, Any]) -> None:
        if record["messageId"] == "a0":
            await asyncio.sleep(5)

    processor = asyncbatch.BatchProcessor(model=dict, record_timeout=0.1)
    await processor.process_async(event, handler)
    (summary,) = _named(records(), "batch processed")
    assert (summary.failed, summary.failed_timed_out, summary.failed_skipped) == (
        2,
        1,
        1,
    )
    assert summary.succeeded == 1
    kinds = [r.exception_type for r in _named(records(), "record failed")]
    assert [k.rsplit(".", 1)[-1] for k in kinds] == [
        "RecordTimeoutError",
        "RecordSkippedError",
    ]


async def test_abandoned_threads_are_in_the_summary(
    records: Callable[[], list[logging.LogRecord]],
    gate: Callable[[], threading.Event],
) -> None:
    """A sync handler abandoned at its timeout is counted in the summary."""
    release = gate()

    def handler(record: dict[str, Any]) -> None:
        if record["messageId"] == "m-1":
            release.wait(30)

    processor = asyncbatch.BatchProcessor(model=dict, record_timeout=0.2)
    await processor.process_async(_ids("m-1", "m-2"), handler)
    release.set()
    (summary,) = _named(records(), "batch processed")
    assert summary.abandoned_threads == 1
    assert summary.failed_timed_out == 1


class Order(pydantic.BaseModel):
    """A model whose validation error would echo its input."""

    order_id: int
    qty: int


@pytest.mark.parametrize(
    "poison",
    [{"order_id": MARKER, "qty": 1}, f"{MARKER} not json{{", {"qty": MARKER}],
    ids=["bad value", "bad json", "missing field"],
)
async def test_validation_failures_log_no_payload(
    poison: object,
    typed_records: ModuleType,
    records: Callable[[], list[logging.LogRecord]],
) -> None:
    """A record that fails validation is logged without its input values."""
    event = _ids("m-1", "m-2", bodies=[{"order_id": 1, "qty": 1}, poison])

    async def handler(record: Any) -> None:
        return None

    processor = asyncbatch.BatchProcessor(model=asyncbatch.SqsRecord[Order])
    result = await processor.process_async(event, handler)
    assert result.response() == {"batchItemFailures": [{"itemIdentifier": "m-2"}]}

    (failure,) = _named(records(), "record failed")
    assert failure.item_identifier == "m-2"
    (summary,) = _named(records(), "batch processed")
    assert summary.failed_invalid == 1
    assert MARKER not in _everything(records())


async def test_structlog_gets_the_same_events_when_configured(
    records: Callable[[], list[logging.LogRecord]],
) -> None:
    """With structlog configured, the events go through it and not through stdlib."""
    processor = asyncbatch.BatchProcessor(model=dict)
    with capture_logs() as logs:
        await processor.process_async(_ids("m-1", "m-2", "m-3"), _fail_m2)

    summaries = [e for e in logs if e["event"] == "batch processed"]
    failures = [e for e in logs if e["event"] == "record failed"]
    assert len(summaries) == 1
    assert summaries[0]["log_level"] == "info"
    assert summaries[0]["records"] == 3
    assert summaries[0]["succeeded"] == 2
    assert summaries[0]["failed"] == 1
    assert len(failures) == 1
    assert failures[0]["log_level"] == "warning"
    assert failures[0]["index"] == 1
    assert failures[0]["item_identifier"] == "m-2"
    assert failures[0]["exception_type"].endswith("ValueError")
    assert "Traceback" in failures[0]["traceback"]
    assert MARKER not in repr(logs)
    assert records() == []


async def test_structlog_validation_failure_logs_no_payload(
    typed_records: ModuleType,
) -> None:
    """Through structlog too, a validation error is rendered without its input."""
    event = _ids("m-1", bodies=[{"order_id": MARKER, "qty": 1}])
    processor = asyncbatch.BatchProcessor(
        model=asyncbatch.SqsRecord[Order], raise_on_entire_batch_failure=False
    )
    with capture_logs() as logs:
        await processor.process_async(event, lambda record: None)
    assert [e["event"] for e in logs].count("record failed") == 1
    assert MARKER not in repr(logs)


async def test_record_is_bound_in_structlog_context_for_async_handlers() -> None:
    """While an async handler runs, structlog's contextvars name its record."""
    seen: dict[str, dict[str, Any]] = {}

    async def handler(record: dict[str, Any]) -> None:
        await asyncio.sleep(0)
        seen[record["messageId"]] = structlog.contextvars.get_contextvars()

    processor = asyncbatch.BatchProcessor(model=dict, max_concurrency=2)
    await processor.process_async(_ids("m-1", "m-2", "m-3"), handler)
    for index, identifier in enumerate(["m-1", "m-2", "m-3"]):
        assert seen[identifier]["record_index"] == index
        assert seen[identifier]["item_identifier"] == identifier
    assert "record_index" not in structlog.contextvars.get_contextvars()


async def test_user_log_lines_carry_the_record() -> None:
    """A handler's own structlog lines carry the record's index and identifier."""
    processor = asyncbatch.BatchProcessor(model=dict)
    with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:

        async def handler(record: dict[str, Any]) -> None:
            structlog.get_logger().info("handling")

        await processor.process_async(_ids("m-1"), handler)
    (line,) = [e for e in logs if e["event"] == "handling"]
    assert line["record_index"] == 0
    assert line["item_identifier"] == "m-1"


def test_the_library_does_not_configure_logging() -> None:
    """The ``asyncbatch`` logger has only a NullHandler and no level of its own."""
    logger = logging.getLogger("asyncbatch")
    assert logger.level == logging.NOTSET
    assert logger.handlers
    assert all(isinstance(h, logging.NullHandler) for h in logger.handlers)


class RejectedOrder(Exception):
    """The handler's own error, raised over the validation error it caught."""


def _validate_inside(record: dict[str, Any], how: str) -> None:
    """Validate the body the way a handler might, and fail in the way ``how`` says."""
    try:
        Order.model_validate_json(record["body"])
    except pydantic.ValidationError as exc:
        if how == "from":
            raise RejectedOrder("order rejected") from exc
        if how == "during":
            raise RejectedOrder("order rejected")  # noqa: B904 - the context case
        group = getattr(builtins, "ExceptionGroup")  # noqa: B009 - new in 3.11
        raise group("orders", [exc, RejectedOrder("order rejected")]) from None


@pytest.mark.parametrize(
    "how",
    [
        "from",
        "during",
        pytest.param(
            "group",
            marks=pytest.mark.skipif(
                sys.version_info < (3, 11), reason="exception groups are new in 3.11"
            ),
        ),
    ],
)
@pytest.mark.parametrize("through", ["stdlib", "structlog"])
async def test_chained_validation_errors_log_no_payload(
    how: str, through: str, records: Callable[[], list[logging.LogRecord]]
) -> None:
    """A validation error behind the handler's own exception shows no input either."""
    event = _ids("m-1", bodies=[{"order_id": MARKER, "qty": 1}])

    async def handler(record: dict[str, Any]) -> None:
        _validate_inside(record, how)

    processor = asyncbatch.BatchProcessor(
        model=dict, raise_on_entire_batch_failure=False
    )
    if through == "structlog":
        with capture_logs() as logs:
            await processor.process_async(event, handler)
        (failure,) = [e for e in logs if e["event"] == "record failed"]
        text = failure["traceback"]
        rendered = repr(logs)
    else:
        await processor.process_async(event, handler)
        (failure,) = _named(records(), "record failed")
        text = str(failure.traceback)
        rendered = _everything(records())

    assert "RejectedOrder" in text
    assert "ValidationError" in text
    assert "order_id: Input should be a valid integer" in text
    assert MARKER not in rendered


async def test_an_exception_whose_str_fails_fails_only_its_record(
    records: Callable[[], list[logging.LogRecord]],
) -> None:
    """A broken ``__str__`` cannot take the batch down while it is being logged."""

    class Unprintable(Exception):
        def __str__(self) -> str:
            raise RuntimeError("str() broke")

    async def handler(record: dict[str, Any]) -> None:
        if record["messageId"] == "m-2":
            raise Unprintable

    result = await asyncbatch.BatchProcessor(model=dict).process_async(
        _ids("m-1", "m-2"), handler
    )

    assert result.response() == {"batchItemFailures": [{"itemIdentifier": "m-2"}]}
    (failure,) = _named(records(), "record failed")
    assert "str() failed" in failure.getMessage()


async def test_an_all_failed_batch_raises_without_the_payload(
    typed_records: ModuleType,
) -> None:
    """BatchProcessingError's message renders a validation error without input."""
    event = _ids("m-1", bodies=[{"order_id": MARKER, "qty": 1}])
    processor = asyncbatch.BatchProcessor(model=asyncbatch.SqsRecord[Order])

    with pytest.raises(asyncbatch.BatchProcessingError) as raised:
        await processor.process_async(event, lambda record: None)

    assert "order_id: Input should be a valid integer" in str(raised.value)
    assert MARKER not in str(raised.value)
