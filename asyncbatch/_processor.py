"""The processor: configuration, checked once, and the four entry points."""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

from . import _loop
from ._engine import BatchRun, Options
from ._events import EventType, read_event
from ._exceptions import BatchProcessingError
from ._handlers import CONTEXT_PARAMETER, inspect_handler
from ._logging import log_batch, record_binder
from ._outcome import BatchResult

__all__ = [
    "BatchProcessor",
    "process_partial_response",
    "process_partial_response_async",
]

RecordHandler = Callable[..., Any] | Callable[..., Awaitable[Any]]

_clock = time.monotonic


class BatchProcessor:
    """Processes the records of Lambda batches with bounded concurrency.

    A processor holds configuration only; every call keeps its own state, so one
    module-level processor serves every warm invocation, and concurrent calls.

    :param event_type: the source of the events, or None to read it from the
        records' ``eventSource``.
    :param model: what the record handler receives: None for the built-in typed
        record of the source, ``dict`` for the raw record, or a pydantic model class
        validated from the raw record.
    :param max_concurrency: the most records in flight at once, async and sync
        handlers together.
    :param record_timeout: seconds each record handler may run, or None.
    :param raise_on_entire_batch_failure: raise :class:`BatchProcessingError` when
        every record failed, instead of returning a response listing them all.
    :param deadline_margin: seconds kept free before Lambda's own deadline, when a
        context with ``get_remaining_time_in_millis()`` is given.
    :param stop_on_first_failure: after any failure, start no further record of any
        ordering key.
    :param key_ordering: keep per-key order for streams (partition key, item keys);
        False lets stream records run without it. SQS FIFO always stays ordered.
    :raises TypeError: an option has the wrong type.
    :raises ValueError: an option is out of range.
    """

    __slots__ = (
        "deadline_margin",
        "event_type",
        "key_ordering",
        "max_concurrency",
        "model",
        "raise_on_entire_batch_failure",
        "record_timeout",
        "stop_on_first_failure",
    )

    def __init__(
        self,
        event_type: EventType | str | None = None,
        *,
        model: type[Any] | None = None,
        max_concurrency: int = 10,
        record_timeout: float | None = None,
        raise_on_entire_batch_failure: bool = True,
        deadline_margin: float = 1.0,
        stop_on_first_failure: bool = False,
        key_ordering: bool = True,
    ) -> None:
        self.event_type = _check_event_type(event_type)
        self.model = _check_model(model)
        self.max_concurrency = _check_concurrency(max_concurrency)
        self.record_timeout = (
            None
            if record_timeout is None
            else _check_seconds("record_timeout", record_timeout, allow_zero=False)
        )
        self.raise_on_entire_batch_failure = _check_bool(
            "raise_on_entire_batch_failure", raise_on_entire_batch_failure
        )
        self.deadline_margin = _check_seconds(
            "deadline_margin", deadline_margin, allow_zero=True
        )
        self.stop_on_first_failure = _check_bool(
            "stop_on_first_failure", stop_on_first_failure
        )
        self.key_ordering = _check_bool("key_ordering", key_ordering)

    def __repr__(self) -> str:
        options = ", ".join(
            f"{name}={getattr(self, name)!r}" for name in self.__slots__
        )
        return f"BatchProcessor({options})"

    def process(
        self, event: object, record_handler: RecordHandler, context: object = None
    ) -> BatchResult:
        """Process ``event`` on this thread's persistent event loop.

        :raises InvalidEventError: the event cannot be processed safely.
        :raises BatchProcessingError: every record failed (unless disabled).
        :raises RuntimeError: this thread is already running an event loop; await
            :meth:`process_async` there instead.
        """
        return self._process_blocking(event, record_handler, context, "process_async")

    async def process_async(
        self, event: object, record_handler: RecordHandler, context: object = None
    ) -> BatchResult:
        """Process ``event`` on the running event loop.

        :raises InvalidEventError: the event cannot be processed safely.
        :raises BatchProcessingError: every record failed (unless disabled).
        """
        run = self._prepare(event, record_handler, context)
        if isinstance(run, BatchResult):
            return run

        return self._conclude(await run.execute())

    def _process_blocking(
        self,
        event: object,
        record_handler: RecordHandler,
        context: object,
        async_api: str,
    ) -> BatchResult:
        """The sync API: :meth:`process_async` on this thread's persistent loop."""
        loop = _loop.loop_for_sync_call(async_api)
        run = self._prepare(event, record_handler, context)
        if isinstance(run, BatchResult):
            return run

        return self._conclude(run.execute_blocking(loop))

    def _prepare(
        self, event: object, record_handler: RecordHandler, context: object
    ) -> BatchRun | BatchResult:
        """Intake and set-up: the run of the batch, or the result of an empty one."""
        started = _clock()
        handler = inspect_handler(record_handler)
        batch = read_event(event, self.event_type, key_ordering=self.key_ordering)
        if not batch.records:
            return BatchResult(batch.event_type, (), (), (), ())

        parse = None
        if self.model is not dict:
            parse = _parser_for(self.model, batch.event_type)

        call: Callable[[Any], Any] = record_handler
        if handler.wants_context:
            call = functools.partial(record_handler, **{CONTEXT_PARAMETER: context})

        return BatchRun(
            batch,
            call,
            is_async=handler.is_async,
            parse=parse,
            options=Options(
                self.max_concurrency,
                self.record_timeout,
                self.stop_on_first_failure,
                self.deadline_margin,
            ),
            deadline=self._soft_deadline(context),
            bind=record_binder(),
            started=started,
        )

    def _conclude(self, result: BatchResult) -> BatchResult:
        log_batch(result)
        if self.raise_on_entire_batch_failure and result.all_failed:
            raise BatchProcessingError(result)

        return result

    def _soft_deadline(self, context: object) -> float | None:
        """Lambda's deadline less the margin, on the monotonic clock, or None."""
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        if not callable(remaining):
            return None

        milliseconds = remaining()
        if not isinstance(milliseconds, (int, float)) or isinstance(milliseconds, bool):
            raise TypeError(
                f"context.get_remaining_time_in_millis() returned "
                f"{type(milliseconds).__name__}, not a number of milliseconds; "
                "pass the Lambda context, asyncbatch.testing.FakeLambdaContext, "
                "or context=None for no deadline"
            )

        if not math.isfinite(milliseconds):
            raise ValueError(
                f"context.get_remaining_time_in_millis() returned {milliseconds!r}; "
                "the remaining time must be a finite number of milliseconds"
            )

        # The clock is read with the remaining time, so that the time intake
        # took (loading the record models, on a first batch) is not counted twice.
        return _clock() + milliseconds / 1000 - self.deadline_margin


