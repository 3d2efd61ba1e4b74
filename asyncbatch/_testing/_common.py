"""What every event factory shares: argument checks, payloads and generated ids.

Everything generated (ids, receipt handles, sequence numbers, timestamps) comes from
one ``random.Random(seed)`` per event, so the same call builds the same event every
time, and a different ``seed`` builds different ids.
"""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Iterable, Sequence
from typing import Any, TypeAlias, TypeVar

__all__ = [
    "BASE_EPOCH",
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_REGION",
    "Generator",
    "Payload",
    "check_count",
    "check_name",
    "check_ordering_keys",
    "encode_data",
    "encode_text",
    "entries_or_count",
    "override",
]

#: A record's payload: ``str`` is used as is, anything else is dumped as JSON
#: (Kinesis also takes ``bytes``).
Payload: TypeAlias = Any

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"

# 2023-11-14T22:13:20Z: a fixed, plausible moment, so that events are reproducible.
BASE_EPOCH = 1_700_000_000

_T = TypeVar("_T")
_UPPER_ALNUM = string.ascii_uppercase + string.digits


class Generator:
    """Reproducible ids and numbers for one event."""

    __slots__ = ("_random",)

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def uuid(self) -> str:
        """A version 4 UUID, as SQS message ids and request ids look."""
        # Built by hand: the uuid module imports platform, which costs more than
        # everything else here together.
        value = self._random.getrandbits(128)
        value = value & ~(0xF000 << 64) | (0x4000 << 64)  # version 4
        value = value & ~(0xC000 << 48) | (0x8000 << 48)  # the RFC 4122 variant
        text = f"{value:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def hex(self, digits: int) -> str:
        return f"{self._random.getrandbits(4 * digits):0{digits}x}"

    def token(self, size: int) -> str:
        """Base64 text of ``size`` random bytes, as receipt handles look."""
        raw = self._random.getrandbits(8 * size).to_bytes(size, "big")
        return base64.b64encode(raw).decode("ascii")

    def upper(self, size: int) -> str:
        return "".join(self._random.choice(_UPPER_ALNUM) for _ in range(size))

    def below(self, bound: int) -> int:
        """A number in ``range(bound)``."""
        return self._random.randrange(bound)


def check_name(value: object, argument: str) -> str:
    """``value`` if it is a non-empty ``str``.

    :raises TypeError: when it is not a ``str``.
    :raises ValueError: when it is empty.
    """
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, not {type(value).__name__}")

    if not value:
        raise ValueError(f"{argument} must not be empty")

    return value


def check_count(count: object) -> int:
    if isinstance(count, bool) or not isinstance(count, int):
        raise TypeError(f"count must be an int, not {type(count).__name__}")

    if count < 0:
        raise ValueError(f"count must be >= 0, not {count}")

    return count


def check_ordering_keys(ordering_keys: object) -> int:
    if isinstance(ordering_keys, bool) or not isinstance(ordering_keys, int):
        raise TypeError(
            f"ordering_keys must be an int, not {type(ordering_keys).__name__}"
        )

    if ordering_keys < 1:
        raise ValueError(f"ordering_keys must be >= 1, not {ordering_keys}")

    return ordering_keys


def entries_or_count(
    entries: Iterable[_T] | None, count: int | None, argument: str
) -> list[_T] | int:
    """The given entries as a list, or the checked ``count`` when none were given.

    :raises ValueError: when both or neither of ``argument`` and ``count`` are given.
    """
    if entries is None and count is None:
        raise ValueError(f"pass {argument} or count=")

    if entries is not None and count is not None:
        raise ValueError(f"pass {argument} or count=, not both")

    if entries is None:
        return check_count(count)

    if isinstance(entries, (str, bytes)):
        # A lone str would otherwise become one record per character.
        raise TypeError(
            f"{argument} must be a list, not a single {type(entries).__name__}"
        )

    return list(entries)


def override(
    values: Sequence[str] | None, size: int, argument: str
) -> list[str] | None:
    """Check a list of per-record strings given by the caller, one per record."""
    if values is None:
        return None

    if isinstance(values, str):
        raise TypeError(f"{argument} must be a list of str, not a single str")

    values = list(values)
    if len(values) != size:
        raise ValueError(
            f"{argument} has {len(values)} entries but the event has {size} records"
        )

    for index, value in enumerate(values):
        check_name(value, f"{argument}[{index}]")

    return values


def encode_text(payload: Payload, argument: str) -> str:
    """A text payload: a ``str`` as is, anything else as JSON."""
    if isinstance(payload, str):
        return payload

    if isinstance(payload, (bytes, bytearray, memoryview)):
        raise TypeError(f"{argument} must be text or JSON-able, not bytes; decode it")

    try:
        return json.dumps(payload, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{argument} is neither a str nor JSON-able: {exc}") from exc


def encode_data(payload: Payload, argument: str) -> str:
    """A binary payload as base64 text: bytes as they are, text as UTF-8."""
    if isinstance(payload, (bytes, bytearray, memoryview)):
        raw = bytes(payload)
    else:
        raw = encode_text(payload, argument).encode("utf-8")

    return base64.b64encode(raw).decode("ascii")
