"""DynamoDB attribute values (the ``{"N": "42"}`` form) to Python values, exactly.

``N`` becomes :class:`~decimal.Decimal` straight from its text, which is exact at
any precision (the decimal context only rounds arithmetic, never construction), so
38 significant digits, trailing zeros beyond them, exponents, negatives and zero
all come through unchanged; no value ever passes through ``float``. ``S`` is
``str``, ``B`` base64 decoded to ``bytes``, ``BOOL`` ``bool``, ``NULL`` ``None``,
``SS``/``NS``/``BS`` are ``set`` of those, ``M`` is ``dict`` and ``L`` ``list``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ._base import decode_base64

__all__ = [
    "AttributeValueError",
    "from_attribute_value",
    "from_item",
    "item_from_wire",
]

# DynamoDB's number syntax: no NaN or Infinity, no underscores, no spaces, all of
# which Decimal() itself would accept.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class AttributeValueError(ValueError):
    """A DynamoDB attribute value that cannot be converted.

    The message names the attribute path and the problem, never the value.

    :ivar path: the attribute names and list indexes leading to the bad value.
    """

    def __init__(self, problem: str, path: tuple[str | int, ...] = ()) -> None:
        self.problem = problem
        self.path = path
        where = "".join(
            f"[{step}]" if isinstance(step, int) else f".{step}" for step in path
        ).lstrip(".")
        super().__init__(f"{where}: {problem}" if where else problem)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.problem, self.path))

    def within(self, step: str | int) -> AttributeValueError:
        """The same error one level further out."""
        return AttributeValueError(self.problem, (step, *self.path))


def _number(text: object) -> Decimal:
    if not isinstance(text, str):
        raise AttributeValueError(f"N must be a string, not {_kind(text)}")

    # Whole numbers, the most common, need no pattern.
    if not (text.isdigit() and text.isascii()) and not _NUMBER.fullmatch(text):
        raise AttributeValueError("N is not a number")

    return Decimal(text)


def _string(text: object) -> str:
    if not isinstance(text, str):
        raise AttributeValueError(f"S must be a string, not {_kind(text)}")

    return text


def _binary(text: object) -> bytes:
    try:
        return decode_base64(text)
    except ValueError as exc:
        raise AttributeValueError(f"B is {exc}") from None


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise AttributeValueError(f"BOOL must be true or false, not {_kind(value)}")

    return value


def _null(value: object) -> None:
    if value is not True:
        raise AttributeValueError("NULL must be true")


def _set_of(tag: str, convert: Callable[[object], Any]) -> Callable[[object], set[Any]]:
    def convert_set(values: object) -> set[Any]:
        if not isinstance(values, list):
            raise AttributeValueError(f"{tag} must be a list, not {_kind(values)}")

        return {convert(value) for value in values}

    return convert_set


def _map(values: object) -> dict[str, Any]:
    if not isinstance(values, dict):
        raise AttributeValueError(f"M must be a mapping, not {_kind(values)}")

    return from_item(values)


def _list(values: object) -> list[Any]:
    if not isinstance(values, list):
        raise AttributeValueError(f"L must be a list, not {_kind(values)}")

    converted: list[Any] = []
    try:
        converted.extend(map(from_attribute_value, values))
    except AttributeValueError as exc:
        # extend() appends one by one: the failed value is the one after those.
        raise exc.within(len(converted)) from None

    return converted


_CONVERTERS: dict[str, Callable[[object], Any]] = {
    "S": _string,
    "N": _number,
    "B": _binary,
    "BOOL": _boolean,
    "NULL": _null,
    "M": _map,
    "L": _list,
    "SS": _set_of("SS", _string),
    "NS": _set_of("NS", _number),
    "BS": _set_of("BS", _binary),
}


def from_attribute_value(value: object) -> Any:
    """The Python value of one DynamoDB attribute value.

    :raises AttributeValueError: ``value`` is not a one-key mapping of a known
        type, or its content does not fit the type.
    """
    if isinstance(value, dict) and len(value) == 1:
        ((tag, content),) = value.items()
        convert = _CONVERTERS.get(tag)
        if convert is not None:
            return convert(content)

        raise AttributeValueError(f"unknown attribute type {tag!r}")

    raise AttributeValueError(
        "an attribute value must be a mapping with exactly one type key, "
        f"not {_kind(value)}"
    )


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """An item (an image, keys, or an ``M`` value) as a dict of Python values.

    :raises AttributeValueError: naming the attribute path of the first value
        that cannot be converted.
    """
    converted: dict[str, Any] = {}
    for name, value in item.items():
        try:
            # Strings and numbers, the most common, straight away: this runs for
            # every attribute of every record.
            if value.__class__ is dict and len(value) == 1:
                text = value.get("S")
                if text.__class__ is str:
                    converted[name] = text
                    continue

                text = value.get("N")
                if text is not None:
                    converted[name] = _number(text)
                    continue

            converted[name] = from_attribute_value(value)
        except AttributeValueError as exc:
            raise exc.within(name) from None

    return converted


def item_from_wire(value: object) -> object:
    """Convert an image or keys mapping for validation; other input passes on.

    Used as a before-validator, so that ``None`` and wrong types reach pydantic's
    own checks and errors.
    """
    if isinstance(value, dict):
        return from_item(value)

    return value


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return f"a mapping of {len(value)} keys"

    if isinstance(value, list):
        return "a list"

    if value is None:
        return "null"

    return type(value).__name__
