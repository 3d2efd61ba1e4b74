"""SQS events, standard and FIFO, shaped like the ones Lambda delivers."""

from __future__ import annotations

import base64
import copy
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from ._common import (
    BASE_EPOCH,
    DEFAULT_ACCOUNT_ID,
    DEFAULT_REGION,
    Generator,
    Payload,
    check_name,
    check_ordering_keys,
    encode_text,
    entries_or_count,
    override,
)

__all__ = ["sqs_event", "sqs_fifo_event"]

# FIFO sequence numbers are 20 digits and grow with every message of the queue.
_FIFO_SEQUENCE_BASE = 18_000_000_000_000_000_000


def sqs_event(
    bodies: Iterable[Payload] | None = None,
    *,
    count: int | None = None,
    queue: str = "my-queue",
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    message_ids: Sequence[str] | None = None,
    message_attributes: Mapping[str, Any] | None = None,
    receive_count: int = 1,
    seed: int = 0,
) -> dict[str, Any]:
    """Build an event from a standard SQS queue, one record per body.

    :param bodies: the record bodies, in batch order; a ``str`` is used as is,
        anything else is dumped as JSON.
    :param count: instead of ``bodies``: that many records with the JSON bodies
        ``{"index": 0}``, ``{"index": 1}``, ...
    :param queue: the queue name, used in ``eventSourceARN``.
    :param message_ids: the records' ``messageId`` values, one per record
        (duplicates allowed); by default reproducible UUIDs drawn from ``seed``.
    :param message_attributes: ``messageAttributes`` of every record: a ``str``
        becomes a ``String`` attribute, an ``int`` or ``Decimal`` a ``Number``,
        ``bytes`` a ``Binary``; a mapping is taken as the attribute's wire form.
    :param receive_count: ``ApproximateReceiveCount`` of every record.
    :param seed: what generated ids and timestamps are drawn from.
    :raises ValueError: when both or neither of ``bodies`` and ``count`` are
        given, or the queue name ends in ``.fifo`` (use :func:`sqs_fifo_event`).
    :raises TypeError: when a body is neither a ``str`` nor JSON-able.
    """
    check_name(queue, "queue")
    if queue.endswith(".fifo"):
        raise ValueError(
            f"queue {queue!r} is a FIFO queue; build its events with sqs_fifo_event"
        )

    entries = entries_or_count(bodies, count, "bodies")
    if isinstance(entries, int):
        texts = [f'{{"index": {index}}}' for index in range(entries)]
    else:
        texts = [
            encode_text(body, f"bodies[{index}]") for index, body in enumerate(entries)
        ]

    builder = _Builder(
        queue, region, account_id, message_attributes, receive_count, seed
    )
    ids = override(message_ids, len(texts), "message_ids")
    records = [
        builder.record(text, None if ids is None else ids[index])
        for index, text in enumerate(texts)
    ]
    return {"Records": records}


def sqs_fifo_event(
    records: Mapping[str, Iterable[Payload]]
    | Iterable[tuple[str, Payload]]
    | None = None,
    *,
    count: int | None = None,
    ordering_keys: int = 1,
    queue: str = "my-queue.fifo",
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    message_ids: Sequence[str] | None = None,
    deduplication_ids: Sequence[str] | None = None,
    message_attributes: Mapping[str, Any] | None = None,
    receive_count: int = 1,
    seed: int = 0,
) -> dict[str, Any]:
    """Build an event from an SQS FIFO queue.

    Every record carries ``MessageGroupId``, ``MessageDeduplicationId`` and a
    ``SequenceNumber`` that grows in batch order, and the ARN ends in ``.fifo``.

    :param records: either a mapping from message group id to that group's
        bodies (the groups follow each other in mapping order), or
        ``(message_group_id, body)`` pairs in batch order, to interleave groups.
        A ``str`` body is used as is, anything else is dumped as JSON.
    :param count: instead of ``records``: that many records with the JSON bodies
        ``{"index": 0}``, ... dealt in turn to the groups ``group-0``,
        ``group-1``, ... (``ordering_keys`` of them).
    :param ordering_keys: how many message groups ``count`` spreads over.
    :param queue: the queue name; it must end in ``.fifo``.
    :param message_ids: the records' ``messageId`` values, one per record.
    :param deduplication_ids: the records' ``MessageDeduplicationId`` values; by
        default the SHA-256 of the body, as content-based deduplication makes it.
    :param message_attributes: as for :func:`sqs_event`.
    :param receive_count: ``ApproximateReceiveCount`` of every record.
    :param seed: what generated ids and timestamps are drawn from.
    :raises ValueError: when both or neither of ``records`` and ``count`` are
        given, the queue name does not end in ``.fifo``, or a group id is empty.
    :raises TypeError: when a group id is not a ``str`` or a body is neither a
        ``str`` nor JSON-able.
    """
    check_name(queue, "queue")
    if not queue.endswith(".fifo"):
        raise ValueError(f"queue {queue!r} of a FIFO queue must end in '.fifo'")

    pairs = _group_pairs(records, count, ordering_keys)
    builder = _Builder(
        queue, region, account_id, message_attributes, receive_count, seed
    )
    ids = override(message_ids, len(pairs), "message_ids")
    dedup_ids = override(deduplication_ids, len(pairs), "deduplication_ids")

    sequence_number = _FIFO_SEQUENCE_BASE + builder.ids.below(10**18)
    built = []
    for index, (group, text) in enumerate(pairs):
        sequence_number += 1 + builder.ids.below(2**20)
        dedup_id = (
            hashlib.sha256(text.encode("utf-8")).hexdigest()
            if dedup_ids is None
            else dedup_ids[index]
        )
        fifo = {
            "SequenceNumber": str(sequence_number),
            "MessageGroupId": group,
            "MessageDeduplicationId": dedup_id,
        }
        built.append(builder.record(text, None if ids is None else ids[index], fifo))

    return {"Records": built}


