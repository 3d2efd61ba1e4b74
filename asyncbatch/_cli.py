"""The ``asyncbatch`` command: ``demo``, ``run`` and ``event``.

Exit status: 0 when the batch was processed (even with failed records), 1 when
every record failed, 2 for bad input (an unreadable file, bad JSON, an invalid
event, a handler that cannot be imported, a bad option).
"""

from __future__ import annotations

import argparse
import importlib
import json
import operator
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from . import _loop
from ._events import EventType
from ._exceptions import BatchProcessingError, InvalidEventError
from ._outcome import BatchResult
from ._processor import BatchProcessor
from ._testing._sample import SAMPLE_SOURCES

__all__ = ["main"]

EXIT_OK = 0
EXIT_ALL_FAILED = 1
EXIT_BAD_INPUT = 2

_EVENT_TYPES = {
    "sqs": EventType.SQS,
    "kinesis": EventType.KINESIS,
    "dynamodb": EventType.DYNAMODB,
    **{member.value: member for member in EventType},
}


class _BadInput(Exception):
    """Input the command refuses: reported as one line, exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    arguments = parser.parse_args(argv)
    try:
        status: int = arguments.command(arguments)
        sys.stdout.flush()
    except _BadInput as exc:
        print(f"asyncbatch: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("asyncbatch: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of stdout went away (``| head``): what is left to write
        # goes nowhere, and the exit status says so as a shell would.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 128 + 13

    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asyncbatch",
        description="Process AWS Lambda batches locally with asyncbatch.",
    )
    commands = parser.add_subparsers(title="commands", required=True)

    demo = commands.add_parser(
        "demo",
        help="run a bundled, generated SQS batch and show what happened",
        description=(
            "Run a generated SQS batch through a bundled handler that simulates "
            "I/O and fails a few records, and show what happened."
        ),
    )
    demo.add_argument("--count", type=_count, default=1000, help="records (1000)")
    demo.add_argument(
        "--max-concurrency", type=_concurrency, default=100, help="bound (100)"
    )
    demo.set_defaults(command=_demo)

    run = commands.add_parser(
        "run",
        help="run a record handler over an event file",
        description=(
            "Import MODULE:FUNCTION (the current directory first on the path) and "
            "run it over EVENT_FILE ('-' for standard input). The partial batch "
            "response goes to standard output, a summary to standard error."
        ),
    )
    run.add_argument("handler", metavar="MODULE:FUNCTION")
    run.add_argument("event_file", metavar="EVENT_FILE")
    run.add_argument(
        "--event-type",
        choices=sorted(_EVENT_TYPES),
        help="the event source (default: read from the records)",
    )
    run.add_argument(
        "--model",
        metavar="dict|MODULE:NAME",
        help=(
            "what the handler receives: 'dict' for raw records, or a pydantic model "
            "class, e.g. my_module:processor.model (default: the typed record)"
        ),
    )
    run.add_argument(
        "--max-concurrency",
        type=_concurrency,
        default=10,
        metavar="N",
        help="records in flight at once (10)",
    )
    run.add_argument(
        "--record-timeout",
        type=_positive_seconds,
        default=None,
        metavar="SECONDS",
        help="seconds each handler may run (no limit)",
    )
    run.add_argument(
        "--deadline-margin",
        type=_seconds,
        default=1.0,
        metavar="SECONDS",
        help="seconds kept free before the deadline of --remaining-time (1.0)",
    )
    run.add_argument(
        "--no-raise-on-entire-batch-failure",
        dest="raise_on_entire_batch_failure",
        action="store_false",
        help="list every record in the response instead of raising",
    )
    run.add_argument(
        "--stop-on-first-failure", action="store_true", help="start nothing after one"
    )
    run.add_argument(
        "--no-key-ordering",
        dest="key_ordering",
        action="store_false",
        help="run stream records without per-key order",
    )
    run.add_argument(
        "--remaining-time",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="simulate a Lambda context with this much time left",
    )
    run.set_defaults(command=_run)

    event = commands.add_parser(
        "event",
        help="print a sample event for local testing",
        description="Print a realistic sample event as JSON.",
    )
    event.add_argument("source", choices=SAMPLE_SOURCES)
    event.add_argument("--count", type=_count, default=3, help="records (3)")
    event.set_defaults(command=_event)
    return parser


def _count(text: str) -> int:
    value: int = _number(text, int, "a whole number")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text}")

    return value


def _concurrency(text: str) -> int:
    value: int = _number(text, int, "a whole number")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {text}")

    return value


def _seconds(text: str) -> float:
    value: float = _number(text, float, "a number of seconds")
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, not {text}")

    return value


def _positive_seconds(text: str) -> float:
    value = _seconds(text)
    if value == 0:
        raise argparse.ArgumentTypeError(
            "must be greater than 0 (leave it out for no limit)"
        )

    return value


def _number(text: str, kind: Callable[[str], Any], what: str) -> Any:
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {what}, not {text!r}") from None


# -- run ---------------------------------------------------------------------------


def _run(arguments: argparse.Namespace) -> int:
    handler = _import("handler", arguments.handler)
    if not callable(handler):
        raise _BadInput(f"the handler {arguments.handler!r} is not callable")

    model: Any = arguments.model
    if model == "dict":
        model = dict
    elif model is not None:
        model = _import("model", model)

    event = _read_event(arguments.event_file)
    try:
        processor = BatchProcessor(
            _EVENT_TYPES[arguments.event_type] if arguments.event_type else None,
            model=model,
            max_concurrency=arguments.max_concurrency,
            record_timeout=arguments.record_timeout,
            raise_on_entire_batch_failure=arguments.raise_on_entire_batch_failure,
            deadline_margin=arguments.deadline_margin,
            stop_on_first_failure=arguments.stop_on_first_failure,
            key_ordering=arguments.key_ordering,
        )
    except (TypeError, ValueError) as exc:
        raise _BadInput(str(exc)) from None

    context = None
    if arguments.remaining_time is not None:
        from .testing import FakeLambdaContext

        context = FakeLambdaContext(remaining=arguments.remaining_time)

    result, raised = _process(processor, event, handler, context)
    print(json.dumps(result.response(), indent=2))
    _summarise(result, sys.stderr, raised=raised)
    return EXIT_ALL_FAILED if result.all_failed else EXIT_OK


def _process(
    processor: BatchProcessor, event: object, handler: Any, context: object
) -> tuple[BatchResult, bool]:
    total = _record_count(event)
    progress = _Progress(sys.stderr, total) if total >= 1000 else None
    try:
        if progress is None:
            return processor.process(event, handler, context), False

        coro = progress.around(processor, event, handler, context)
        return _loop.run(coro, async_api="process_async"), False
    except InvalidEventError as exc:
        raise _BadInput(f"invalid event: {exc}") from None
    except BatchProcessingError as exc:
        return exc.result, True
    except TypeError as exc:
        # Raised before any record runs: the handler or the model is unusable.
        raise _BadInput(str(exc)) from None
    finally:
        if progress is not None:
            progress.clear()


def _import(what: str, spec: str) -> Any:
    """The object that ``MODULE:NAME`` names (NAME may be dotted), for ``what``."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise _BadInput(f"the {what} must be given as MODULE:NAME, not {spec!r}")

    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)

    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - reported as bad input, any cause
        raise _BadInput(
            f"cannot import {module_name!r}: {type(exc).__name__}: {exc}"
        ) from None

    try:
        return operator.attrgetter(attribute)(module)
    except AttributeError:
        raise _BadInput(f"{module_name!r} has no attribute {attribute!r}") from None


