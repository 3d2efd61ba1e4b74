"""DynamoDB Streams events, with keys and images built from Python values."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .._records._literals import STREAM_VIEW_TYPES, EventName, StreamViewType
from ._common import (
    BASE_EPOCH,
    DEFAULT_ACCOUNT_ID,
    DEFAULT_REGION,
    Generator,
    check_name,
    check_ordering_keys,
    entries_or_count,
)

__all__ = [
    "DynamoDBChange",
    "StreamViewType",
    "dynamodb_event",
    "dynamodb_insert",
    "dynamodb_modify",
    "dynamodb_remove",
]

# Which images each stream view type lets through (new, old): those its name says.
_VIEWS: dict[str, tuple[bool, bool]] = {
    view: ("NEW" in view, "OLD" in view) for view in STREAM_VIEW_TYPES
}

# The identity DynamoDB puts on the deletions its time to live makes.
_TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}

# Stream sequence numbers seen in the wild run from 21 to 28 digits; these are 28.
_SEQUENCE_BASE = 4 * 10**27

_Bytes = (bytes, bytearray, memoryview)

# What SizeBytes stands for: the item data of a stream record.
_SIZED = ("Keys", "NewImage", "OldImage")


@dataclass(frozen=True, slots=True)
class DynamoDBChange:
    """One change to one item, for :func:`dynamodb_event`.

    Build it with :func:`dynamodb_insert`, :func:`dynamodb_modify` or
    :func:`dynamodb_remove`; the keys and images are already in DynamoDB's
    attribute value form (``{"N": "42"}``).
    """

    event_name: EventName
    keys: dict[str, Any]
    new_image: dict[str, Any] | None
    old_image: dict[str, Any] | None
    ttl: bool = False


def dynamodb_insert(
    keys: Mapping[str, Any], new_image: Mapping[str, Any] | None = None
) -> DynamoDBChange:
    """An ``INSERT``: an item was written where none was.

    :param keys: the item's primary key attributes (``str``, ``int``,
        ``Decimal`` or ``bytes`` values).
    :param new_image: the item's other attributes as Python values (see
        :func:`dynamodb_event` for how each type converts); the key attributes are
        added to it. By default the item holds only its keys.
    :raises TypeError: when a value has no DynamoDB type, naming where it is.
    :raises ValueError: when ``keys`` is empty, an image contradicts the keys,
        or a set is empty.
    """
    wire_keys = _keys(keys)
    return DynamoDBChange(
        "INSERT", wire_keys, _image(keys, new_image, "new_image"), None
    )


def dynamodb_modify(
    keys: Mapping[str, Any],
    old_image: Mapping[str, Any] | None = None,
    new_image: Mapping[str, Any] | None = None,
) -> DynamoDBChange:
    """A ``MODIFY``: an existing item was overwritten or updated.

    :param keys: the item's primary key attributes.
    :param old_image: the item before the change, without or with its keys.
    :param new_image: the item after the change, without or with its keys.
    :raises TypeError: when a value has no DynamoDB type, naming where it is.
    :raises ValueError: when ``keys`` is empty, an image contradicts the keys,
        or a set is empty.
    """
    wire_keys = _keys(keys)
    return DynamoDBChange(
        "MODIFY",
        wire_keys,
        _image(keys, new_image, "new_image"),
        _image(keys, old_image, "old_image"),
    )


def dynamodb_remove(
    keys: Mapping[str, Any],
    old_image: Mapping[str, Any] | None = None,
    *,
    ttl: bool = False,
) -> DynamoDBChange:
    """A ``REMOVE``: an item was deleted.

    :param keys: the item's primary key attributes.
    :param old_image: the item before it was deleted, without or with its keys.
    :param ttl: the item expired through the table's time to live, so the record
        carries DynamoDB's own ``userIdentity``.
    :raises TypeError: when a value has no DynamoDB type, naming where it is.
    :raises ValueError: when ``keys`` is empty, the image contradicts the keys,
        or a set is empty.
    """
    wire_keys = _keys(keys)
    image = _image(keys, old_image, "old_image")
    return DynamoDBChange("REMOVE", wire_keys, None, image, bool(ttl))


def dynamodb_event(
    changes: Iterable[DynamoDBChange] | None = None,
    *,
    count: int | None = None,
    ordering_keys: int = 1,
    stream_view_type: StreamViewType = "NEW_AND_OLD_IMAGES",
    table: str = "my-table",
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    seed: int = 0,
) -> dict[str, Any]:
    """Build an event from a DynamoDB stream, one record per change.

    Python values convert to attribute values exactly: ``str`` to ``S``; ``int``
    and ``Decimal`` to ``N`` as exact decimal text (never through ``float``, which
    is refused); ``bytes`` to ``B``; ``bool`` to ``BOOL``; ``None`` to ``NULL``;
    a set of strings, numbers or bytes to ``SS``, ``NS`` or ``BS``; a mapping to
    ``M``; a list or tuple to ``L``. Sequence numbers grow in batch order.

    :param changes: the changes in batch order, from :func:`dynamodb_insert`,
        :func:`dynamodb_modify` and :func:`dynamodb_remove`.
    :param count: instead of ``changes``: that many changes dealt in turn to the
        items ``{"pk": "item-0"}``, ... (``ordering_keys`` of them); each item's
        first change is an ``INSERT`` and later ones are ``MODIFY``, with an
        ``index`` attribute counting up.
    :param ordering_keys: how many items ``count`` spreads over.
    :param stream_view_type: ``KEYS_ONLY``, ``NEW_IMAGE``, ``OLD_IMAGE`` or
        ``NEW_AND_OLD_IMAGES``: which images the records carry.
    :param table: the table name, used in ``eventSourceARN``.
    :param seed: what event ids, sequence numbers and timestamps are drawn from.
    :raises ValueError: when both or neither of ``changes`` and ``count`` are
        given, or ``stream_view_type`` is not one of the four.
    :raises TypeError: when a change was not built by one of the builders.
    """
    items = check_ordering_keys(ordering_keys)
    if stream_view_type not in _VIEWS:
        raise ValueError(
            f"stream_view_type must be one of {', '.join(_VIEWS)}, "
            f"not {stream_view_type!r}"
        )

    check_name(table, "table")
    check_name(region, "region")
    check_name(account_id, "account_id")

    entries = entries_or_count(changes, count, "changes")
    if isinstance(entries, int):
        entries = _counted(entries, items)

    for index, change in enumerate(entries):
        if not isinstance(change, DynamoDBChange):
            raise TypeError(
                f"changes[{index}] must come from dynamodb_insert, dynamodb_modify "
                f"or dynamodb_remove, not {type(change).__name__}"
            )

    ids = Generator(seed)
    arn = (
        f"arn:aws:dynamodb:{region}:{account_id}:table/{table}"
        "/stream/2023-11-14T22:13:20.000"
    )
    keep_new, keep_old = _VIEWS[stream_view_type]
    sequence_number = _SEQUENCE_BASE + ids.below(10**25)
    created = BASE_EPOCH + ids.below(10**5)

    built = []
    for change in entries:
        sequence_number += 1 + ids.below(10**8)
        created += ids.below(2)
        stream: dict[str, Any] = {
            "ApproximateCreationDateTime": float(created),
            "Keys": change.keys,
        }
        if keep_new and change.new_image is not None:
            stream["NewImage"] = change.new_image

        if keep_old and change.old_image is not None:
            stream["OldImage"] = change.old_image

        stream["SequenceNumber"] = str(sequence_number)
        stream["SizeBytes"] = _size(stream)
        stream["StreamViewType"] = stream_view_type

        record: dict[str, Any] = {
            "eventID": ids.hex(32),
            "eventName": change.event_name,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": region,
            "dynamodb": stream,
        }
        if change.ttl:
            record["userIdentity"] = dict(_TTL_IDENTITY)

        record["eventSourceARN"] = arn

        # Each record gets its own copies, so a test that edits one record of the
        # event (or reuses a change in two events) edits nothing else.
        built.append(json.loads(json.dumps(record)))

    return {"Records": built}


def _counted(count: int, items: int) -> list[DynamoDBChange]:
    changes = []
    latest: dict[int, dict[str, Any]] = {}
    for index in range(count):
        item = index % items
        keys = {"pk": f"item-{item}"}
        image = {"index": index}
        if item in latest:
            changes.append(dynamodb_modify(keys, latest[item], image))
        else:
            changes.append(dynamodb_insert(keys, image))

        latest[item] = image

    return changes


def _size(stream: dict[str, Any]) -> int:
    """A stand-in for ``SizeBytes``: the length of the keys and images as JSON.

    DynamoDB counts the stream record's own encoding; this is close enough for
    tests, and grows with the item as the real figure does.
    """
    parts = {name: stream[name] for name in _SIZED if name in stream}
    return len(json.dumps(parts, separators=(",", ":")).encode("utf-8"))


def _keys(keys: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(keys, Mapping):
        raise TypeError(f"keys must be a mapping, not {type(keys).__name__}")

    if not keys:
        raise ValueError(
            "keys must not be empty: an item has at least its partition key"
        )

    wire = {}
    for name, value in keys.items():
        check_name(name, "a key attribute name")
        if isinstance(value, bool) or not isinstance(value, (str, int, Decimal, bytes)):
            raise TypeError(
                f"keys[{name!r}]: a key attribute must be str, int, Decimal or "
                f"bytes, not {type(value).__name__}"
            )

        wire[name] = _attribute_value(value, f"keys[{name!r}]")

    return wire


def _image(
    keys: Mapping[str, Any], image: Mapping[str, Any] | None, argument: str
) -> dict[str, Any]:
    if image is None:
        image = {}

    if not isinstance(image, Mapping):
        raise TypeError(f"{argument} must be a mapping, not {type(image).__name__}")

    for name, value in keys.items():
        if name in image and image[name] != value:
            raise ValueError(
                f"{argument}[{name!r}] is {image[name]!r} but the item's key "
                f"is {value!r}"
            )

    # An image always holds the item's key attributes, first as DynamoDB sends them.
    merged = {**keys, **image}
    wire = {}
    for name, value in merged.items():
        check_name(name, f"an attribute name in {argument}")
        wire[name] = _attribute_value(value, f"{argument}[{name!r}]")

    return wire


def _attribute_value(value: object, where: str) -> dict[str, Any]:
    """``value`` as a DynamoDB attribute value; ``where`` names it in errors."""
    # bool before int: True is an int to Python but a BOOL to DynamoDB.
    if isinstance(value, bool):
        return {"BOOL": value}

    if value is None:
        return {"NULL": True}

    if isinstance(value, str):
        return {"S": value}

    if isinstance(value, (int, Decimal)):
        return {"N": _number(value, where)}

    if isinstance(value, _Bytes):
        return {"B": base64.b64encode(bytes(value)).decode("ascii")}

    if isinstance(value, (set, frozenset)):
        return _set(value, where)

    if isinstance(value, Mapping):
        members = {}
        for name, member in value.items():
            if not isinstance(name, str):
                raise TypeError(
                    f"{where}: map keys must be str, not {type(name).__name__}"
                )

            members[name] = _attribute_value(member, f"{where}[{name!r}]")

        return {"M": members}

    if isinstance(value, (list, tuple)):
        return {
            "L": [
                _attribute_value(member, f"{where}[{index}]")
                for index, member in enumerate(value)
            ]
        }

    if isinstance(value, float):
        raise TypeError(
            f"{where}: float {value!r} is refused because it is not exact; "
            "pass a Decimal (Decimal('0.1')) or an int"
        )

    raise TypeError(f"{where}: {type(value).__name__} has no DynamoDB type")


def _number(value: int | Decimal, where: str) -> str:
    if isinstance(value, int):
        return str(value)

    if not value.is_finite():
        raise ValueError(f"{where}: DynamoDB numbers are finite, not {value}")

    # Fixed-point text keeps every digit given and writes no exponent, as DynamoDB
    # itself writes numbers: Decimal("1E+3") is "1000", Decimal("1.50") is "1.50".
    return format(value, "f")


def _set(value: set[Any] | frozenset[Any], where: str) -> dict[str, Any]:
    if not value:
        raise ValueError(f"{where}: DynamoDB has no empty sets; leave it out")

    if all(isinstance(member, str) for member in value):
        return {"SS": sorted(value)}

    if all(
        isinstance(member, (int, Decimal)) and not isinstance(member, bool)
        for member in value
    ):
        return {"NS": [_number(member, where) for member in sorted(value)]}

    if all(isinstance(member, bytes) for member in value):
        return {
            "BS": [base64.b64encode(member).decode("ascii") for member in sorted(value)]
        }

    raise TypeError(
        f"{where}: a set must hold only str, only numbers (int, Decimal) or only "
        f"bytes, not {', '.join(sorted({type(m).__name__ for m in value}))}"
    )
