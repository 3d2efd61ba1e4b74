"""The ``asyncbatch`` command line (SPEC section 9), run as a user runs it.

Every test starts ``python -m asyncbatch`` in a fresh process, from a folder that
holds a small handler module, so the current directory is first on the import
path exactly as it is for a user.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]

#: The four events the core runtime names, and the identifiers Lambda must get
#: back when every record fails (from ``SOURCES.md`` beside the fixtures).
HEADLINE = {
    "sqsEvent.json": [
        "059f36b4-87a3-44ab-83d2-661975830a7d",
        "2e1424d4-f796-459a-8184-9c92662be6da",
    ],
    "kinesisStreamEvent.json": [
        "49590338271490256608559692538361571095921575989136588898",
        "49590338271490256608559692540925702759324208523137515618",
    ],
    "dynamoStreamEvent.json": ["111", "222"],
    "snsSqsFifoEvent.json": ["69bc4bbd-ed69-4325-a434-85c3b428ceab"],
}

HANDLERS = """\
import asyncio

from pydantic import BaseModel

from asyncbatch import SqsRecord


class Order(BaseModel):
    order_id: int


OrderRecord = SqsRecord[Order]


async def succeeds(record):
    await asyncio.sleep(0)
    return "ok"


def always_fails(record):
    raise ValueError("this record fails")


def order_id(record):
    return record.body.order_id


def raw_id(record):
    return record["messageId"]


def blocks(record):
    import time

    time.sleep(0.2)


not_callable = 42
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A working folder holding ``handlers.py``."""
    (tmp_path / "handlers.py").write_text(HANDLERS)
    return tmp_path


def asyncbatch(
    folder: Path, *arguments: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m asyncbatch ARGUMENTS`` in ``folder``."""
    return subprocess.run(
        [sys.executable, "-m", "asyncbatch", *arguments],
        cwd=folder,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def failed(completed: subprocess.CompletedProcess[str]) -> list[str]:
    response: dict[str, Any] = json.loads(completed.stdout)
    return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]


# -- run over the real events --------------------------------------------------------


@pytest.mark.parametrize("name", list(HEADLINE))
def test_an_always_failing_handler_lists_every_identifier(
    name: str, folder: Path, shared_events: Path
) -> None:
    """Every record failing, with raising off: the exact identifiers, exit 1."""
    done = asyncbatch(
        folder,
        "run",
        "handlers:always_fails",
        str(shared_events / name),
        "--no-raise-on-entire-batch-failure",
    )

    assert done.returncode == 1, done.stderr
    assert failed(done) == HEADLINE[name]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("name", list(HEADLINE))
def test_a_succeeding_handler_gives_no_failures(
    name: str, folder: Path, shared_events: Path
) -> None:
    """A handler that succeeds gives ``F[]`` and exit 0, with a summary on stderr."""
    done = asyncbatch(folder, "run", "handlers:succeeds", str(shared_events / name))

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"batchItemFailures": []}
    count = len(HEADLINE[name])
    assert f"{count} succeeded, 0 failed" in done.stderr


def test_every_record_failing_raises_by_default_and_still_prints(
    folder: Path, shared_events: Path
) -> None:
    """By default the processor raises; the response and the reason are shown."""
    event = str(shared_events / "sqsEvent.json")
    done = asyncbatch(folder, "run", "handlers:always_fails", event)

    assert done.returncode == 1
    assert failed(done) == HEADLINE["sqsEvent.json"]
    assert "raised BatchProcessingError" in done.stderr


# -- options ---------------------------------------------------------------------------


def _orders(*bodies: str) -> str:
    records = [
        {
            "messageId": f"m-{i}",
            "receiptHandle": f"rh-{i}",
            "body": body,
            "eventSource": "aws:sqs",
        }
        for i, body in enumerate(bodies)
    ]
    return json.dumps({"Records": records})


def test_model_names_a_pydantic_model_in_a_module(folder: Path) -> None:
    """``--model MODULE:NAME`` gives the handler that model; a bad body fails."""
    event = _orders('{"order_id": 1}', '{"order_id": "x"}')
    done = asyncbatch(
        folder,
        "run",
        "handlers:order_id",
        "-",
        "--model",
        "handlers:OrderRecord",
        stdin=event,
    )

    assert done.returncode == 0, done.stderr
    assert failed(done) == ["m-1"]
    assert "1 invalid payload" in done.stderr