def _read_event(path: str) -> Any:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as file:
                text = file.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise _BadInput(f"cannot read {path!r}: {exc}") from None

    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = "standard input" if path == "-" else repr(path)
        raise _BadInput(f"{where} is not valid JSON: {exc}") from None


def _record_count(event: object) -> int:
    records = event.get("Records") if isinstance(event, dict) else None
    return len(records) if isinstance(records, list) else 0


class _Progress:
    """A one-line progress display on a terminal, for long runs."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream = stream
        self.total = total
        self.shown = stream.isatty()
        self.started = time.monotonic()

    async def around(
        self, processor: BatchProcessor, event: object, handler: Any, context: object
    ) -> BatchResult:
        from ._engine import watch

        with watch(self.show):
            return await processor.process_async(event, handler, context)

    def show(self, settled: int) -> None:
        if self.shown:
            elapsed = time.monotonic() - self.started
            self.stream.write(
                f"\r{settled}/{self.total} records settled ({elapsed:.1f} s)"
            )
            self.stream.flush()

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


# -- summaries ---------------------------------------------------------------------

_SOURCE_NAMES = {
    EventType.SQS: "SQS",
    EventType.KINESIS: "Kinesis",
    EventType.DYNAMODB: "DynamoDB Streams",
}

_KIND_LABELS = {
    "handler": "raised",
    "invalid": "invalid payload",
    "timed_out": "timed out",
    "skipped": "skipped",
    "deadline": "past the deadline",
}


def _summarise(result: BatchResult, out: TextIO, *, raised: bool = False) -> None:
    from ._logging import failure_kind
    from ._render import exception_message

    total = len(result)
    failures = result.failures
    kinds: dict[str, int] = {}
    for outcome in failures:
        kind = failure_kind(outcome.exception, outcome.duration)
        kinds[kind] = kinds.get(kind, 0) + 1

    detail = ", ".join(f"{count} {_KIND_LABELS[kind]}" for kind, count in kinds.items())
    source = f"{_SOURCE_NAMES[result.event_type]} " if total else ""
    print(
        f"{total} {source}records: "
        f"{total - len(failures)} succeeded, {len(failures)} failed"
        + (f" ({detail})" if detail else "")
        + f" in {result.duration:.3f} s; peak concurrency {result.peak_concurrency}",
        file=out,
    )
    if result.abandoned_threads:
        print(f"abandoned worker threads: {result.abandoned_threads}", file=out)

    if raised:
        print(
            "every record failed: the processor raised BatchProcessingError", file=out
        )

    shown = failures[:20]
    for outcome in shown:
        exc = outcome.exception
        assert exc is not None
        print(
            f"  record {outcome.index} ({outcome.item_identifier}): "
            f"{type(exc).__name__}: {exception_message(exc)}",
            file=out,
        )

    if len(failures) > len(shown):
        print(f"  ... and {len(failures) - len(shown)} more", file=out)


# -- demo --------------------------------------------------------------------------


def _demo(arguments: argparse.Namespace) -> int:
    from . import _demo
    from .testing import sample_event

    event = sample_event("sqs", arguments.count)
    processor = BatchProcessor(
        max_concurrency=arguments.max_concurrency, record_timeout=_demo.TIMEOUT
    )
    print(
        f"Processing {arguments.count} generated SQS records: each handler simulates "
        f"{_demo.DESCRIPTION}, at max_concurrency={arguments.max_concurrency}, "
        f"record_timeout={_demo.TIMEOUT:g} s.\n"
    )
    started = time.perf_counter()
    result, raised = _process(processor, event, _demo.handle_order, None)
    wall = time.perf_counter() - started

    _summarise(result, sys.stdout, raised=raised)
    handler_time = sum(o.duration or 0.0 for o in result.outcomes)
    print(f"\nwall time: {wall:.2f} s")
    if wall > 0 and handler_time > 0:
        speed_up = handler_time / wall
        print(
            f"summed handler time: {handler_time:.2f} s, so one record at a time "
            f"would have taken about that long: a speed-up of {speed_up:.1f}x"
        )

    response = result.response()
    print(
        f"\npartial batch response: {len(response['batchItemFailures'])} "
        "item identifiers for Lambda to retry"
    )
    return EXIT_ALL_FAILED if result.all_failed else EXIT_OK


# -- event -------------------------------------------------------------------------


def _event(arguments: argparse.Namespace) -> int:
    from .testing import sample_event

    print(json.dumps(sample_event(arguments.source, arguments.count), indent=2))
    return EXIT_OK
