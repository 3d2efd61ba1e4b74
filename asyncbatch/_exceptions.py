"""Every exception asyncbatch raises or records.

The hierarchy::

    AsyncBatchError
    +-- BatchProcessingError           every record of the batch failed
    +-- InvalidEventError (ValueError) the event cannot be processed safely
    +-- WorkerThreadsExhaustedError    too many abandoned threads still stuck
    +-- RecordError                    a failure asyncbatch decided for a record
        +-- RecordTimeoutError (TimeoutError)     ran past record_timeout
        +-- DeadlineExceededError (TimeoutError)  unfinished at the soft deadline
        +-- RecordSkippedError                    an earlier failure forbade it

A record whose handler raised keeps that exception as its outcome; a record whose
payload did not validate keeps the validation or decode error. The ``RecordError``
leaves are for the failures that asyncbatch itself decides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._render import exception_message

if TYPE_CHECKING:
    from ._outcome import BatchResult

__all__ = [
    "AsyncBatchError",
    "BatchProcessingError",
    "DeadlineExceededError",
    "InvalidEventError",
    "RecordError",
    "RecordSkippedError",
    "RecordTimeoutError",
    "WorkerThreadsExhaustedError",
]


class AsyncBatchError(Exception):
    """Base class of every asyncbatch exception."""


class InvalidEventError(AsyncBatchError, ValueError):
    """The event cannot be processed safely; no handler has run.

    Raising lets Lambda retry the whole batch instead of deleting anything.
    """


class BatchProcessingError(AsyncBatchError):
    """Every record of the batch failed.

    :ivar result: the full :class:`BatchResult`; ``result.response()`` lists every
        item identifier.
    :ivar exceptions: the records' exceptions, one per record, in batch order.
    """

    def __init__(self, result: BatchResult) -> None:
        self.result = result
        self.exceptions: tuple[BaseException, ...] = tuple(
            outcome.exception
            for outcome in result.outcomes
            if outcome.exception is not None
        )
        detail = ""
        if self.exceptions:
            first = self.exceptions[0]
            detail = f"; first: {type(first).__name__}: {exception_message(first)}"

        super().__init__(
            f"all {len(result.outcomes)} records of the batch failed{detail}"
        )

    def __reduce__(self) -> tuple[type[BatchProcessingError], tuple[BatchResult]]:
        return (type(self), (self.result,))


class WorkerThreadsExhaustedError(AsyncBatchError):
    """Too many worker threads are stuck in handlers whose records timed out.

    Raised before any record of a batch of sync handlers starts.

    :ivar stuck: how many abandoned threads are still inside a handler.
    :ivar limit: how many may be, process-wide, before batches are refused.
    """

    def __init__(self, stuck: int, limit: int) -> None:
        self.stuck = stuck
        self.limit = limit
        super().__init__(
            f"{stuck} worker threads are still stuck in record handlers that "
            f"timed out (limit {limit}); refusing to start more. "
            "Fix the blocking call, or give it its own timeout"
        )

    def __reduce__(
        self,
    ) -> tuple[type[WorkerThreadsExhaustedError], tuple[int, int]]:
        return (type(self), (self.stuck, self.limit))


class RecordError(AsyncBatchError):
    """Base class of the record failures that asyncbatch decides itself."""


class RecordTimeoutError(RecordError, TimeoutError):
    """The record handler ran longer than ``record_timeout``.

    :ivar timeout: the limit, in seconds.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        super().__init__(f"record handler did not finish within {timeout:g} s")

    def __reduce__(self) -> tuple[type[RecordTimeoutError], tuple[float]]:
        return (type(self), (self.timeout,))


class DeadlineExceededError(RecordError, TimeoutError):
    """The record had not finished when the invocation's soft deadline came.

    :ivar started: whether its handler had started.
    """

    def __init__(self, started: bool = False) -> None:
        self.started = started
        what = "was still running" if started else "had not started"
        super().__init__(f"record {what} at the invocation's soft deadline")

    def __reduce__(self) -> tuple[type[DeadlineExceededError], tuple[bool]]:
        return (type(self), (self.started,))


class RecordSkippedError(RecordError):
    """The record was not started because an earlier record failed.

    :ivar failed_index: the batch index of the failure that forbade it.
    :ivar reason: ``"ordering key"``, ``"stream position"`` or
        ``"stop on first failure"``.
    """

    def __init__(self, failed_index: int, reason: str) -> None:
        self.failed_index = failed_index
        self.reason = reason
        super().__init__(
            f"not started: record {failed_index} failed earlier ({reason})"
        )

    def __reduce__(self) -> tuple[type[RecordSkippedError], tuple[int, str]]:
        return (type(self), (self.failed_index, self.reason))
