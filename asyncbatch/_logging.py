"""Structured log events: one summary per batch, one event per failed record.

Events go to the standard ``logging`` logger ``asyncbatch`` (which has only a
``NullHandler``; asyncbatch never adds handlers or sets levels), with their fields
as record attributes. When the application has configured structlog, the same
events go through structlog's configuration instead.

asyncbatch does not import structlog on its own: an application that logs through
structlog has imported it before its first batch, and then the record's index and
item identifier are bound in structlog's context variables while its handler runs.

Record bodies and payloads are never logged. Validation errors are rendered without
their input values (see ``_render``); the messages of the handler's own exceptions
are logged as they are.
"""

from __future__ import annotations

import contextvars
import logging
import sys
from collections.abc import Callable
from typing import Any

from ._exceptions import (
    DeadlineExceededError,
    RecordError,
    RecordSkippedError,
    RecordTimeoutError,
)
from ._outcome import BatchResult
from ._render import exception_message, exception_traceback, qualified_name

__all__ = [
    "failure_kind",
    "log_batch",
    "log_stragglers",
    "record_binder",
]

logger = logging.getLogger("asyncbatch")
logger.addHandler(logging.NullHandler())

_record_vars: tuple[contextvars.ContextVar[Any], contextvars.ContextVar[Any]] | None
_record_vars = None


def record_binder() -> Callable[[int, str], None] | None:
    """A function binding a record's index and identifier for structlog, if used."""
    if "structlog" not in sys.modules:
        return None

    global _record_vars
    if _record_vars is None:
        from structlog.contextvars import bind_contextvars

        # Bind in a throwaway context just to learn structlog's variables; each
        # worker then sets them in its own context.
        tokens = contextvars.Context().run(
            bind_contextvars, record_index=None, item_identifier=None
        )
        _record_vars = (tokens["record_index"].var, tokens["item_identifier"].var)

    index_var, identifier_var = _record_vars

    def bind(index: int, identifier: str) -> None:
        index_var.set(index)
        identifier_var.set(identifier)

    return bind


def _structlog_logger() -> Any:
    structlog = sys.modules.get("structlog")
    if structlog is not None and structlog.is_configured():
        return structlog.get_logger("asyncbatch")

    return None


def _stdlib_wants(level: int) -> bool:
    """Whether a stdlib event at ``level`` would reach any real handler."""
    if not logger.isEnabledFor(level):
        return False

    current: logging.Logger | None = logger
    while current is not None:
        for handler in current.handlers:
            if not isinstance(handler, logging.NullHandler) and level >= handler.level:
                return True

        if not current.propagate:
            break

        current = current.parent

    # With no handler anywhere, logging would fall back to printing warnings on
    # stderr; an unconfigured application has asked for no log output.
    return False


def log_batch(result: BatchResult) -> None:
    """Emit ``batch processed`` and one ``record failed`` per failed record."""
    structured = _structlog_logger()
    warn = structured is not None or _stdlib_wants(logging.WARNING)
    inform = structured is not None or _stdlib_wants(logging.INFO)
    if not (warn or inform):
        return

    failures = result.failures
    counts = {"invalid": 0, "timed_out": 0, "skipped": 0, "deadline": 0}
    for outcome in failures:
        kind = failure_kind(outcome.exception, outcome.duration)
        if kind in counts:
            counts[kind] += 1

    total = len(result)
    fields: dict[str, Any] = {
        "event_type": result.event_type.value,
        "records": total,
        "succeeded": total - len(failures),
        "failed": len(failures),
        "failed_invalid": counts["invalid"],
        "failed_timed_out": counts["timed_out"],
        "failed_skipped": counts["skipped"],
        "failed_deadline": counts["deadline"],
        "duration": round(result.duration, 6),
        "peak_concurrency": result.peak_concurrency,
        "abandoned_threads": result.abandoned_threads,
    }

    for outcome in failures if warn else ():
        exc = outcome.exception
        assert exc is not None
        failure = {
            "index": outcome.index,
            "item_identifier": outcome.item_identifier,
            "exception_type": qualified_name(exc),
            "exception_message": exception_message(exc),
        }
        if structured is not None:
            structured.warning(
                "record failed", **failure, traceback=exception_traceback(exc)
            )
        else:
            logger.warning(
                "record failed: index=%d item_identifier=%s %s: %s",
                outcome.index,
                outcome.item_identifier,
                failure["exception_type"],
                failure["exception_message"],
                extra={**failure, "traceback": _LazyTraceback(exc)},
            )

    if structured is not None:
        structured.info("batch processed", **fields)
    elif inform:
        logger.info(
            "batch processed: %s",
            _LazyFields(fields),
            extra=fields,
        )


def log_stragglers(count: int) -> None:
    """Some async handlers ignored cancellation and are still running."""
    message = "record handlers ignored cancellation and are still running"
    structured = _structlog_logger()
    if structured is not None:
        structured.warning(message, stragglers=count)
    else:
        logger.warning("%s: %d", message, count, extra={"stragglers": count})


def failure_kind(exc: BaseException | None, duration: float | None) -> str:
    if isinstance(exc, RecordTimeoutError):
        return "timed_out"

    if isinstance(exc, RecordSkippedError):
        return "skipped"

    if isinstance(exc, DeadlineExceededError):
        return "deadline"

    if duration is None and not isinstance(exc, RecordError):
        # The handler never started and asyncbatch did not forbid it: the payload
        # did not validate or decode.
        return "invalid"

    return "handler"


class _LazyTraceback:
    """Formats the traceback only if a handler renders it."""

    __slots__ = ("exc",)

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def __str__(self) -> str:
        return exception_traceback(self.exc)

    __repr__ = __str__


class _LazyFields:
    __slots__ = ("fields",)

    def __init__(self, fields: dict[str, Any]) -> None:
        self.fields = fields

    def __str__(self) -> str:
        return " ".join(f"{key}={value}" for key, value in self.fields.items())
