"""What became of each record, and the partial batch response built from it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ._events import EventType

__all__ = ["BatchResult", "RecordOutcome"]


@dataclass(frozen=True, slots=True)
class RecordOutcome:
    """The outcome of one record.

    :ivar index: the record's 0-based position in the batch.
    :ivar item_identifier: the id Lambda expects back, exactly as received.
    :ivar result: what the record handler returned (``None`` on failure).
    :ivar exception: why the record failed, or ``None`` when it succeeded.
    :ivar duration: seconds the handler ran, ``None`` when it never started.
    """

    index: int
    item_identifier: str
    result: Any
    exception: BaseException | None
    duration: float | None

    @property
    def ok(self) -> bool:
        """Whether the record succeeded."""
        return self.exception is None


class BatchResult:
    """The outcomes of one batch, in batch order.

    Outcomes are kept column by column while the batch runs and only turned into
    :class:`RecordOutcome` objects when :attr:`outcomes` is first read.
    """

    __slots__ = (
        "_durations",
        "_exceptions",
        "_identifiers",
        "_outcomes",
        "_results",
        "abandoned_threads",
        "duration",
        "event_type",
        "peak_concurrency",
    )

    def __init__(
        self,
        event_type: EventType,
        identifiers: Sequence[str],
        results: Sequence[Any],
        exceptions: Sequence[BaseException | None],
        durations: Sequence[float | None],
        *,
        abandoned_threads: int = 0,
        peak_concurrency: int = 0,
        duration: float = 0.0,
    ) -> None:
        self.event_type = event_type
        self._identifiers = identifiers
        self._results = results
        self._exceptions = exceptions
        self._durations = durations
        self._outcomes: tuple[RecordOutcome, ...] | None = None
        #: Worker threads this batch left running past their record's end.
        self.abandoned_threads = abandoned_threads
        #: The most record handlers that ran at once.
        self.peak_concurrency = peak_concurrency
        #: Seconds the batch took, from intake to the last outcome.
        self.duration = duration

    @property
    def outcomes(self) -> tuple[RecordOutcome, ...]:
        """One outcome per record, in batch order."""
        if self._outcomes is None:
            self._outcomes = tuple(
                map(
                    RecordOutcome,
                    range(len(self._identifiers)),
                    self._identifiers,
                    self._results,
                    self._exceptions,
                    self._durations,
                )
            )

        return self._outcomes

    @property
    def failures(self) -> tuple[RecordOutcome, ...]:
        """The failed outcomes, in batch order."""
        outcomes = self.outcomes
        return tuple(outcomes[i] for i in self._failed_indexes())

    @property
    def all_failed(self) -> bool:
        """Whether the batch had records and every one of them failed."""
        return bool(self._exceptions) and None not in self._exceptions

    def response(self) -> dict[str, list[dict[str, str]]]:
        """The partial batch response for Lambda.

        Each failed item identifier appears once, at its first failed occurrence, in
        batch order; a failure of any copy of a duplicated identifier wins over a
        success of another.
        """
        identifiers = self._identifiers
        seen: set[str] = set()
        failures = []
        for index in self._failed_indexes():
            identifier = identifiers[index]
            if identifier not in seen:
                seen.add(identifier)
                failures.append({"itemIdentifier": identifier})

        return {"batchItemFailures": failures}

    def _failed_indexes(self) -> list[int]:
        return [i for i, exc in enumerate(self._exceptions) if exc is not None]

    def __len__(self) -> int:
        return len(self._identifiers)

    def __repr__(self) -> str:
        failed = len(self._failed_indexes())
        return (
            f"<BatchResult {self.event_type.name} records={len(self)} "
            f"failed={failed} abandoned_threads={self.abandoned_threads}>"
        )
