"""Intake: check an event before any handler runs and read what the runtime needs.

Everything that could make the partial batch response wrong (a missing identifier, a
mix of sources, a stream record without the key its order depends on) is refused
here with :class:`InvalidEventError`, so that Lambda retries the batch instead of
deleting records that never ran.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from ._exceptions import InvalidEventError

__all__ = ["Batch", "EventType", "read_event"]


class EventType(str, enum.Enum):
    """The Lambda event sources that asyncbatch processes."""

    SQS = "aws:sqs"
    KINESIS = "aws:kinesis"
    DYNAMODB = "aws:dynamodb"

    def __str__(self) -> str:
        return self.value


_KAFKA_SOURCES = frozenset({"aws:kafka", "aws:SelfManagedKafka", "SelfManagedKafka"})
_SOURCES = {member.value: member for member in EventType}

#: Reads a stream record's ordering key, given the record's section and index.
_KeyOf = Callable[[Mapping[str, Any], int], Hashable]

# The types that need no closer look, checked for a whole batch at once.
_DICTS = frozenset({dict})
_STRS = frozenset({str})


@dataclass(slots=True, eq=False)
class Batch:
    """What intake learned about one event.

    :ivar keys: the ordering key of each record, or ``None`` when no record has one
        (SQS standard queues, streams with ``key_ordering=False``).
    :ivar stream: whether the source is a stream, where Lambda resumes from the
        lowest failed position.
    """

    event_type: EventType
    records: list[Mapping[str, Any]]
    identifiers: list[str]
    keys: list[Hashable] | None
    stream: bool


def read_event(
    event: object, event_type: EventType | None, *, key_ordering: bool
) -> Batch:
    """Check ``event`` and return its :class:`Batch`, or raise InvalidEventError."""
    records = _records_of(event)
    if not records:
        return Batch(event_type or EventType.SQS, records, [], None, False)

    source = _source_of(records, event_type)
    if source is EventType.SQS:
        return _read_sqs(records)

    key_of: _KeyOf
    if source is EventType.KINESIS:
        section, field, key_of = "kinesis", "sequenceNumber", _partition_key
    else:
        section, field, key_of = "dynamodb", "SequenceNumber", _item_key

    identifiers, keys = _read_stream(
        records, section, field, key_of if key_ordering else None
    )
    return Batch(source, records, identifiers, keys, True)


def _records_of(event: object) -> list[Mapping[str, Any]]:
    if event.__class__ is not dict and not isinstance(event, Mapping):
        raise InvalidEventError(
            f"the event must be a mapping with a 'Records' list, "
            f"not {type(event).__name__}"
        )

    source = event.get("eventSource")  # where a Kafka event names its source
    if source is not None:
        _refuse_kafka(source)

    if "Records" not in event:
        hint = (
            " (found 'records': the key is case-sensitive)"
            if "records" in event
            else ""
        )
        raise InvalidEventError(f"the event has no 'Records' key{hint}")

    records = event["Records"]
    if not isinstance(records, list):
        kind = "null" if records is None else type(records).__name__
        raise InvalidEventError(f"the event's 'Records' must be a list, not {kind}")

    if _DICTS.issuperset(map(type, records)):
        return records

    for index, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise InvalidEventError(
                f"record {index} must be a mapping, not {type(record).__name__}"
            )

    return records


def _source_of(
    records: list[Mapping[str, Any]], event_type: EventType | None
) -> EventType:
    try:
        sources = {record.get("eventSource") for record in records}
    except TypeError:  # an unhashable value: a list, say
        for index, record in enumerate(records):
            value = record.get("eventSource")
            if value is not None and not isinstance(value, str):
                raise InvalidEventError(
                    f"record {index}: 'eventSource' must be a string, "
                    f"not {type(value).__name__}"
                ) from None

        raise

    if len(sources) > 1:
        if None in sources:
            index = next(
                i for i, r in enumerate(records) if r.get("eventSource") is None
            )
            raise InvalidEventError(
                f"record {index} has no 'eventSource', unlike the others; "
                "one batch must come from one source"
            )

        named = ", ".join(sorted(repr(source) for source in sources))
        raise InvalidEventError(
            f"the records come from different event sources ({named}); "
            "one batch must come from one source"
        )

    (value,) = sources
    if value is None:
        if event_type is None:
            raise InvalidEventError(
                "the records have no 'eventSource' and no event_type was given; "
                "pass event_type=EventType.SQS, KINESIS or DYNAMODB"
            )

        return event_type

    _refuse_kafka(value)
    found = _SOURCES.get(value) if isinstance(value, str) else None
    if found is None:
        raise InvalidEventError(
            f"the records' eventSource {value!r} is not one asyncbatch processes "
            "(aws:sqs, aws:kinesis, aws:dynamodb)"
        )

    if event_type is not None and found is not event_type:
        raise InvalidEventError(
            f"the records' eventSource is {found.value!r} but the processor "
            f"expects {event_type.value!r}"
        )

    return found


def _refuse_kafka(source: object) -> None:
    if isinstance(source, str) and source in _KAFKA_SOURCES:
        raise InvalidEventError(
            f"Kafka events ({source!r}) are not supported yet; "
            "only SQS, Kinesis and DynamoDB Streams events are"
        )


def _identifier(value: object, index: int, field: str) -> str:
    if isinstance(value, str) and value:
        # A str subclass would carry into the response as itself; Lambda reads
        # plain strings.
        return value if type(value) is str else str.__str__(value)

    problem = (
        "is missing"
        if value is None
        else (
            "is empty"
            if value == ""
            else f"must be a string, not {type(value).__name__}"
        )
    )
    raise InvalidEventError(f"record {index}: {field} {problem}")


def _read_sqs(records: list[Mapping[str, Any]]) -> Batch:
    identifiers: list[Any] = [record.get("messageId") for record in records]
    if not _STRS.issuperset(map(type, identifiers)) or "" in identifiers:
        identifiers = [
            _identifier(message_id, index, "'messageId'")
            for index, message_id in enumerate(identifiers)
        ]

    # The ARN is what tells a FIFO queue: standard queues with fair queuing carry a
    # MessageGroupId too. Only when no record names its queue does the group decide.
    fifo_arn = None
    for record in records:
        arn = record.get("eventSourceARN")
        if isinstance(arn, str):
            fifo_arn = arn.endswith(".fifo")
            break

    if fifo_arn is False:
        return Batch(EventType.SQS, records, identifiers, None, False)

    groups = [_message_group(record) for record in records]
    if fifo_arn is None and all(group is None for group in groups):
        return Batch(EventType.SQS, records, identifiers, None, False)

    for index, group in enumerate(groups):
        if group.__class__ is not str or not group:
            _identifier(group, index, "'attributes.MessageGroupId' of a FIFO queue")

    keys: list[Hashable] = groups
    return Batch(EventType.SQS, records, identifiers, keys, False)


def _message_group(record: Mapping[str, Any]) -> Any:
    attributes = record.get("attributes")
    if attributes.__class__ is dict or isinstance(attributes, Mapping):
        return attributes.get("MessageGroupId")

    return None


def _read_stream(
    records: list[Mapping[str, Any]],
    section: str,
    field: str,
    key_of: _KeyOf | None,
) -> tuple[list[str], list[Hashable] | None]:
    """The identifiers and, with ``key_of``, the ordering keys of stream records.

    :param section: the mapping of each record that holds both.
    :param field: the sequence number's name in it: the item identifier.
    """
    identifiers: list[str] = []
    keys: list[Hashable] = []
    for index, record in enumerate(records):
        inner = record.get(section)
        if not isinstance(inner, Mapping):
            raise InvalidEventError(f"record {index}: '{section}' is missing")

        sequence_number = inner.get(field)
        if sequence_number.__class__ is not str or not sequence_number:
            sequence_number = _identifier(
                sequence_number, index, f"'{section}.{field}'"
            )

        identifiers.append(sequence_number)

        if key_of is not None:
            keys.append(key_of(inner, index))

    return identifiers, None if key_of is None else keys


def _partition_key(kinesis: Mapping[str, Any], index: int) -> Hashable:
    key = kinesis.get("partitionKey")
    if key.__class__ is not str or not key:
        _identifier(key, index, "'kinesis.partitionKey' (its ordering key)")

    return key


def _item_key(dynamodb: Mapping[str, Any], index: int) -> Hashable:
    """The item's primary key as a hashable value, the same for every image."""
    keys = dynamodb.get("Keys")
    if not isinstance(keys, Mapping) or not keys:
        problem = "is missing" if keys is None else "must be a non-empty mapping"
        raise InvalidEventError(
            f"record {index}: 'dynamodb.Keys' (its ordering key) {problem}"
        )

    try:
        return tuple(sorted((name, _frozen(value)) for name, value in keys.items()))
    except TypeError:
        raise InvalidEventError(
            f"record {index}: 'dynamodb.Keys' must map attribute names to "
            "DynamoDB attribute values"
        ) from None


def _frozen(value: object) -> Hashable:
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _frozen(v)) for k, v in value.items()))

    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)

    if isinstance(value, Hashable):
        return value

    raise TypeError(type(value).__name__)