def _group_pairs(
    records: Mapping[str, Iterable[Payload]] | Iterable[tuple[str, Payload]] | None,
    count: int | None,
    ordering_keys: int,
) -> list[tuple[str, str]]:
    groups = check_ordering_keys(ordering_keys)
    if isinstance(records, Mapping):
        for group, bodies in records.items():
            if isinstance(bodies, (str, bytes)):
                raise TypeError(
                    f"records[{group!r}] must be a list of bodies, not a single "
                    f"{type(bodies).__name__}"
                )

        records = [
            (group, body) for group, bodies in records.items() for body in bodies
        ]

    entries = entries_or_count(records, count, "records")
    if isinstance(entries, int):
        return [
            (f"group-{index % groups}", f'{{"index": {index}}}')
            for index in range(entries)
        ]

    pairs = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, tuple) or len(entry) != 2:
            raise TypeError(
                f"records[{index}] must be a (message_group_id, body) pair, "
                f"not {type(entry).__name__}"
            )

        group, body = entry
        check_name(group, f"records[{index}] message group id")
        pairs.append((group, encode_text(body, f"records[{index}] body")))

    return pairs


class _Builder:
    """Builds the records of one SQS event."""

    __slots__ = ("_arn", "_attributes", "_receive_count", "_region", "_sent", "ids")

    def __init__(
        self,
        queue: str,
        region: str,
        account_id: str,
        message_attributes: Mapping[str, Any] | None,
        receive_count: int,
        seed: int,
    ) -> None:
        check_name(region, "region")
        check_name(account_id, "account_id")
        if isinstance(receive_count, bool) or not isinstance(receive_count, int):
            raise TypeError(
                f"receive_count must be an int, not {type(receive_count).__name__}"
            )

        if receive_count < 1:
            raise ValueError(f"receive_count must be >= 1, not {receive_count}")

        self._arn = f"arn:aws:sqs:{region}:{account_id}:{queue}"
        self._region = region
        self._attributes = _message_attributes(message_attributes)
        self._receive_count = str(receive_count)
        self.ids = Generator(seed)
        self._sent = BASE_EPOCH * 1000 + self.ids.below(10**6)

    def record(
        self, body: str, message_id: str | None, fifo: dict[str, str] | None = None
    ) -> dict[str, Any]:
        self._sent += 1 + self.ids.below(50)
        attributes = {
            "ApproximateReceiveCount": self._receive_count,
            "SentTimestamp": str(self._sent),
        }
        if fifo is not None:
            attributes.update(fifo)

        attributes["SenderId"] = "AIDA" + self.ids.upper(17)
        attributes["ApproximateFirstReceiveTimestamp"] = str(
            self._sent + self.ids.below(20)
        )

        return {
            "messageId": self.ids.uuid() if message_id is None else message_id,
            "receiptHandle": "AQEB" + self.ids.token(96),
            "body": body,
            "attributes": attributes,
            # A copy per record, so that editing one record edits no other.
            "messageAttributes": copy.deepcopy(self._attributes),
            "md5OfBody": hashlib.md5(body.encode("utf-8")).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": self._arn,
            "awsRegion": self._region,
        }


def _message_attributes(
    attributes: Mapping[str, Any] | None,
) -> dict[str, dict[str, Any]]:
    if attributes is None:
        return {}

    if not isinstance(attributes, Mapping):
        raise TypeError(
            f"message_attributes must be a mapping, not {type(attributes).__name__}"
        )

    wire = {}
    for name, value in attributes.items():
        check_name(name, "a message_attributes name")
        wire[name] = _attribute(value, name)

    return wire


def _attribute(value: object, name: str) -> dict[str, Any]:
    # Lambda sends both list fields, empty, on every message attribute.
    if isinstance(value, Mapping):
        return dict(value)

    if isinstance(value, str):
        return _wire("stringValue", value, "String")

    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return _wire("stringValue", str(value), "Number")

    if isinstance(value, (bytes, bytearray, memoryview)):
        text = base64.b64encode(bytes(value)).decode("ascii")
        return _wire("binaryValue", text, "Binary")

    raise TypeError(
        f"message_attributes[{name!r}] must be str, int, Decimal, bytes or the "
        f"attribute's wire mapping, not {type(value).__name__}"
    )


def _wire(field: str, value: str, data_type: str) -> dict[str, Any]:
    return {
        field: value,
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": data_type,
    }