def test_model_dict_gives_raw_records(folder: Path) -> None:
    """``--model dict`` hands the handler the raw record."""
    done = asyncbatch(
        folder, "run", "handlers:raw_id", "-", "--model", "dict", stdin=_orders("{}")
    )

    assert done.returncode == 0, done.stderr
    assert failed(done) == []


def test_record_timeout_and_remaining_time(folder: Path) -> None:
    """A record past ``--record-timeout`` fails as timed out; the rest succeed."""
    done = asyncbatch(
        folder,
        "run",
        "handlers:blocks",
        "-",
        "--model",
        "dict",
        "--record-timeout",
        "0.05",
        "--remaining-time",
        "30",
        stdin=_orders("{}", "{}"),
    )

    assert done.returncode == 1
    assert "2 timed out" in done.stderr
    assert "abandoned worker threads: 2" in done.stderr


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "stdin", "message"),
    [
        (["handlers:succeeds", "missing.json"], None, "cannot read 'missing.json'"),
        (["handlers:succeeds", "-"], "{not json", "standard input is not valid JSON"),
        (["handlers:succeeds", "-"], '{"records": []}', "invalid event: .*'Records'"),
        (["handlers", "-"], "{}", "must be given as MODULE:NAME"),
        (["nowhere:handler", "-"], "{}", "cannot import 'nowhere'"),
        (["handlers:missing", "-"], "{}", "'handlers' has no attribute 'missing'"),
        (["handlers:not_callable", "-"], "{}", "is not callable"),
        (
            ["handlers:succeeds", "-", "--record-timeout", "0"],
            "{}",
            "--record-timeout: must be greater than 0",
        ),
        (
            ["handlers:succeeds", "-", "--record-timeout", "-1"],
            "{}",
            "--record-timeout: must be a finite number >= 0",
        ),
        (
            ["handlers:succeeds", "-", "--model", "handlers:not_callable"],
            "{}",
            "model",
        ),
        (["handlers:succeeds", "-", "--max-concurrency", "0"], "{}", "at least 1"),
        (["handlers:succeeds", "-", "--deadline-margin", "-1"], "{}", ">= 0"),
        (["handlers:succeeds", "-", "--event-type", "sns"], "{}", "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(
    folder: Path, arguments: list[str], stdin: str | None, message: str
) -> None:
    """Bad input: exit 2, a message that names the problem, no traceback."""
    done = asyncbatch(folder, "run", *arguments, stdin=stdin)

    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert re.search(message, done.stderr), done.stderr


def test_kafka_events_are_refused_as_not_supported_yet(
    folder: Path, shared_events: Path
) -> None:
    """A Kafka event exits 2 saying Kafka is not supported yet."""
    done = asyncbatch(
        folder, "run", "handlers:succeeds", str(shared_events / "kafkaEventMsk.json")
    )

    assert done.returncode == 2
    assert "not supported yet" in done.stderr


# -- event and demo --------------------------------------------------------------------


@pytest.mark.parametrize("source", ["sqs", "sqs-fifo", "kinesis", "dynamodb"])
def test_sample_events_feed_back_into_run(source: str, folder: Path) -> None:
    """``asyncbatch event`` prints an event that ``asyncbatch run`` processes."""
    event = asyncbatch(folder, "event", source, "--count", "4")
    assert event.returncode == 0, event.stderr

    done = asyncbatch(folder, "run", "handlers:succeeds", "-", stdin=event.stdout)

    assert done.returncode == 0, done.stderr
    assert len(json.loads(event.stdout)["Records"]) == 4
    assert "4 succeeded" in done.stderr


def test_a_closed_pipe_ends_the_command_quietly(folder: Path) -> None:
    """Output piped into a reader that stops early leaves no traceback."""
    command = [sys.executable, "-m", "asyncbatch", "event", "sqs", "--count", "3000"]
    with subprocess.Popen(
        command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as writer:
        assert writer.stdout is not None
        assert writer.stderr is not None
        writer.stdout.readline()
        writer.stdout.close()
        error = writer.stderr.read().decode()
        status = writer.wait(timeout=60)

    assert "Traceback" not in error
    assert status == 141


def test_demo_runs_and_labels_its_speed_up(folder: Path) -> None:
    """The demo prints counts, failures, wall time and the labelled speed-up."""
    done = asyncbatch(folder, "demo", "--count", "200")

    assert done.returncode == 0, done.stderr
    assert "200 SQS records" in done.stdout
    assert "wall time" in done.stdout
    assert "one record at a time would have taken about that long" in done.stdout