def process_partial_response(
    event: object,
    record_handler: RecordHandler,
    processor: BatchProcessor | None = None,
    context: object = None,
) -> dict[str, list[dict[str, str]]]:
    """Process ``event`` and return Lambda's partial batch response.

    :param processor: the processor to use; None means ``BatchProcessor()``.
    :raises InvalidEventError: the event cannot be processed safely.
    :raises BatchProcessingError: every record failed (unless disabled).
    """
    result = _checked(processor)._process_blocking(
        event, record_handler, context, "process_partial_response_async"
    )
    return result.response()


async def process_partial_response_async(
    event: object,
    record_handler: RecordHandler,
    processor: BatchProcessor | None = None,
    context: object = None,
) -> dict[str, list[dict[str, str]]]:
    """Process ``event`` on the running loop and return the partial batch response.

    :param processor: the processor to use; None means ``BatchProcessor()``.
    :raises InvalidEventError: the event cannot be processed safely.
    :raises BatchProcessingError: every record failed (unless disabled).
    """
    result = await _checked(processor).process_async(event, record_handler, context)
    return result.response()


def _checked(processor: BatchProcessor | None) -> BatchProcessor:
    if processor is None:
        return _default_processor()

    if not isinstance(processor, BatchProcessor):
        raise TypeError(
            f"processor must be a BatchProcessor or None, "
            f"not {type(processor).__name__}"
        )

    return processor


def _parser_for(model: type[Any] | None, event_type: EventType) -> Any:
    """The record parser of ``_records``, which is imported on first use.

    The import brings in pydantic, which ``model=dict`` never needs; after the
    first call the function is found without an import statement per batch.
    """
    global _parser_for

    from ._records import parser_for

    _parser_for = parser_for
    return parser_for(model, event_type)


@functools.cache
def _default_processor() -> BatchProcessor:
    return BatchProcessor()


def _check_event_type(value: object) -> EventType | None:
    if value is None or isinstance(value, EventType):
        return value

    if isinstance(value, str):
        try:
            return EventType(value)
        except ValueError:
            allowed = ", ".join(repr(member.value) for member in EventType)
            raise ValueError(
                f"event_type must be one of {allowed} or None, not {value!r}"
            ) from None

    raise TypeError(f"event_type must be an EventType or None, not {_kind(value)}")


def _check_model(value: object) -> Any:
    if value is None or value is dict:
        return value

    from ._records import check_model

    check_model(value)
    return value


def _check_concurrency(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"max_concurrency must be an int, not {_kind(value)}")

    if value < 1:
        raise ValueError(f"max_concurrency must be at least 1, not {value}")

    return value


def _check_seconds(name: str, value: object, *, allow_zero: bool) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number of seconds, not {_kind(value)}")

    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = "at least 0" if allow_zero else "greater than 0"
        raise ValueError(f"{name} must be a finite number {bound}, not {value!r}")

    return float(value)


def _check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, not {_kind(value)}")

    return value


def _kind(value: object) -> str:
    return type(value).__name__
