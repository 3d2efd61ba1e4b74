"""The public surface of ``asyncbatch`` (SPEC section 1)."""

from __future__ import annotations

import ast
import importlib
import inspect
import pickle
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import asyncbatch

# The typed records, their parts and the envelope models: loaded on first use.
LAZY_EXPORTS = [
    "DynamoDBRecord",
    "DynamoDBStreamRecord",
    "DynamoDBUserIdentity",
    "KinesisData",
    "KinesisRecord",
    "S3EventNotification",
    "S3EventRecord",
    "SnsMessageAttribute",
    "SnsNotification",
    "SqsAttributes",
    "SqsMessageAttribute",
    "SqsRecord",
]

EXPORTS = sorted(
    [
        "AsyncBatchError",
        "BatchProcessingError",
        "BatchProcessor",
        "BatchResult",
        "DeadlineExceededError",
        "EventType",
        "InvalidEventError",
        "RecordError",
        "RecordOutcome",
        "RecordSkippedError",
        "RecordTimeoutError",
        "WorkerThreadsExhaustedError",
        "__version__",
        "lambda_handler",
        "process_partial_response",
        "process_partial_response_async",
        "run",
        "use_loop_factory",
        *LAZY_EXPORTS,
    ]
)

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


@pytest.mark.parametrize("name", sorted(set(EXPORTS) - set(LAZY_EXPORTS)))
def test_every_export_is_importable(name: str) -> None:
    """Each public name other than the typed records resolves on the package."""
    module = importlib.import_module("asyncbatch")
    assert getattr(module, name) is not None


@pytest.mark.parametrize("name", LAZY_EXPORTS)
def test_typed_records_are_importable(name: str) -> None:
    """The record models load lazily from the package, showing it as their module."""
    value = getattr(asyncbatch, name)

    assert isinstance(value, type)
    assert value.__module__ == "asyncbatch"
    assert value is getattr(importlib.import_module("asyncbatch._records"), name)
    # Pickle finds a class by its module and name.
    assert pickle.loads(pickle.dumps(value)) is value


def test_records_package_exports_what_asyncbatch_does() -> None:
    """The models of asyncbatch._records are exactly the package's lazy exports."""
    records = importlib.import_module("asyncbatch._records")
    functions = {"check_model", "parser_for"}

    assert sorted(set(records.__all__) - functions) == LAZY_EXPORTS


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
    for name in EXPORTS:
        value = getattr(asyncbatch, name)
        if isinstance(value, type):
            assert value.__module__ == "asyncbatch", name


# A batch parsed with the default typed records, in an interpreter that never named
# the record classes: the handler's record and its parts show the package.
RECORD_MODULES = """
import asyncbatch
from asyncbatch.testing import sqs_event

def handler(record):
    parts = (record, record.attributes, *record.message_attributes.values())
    print(*sorted({type(part).__module__ for part in parts}))

event = sqs_event(["hi"], message_attributes={"kind": "x"})
asyncbatch.process_partial_response(event, handler)
"""


def test_records_built_by_the_processor_show_the_package() -> None:
    """The classes of the records the processor builds show ``asyncbatch`` too."""
    done = subprocess.run(
        [sys.executable, "-c", RECORD_MODULES],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["asyncbatch"]


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
