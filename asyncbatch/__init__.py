"""asyncbatch: process AWS Lambda batches with bounded, ordered concurrency.

Typed records are loaded on first use, so that a function using raw records
(``model=dict``) never pays for importing pydantic at cold start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._events import EventType as EventType
from ._exceptions import AsyncBatchError as AsyncBatchError
from ._exceptions import BatchProcessingError as BatchProcessingError
from ._exceptions import DeadlineExceededError as DeadlineExceededError
from ._exceptions import InvalidEventError as InvalidEventError
from ._exceptions import RecordError as RecordError
from ._exceptions import RecordSkippedError as RecordSkippedError
from ._exceptions import RecordTimeoutError as RecordTimeoutError
from ._exceptions import (
    WorkerThreadsExhaustedError as WorkerThreadsExhaustedError,
)
from ._loop import lambda_handler as lambda_handler
from ._loop import run as run
from ._loop import use_loop_factory as use_loop_factory
from ._outcome import BatchResult as BatchResult
from ._outcome import RecordOutcome as RecordOutcome
from ._processor import BatchProcessor as BatchProcessor
from ._processor import process_partial_response as process_partial_response
from ._processor import (
    process_partial_response_async as process_partial_response_async,
)

if TYPE_CHECKING:
    from ._records import DynamoDBRecord as DynamoDBRecord
    from ._records import DynamoDBStreamRecord as DynamoDBStreamRecord
    from ._records import DynamoDBUserIdentity as DynamoDBUserIdentity
    from ._records import KinesisData as KinesisData
    from ._records import KinesisRecord as KinesisRecord
    from ._records import S3EventNotification as S3EventNotification
    from ._records import S3EventRecord as S3EventRecord
    from ._records import SnsMessageAttribute as SnsMessageAttribute
    from ._records import SnsNotification as SnsNotification
    from ._records import SqsAttributes as SqsAttributes
    from ._records import SqsMessageAttribute as SqsMessageAttribute
    from ._records import SqsRecord as SqsRecord

__all__ = [
    "AsyncBatchError",
    "BatchProcessingError",
    "BatchProcessor",
    "BatchResult",
    "DeadlineExceededError",
    "DynamoDBRecord",
    "DynamoDBStreamRecord",
    "DynamoDBUserIdentity",
    "EventType",
    "InvalidEventError",
    "KinesisData",
    "KinesisRecord",
    "RecordError",
    "RecordOutcome",
    "RecordSkippedError",
    "RecordTimeoutError",
    "S3EventNotification",
    "S3EventRecord",
    "SnsMessageAttribute",
    "SnsNotification",
    "SqsAttributes",
    "SqsMessageAttribute",
    "SqsRecord",
    "WorkerThreadsExhaustedError",
    "__version__",
    "lambda_handler",
    "process_partial_response",
    "process_partial_response_async",
    "run",
    "use_loop_factory",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # The public names not imported above: the typed records, their parts and the
    # envelope models, loaded on first use. ._records loads them showing
    # asyncbatch.X, as _point_at_package does for the rest.
    if name not in __all__:
        raise AttributeError(f"module 'asyncbatch' has no attribute {name!r}")

    import importlib

    value = getattr(importlib.import_module("._records", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


def _point_at_package() -> None:
    # Show public classes as asyncbatch.X in reprs, tracebacks and the docs.
    for name in __all__:
        value = globals().get(name)
        if isinstance(value, type) and value.__module__.startswith("asyncbatch._"):
            value.__module__ = __name__


_point_at_package()
