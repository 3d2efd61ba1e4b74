"""Kinesis Data Streams events, shaped like the ones Lambda delivers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._common import (
    BASE_EPOCH,
    DEFAULT_ACCOUNT_ID,
    DEFAULT_REGION,
    Generator,
    Payload,
    check_name,
    check_ordering_keys,
    encode_data,
    entries_or_count,
)

__all__ = ["kinesis_event"]

# Kinesis sequence numbers are 56 digits. Starting here and stepping by less than
# 2**100 a record keeps every batch, however large, at 56 digits.
_SEQUENCE_BASE = 495 * 10**53


def kinesis_event(
    records: Iterable[tuple[str, Payload]] | None = None,
    *,
    count: int | None = None,
    ordering_keys: int = 1,
    stream: str = "my-stream",
    shard_id: str = "shardId-000000000000",
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    seed: int = 0,
) -> dict[str, Any]:
    """Build an event from a Kinesis data stream.

    Sequence numbers are 56-digit strings that grow in batch order, as they do
    within one shard; ``eventID`` is ``shard_id:sequenceNumber``.

    :param records: ``(partition_key, data)`` pairs in batch order. ``bytes`` data
        is sent as it is, a ``str`` as UTF-8, anything else as JSON; either way it
        is base64-encoded for you.
    :param count: instead of ``records``: that many records with the JSON data
        ``{"index": 0}``, ... dealt in turn to the partition keys
        ``partition-key-0``, ``partition-key-1``, ... (``ordering_keys`` of them).
    :param ordering_keys: how many partition keys ``count`` spreads over.
    :param stream: the stream name, used in ``eventSourceARN``.
    :param shard_id: the shard the records come from, used in ``eventID``.
    :param seed: what sequence numbers and timestamps are drawn from.
    :raises ValueError: when both or neither of ``records`` and ``count`` are
        given, or a partition key is empty.
    :raises TypeError: when a partition key is not a ``str`` or data is neither
        bytes, a ``str`` nor JSON-able.
    """
    keys = check_ordering_keys(ordering_keys)
    check_name(stream, "stream")
    check_name(shard_id, "shard_id")
    check_name(region, "region")
    check_name(account_id, "account_id")

    entries = entries_or_count(records, count, "records")
    if isinstance(entries, int):
        pairs = [
            (f"partition-key-{index % keys}", {"index": index})
            for index in range(entries)
        ]
    else:
        pairs = _checked(entries)

    ids = Generator(seed)
    arn = f"arn:aws:kinesis:{region}:{account_id}:stream/{stream}"
    role = f"arn:aws:iam::{account_id}:role/lambda-role"
    sequence_number = _SEQUENCE_BASE + ids.below(2**160)
    arrival_ms = BASE_EPOCH * 1000 + ids.below(10**6)

    built = []
    for index, (partition_key, data) in enumerate(pairs):
        sequence_number += 1 + ids.below(2**100)
        arrival_ms += ids.below(200)
        built.append(
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": partition_key,
                    "sequenceNumber": str(sequence_number),
                    "data": encode_data(data, f"records[{index}] data"),
                    "approximateArrivalTimestamp": arrival_ms / 1000,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"{shard_id}:{sequence_number}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": role,
                "awsRegion": region,
                "eventSourceARN": arn,
            }
        )

    return {"Records": built}


def _checked(entries: list[tuple[str, Payload]]) -> list[tuple[str, Payload]]:
    for index, entry in enumerate(entries):
        if not isinstance(entry, tuple) or len(entry) != 2:
            raise TypeError(
                f"records[{index}] must be a (partition_key, data) pair, "
                f"not {type(entry).__name__}"
            )

        check_name(entry[0], f"records[{index}] partition key")

    return entries
