"""The public surface of ``asyncbatch`` (SPEC section 1)."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil

import pytest

import asyncbatch

EXPORTS = [
    "AsyncBatchError",
    "BatchProcessingError",
    "BatchProcessor",
    "BatchResult",
    "DeadlineExceededError",
    "DynamoDBRecord",
    "EventType",
    "InvalidEventError",
    "KinesisRecord",
    "RecordError",
    "RecordOutcome",
    "RecordSkippedError",
    "RecordTimeoutError",
    "SqsRecord",
    "WorkerThreadsExhaustedError",
    "__version__",
    "lambda_handler",
    "process_partial_response",
    "process_partial_response_async",
    "run",
    "use_loop_factory",
]

TYPED_RECORDS = {"SqsRecord", "KinesisRecord", "DynamoDBRecord"}

TESTING_EXPORTS = [
    "SAMPLE_SOURCES",
    "DynamoDBChange",
    "FakeLambdaContext",
    "StreamViewType",
    "dynamodb_event",
    "dynamodb_insert",
    "dynamodb_modify",
    "dynamodb_remove",
    "kinesis_event",
    "sample_event",
    "sqs_event",
    "sqs_fifo_event",
]


def test_all_is_sorted_and_exact() -> None:
    """``asyncbatch.__all__`` lists exactly the public names, sorted."""
    assert list(asyncbatch.__all__) == sorted(asyncbatch.__all__)
    assert list(asyncbatch.__all__) == EXPORTS


@pytest.mark.parametrize("name", sorted(set(EXPORTS) - TYPED_RECORDS))
def test_every_export_is_importable(name: str) -> None:
    """Each public name other than the typed records resolves on the package."""
    module = importlib.import_module("asyncbatch")
    assert getattr(module, name) is not None


@pytest.mark.parametrize("name", sorted(TYPED_RECORDS))
def test_typed_records_are_importable(name: str) -> None:
    """The typed records load lazily from the package when they are first used."""
    value = getattr(asyncbatch, name)
    assert isinstance(value, type)


def test_testing_exports_are_exact() -> None:
    """``asyncbatch.testing.__all__`` lists exactly its helpers, and each resolves."""
    testing = importlib.import_module("asyncbatch.testing")

    assert list(testing.__all__) == TESTING_EXPORTS
    for name in TESTING_EXPORTS:
        assert getattr(testing, name) is not None


def test_dir_lists_the_exports() -> None:
    """``dir(asyncbatch)`` shows the public names."""
    assert set(EXPORTS) <= set(dir(asyncbatch))


def test_exceptions_form_the_documented_hierarchy() -> None:
    """Every exception derives from AsyncBatchError, with the documented builtins."""
    for name in (
        "BatchProcessingError",
        "InvalidEventError",
        "RecordTimeoutError",
        "RecordSkippedError",
        "DeadlineExceededError",
    ):
        assert issubclass(getattr(asyncbatch, name), asyncbatch.AsyncBatchError)
    assert issubclass(asyncbatch.InvalidEventError, ValueError)
    assert issubclass(asyncbatch.RecordTimeoutError, TimeoutError)
    assert issubclass(asyncbatch.DeadlineExceededError, TimeoutError)


def test_event_type_values() -> None:
    """EventType has the three sources with their Lambda ``eventSource`` values."""
    assert {member.name: member.value for member in asyncbatch.EventType} == {
        "SQS": "aws:sqs",
        "KINESIS": "aws:kinesis",
        "DYNAMODB": "aws:dynamodb",
    }


def test_public_classes_show_the_package() -> None:
    """Public classes present themselves as ``asyncbatch.X``, not a private module."""
    for name in ("BatchProcessor", "BatchResult", "RecordOutcome", "EventType"):
        assert getattr(asyncbatch, name).__module__ == "asyncbatch"


def _private_modules() -> list[str]:
    names = []
    for package in ("asyncbatch._records", "asyncbatch._testing"):
        path = importlib.import_module(package).__path__
        names += [f"{package}.{info.name}" for info in pkgutil.iter_modules(path)]
    return names


@pytest.mark.parametrize("module_name", _private_modules())
def test_private_modules_list_what_they_define(module_name: str) -> None:
    """Each records and testing module's ``__all__`` names its public definitions."""
    module = importlib.import_module(module_name)
    tree = ast.parse(inspect.getsource(module))
    defined = {
        node.name
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.ClassDef))
        and not node.name.startswith("_")
    }

    assert defined <= set(module.__all__)
