"""The payload types of the typed records type-check for users (mypy --strict)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

USAGE = """
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel
from typing_extensions import assert_type

from asyncbatch._records import (
    DynamoDBRecord,
    KinesisRecord,
    S3EventNotification,
    SnsNotification,
    SqsRecord,
)


class Order(BaseModel):
    order_id: int


def sqs(
    raw: SqsRecord,
    typed: SqsRecord[Order],
    sns: SqsRecord[SnsNotification[Order]],
) -> None:
    assert_type(raw.body, str)
    assert_type(typed.body, Order)
    assert_type(sns.body.message, Order)
    assert_type(raw.attributes.approximate_receive_count, int | None)
    assert_type(raw.attributes.sent_timestamp, datetime | None)
    assert_type(raw.message_attributes["a"].binary_value, bytes | None)
    assert_type(raw.queue_url, str | None)
    assert_type(raw.json_body, Any)


def kinesis(raw: KinesisRecord, typed: KinesisRecord[Order]) -> None:
    assert_type(raw.kinesis.data, bytes)
    assert_type(typed.kinesis.data, Order)
    assert_type(raw.kinesis.data_as_text(), str)
    assert_type(raw.kinesis.partition_key, str)


def dynamodb(raw: DynamoDBRecord, typed: DynamoDBRecord[Order]) -> None:
    assert_type(raw.dynamodb.new_image, dict[str, Any] | None)
    assert_type(typed.dynamodb.new_image, Order | None)
    assert_type(raw.dynamodb.keys, dict[str, Any])
    assert_type(raw.event_name, Literal["INSERT", "MODIFY", "REMOVE"] | None)


def s3(record: SqsRecord[S3EventNotification]) -> None:
    assert_type(record.body.records[0].s3.object.key, str)


def misspelt(record: SqsRecord) -> None:
    print(record.mesage_id)
"""


def test_payload_types(tmp_path: Path) -> None:
    """Parametrized records give their payload type; misspelt names are errors."""
    usage = tmp_path / "usage.py"
    usage.write_text(textwrap.dedent(USAGE))

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--python-version=3.10",
            f"--cache-dir={tmp_path / 'cache'}",
            str(usage),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[1],
    )

    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, result.stdout
    assert '"SqsRecord[str]" has no attribute "mesage_id"' in errors[0]
