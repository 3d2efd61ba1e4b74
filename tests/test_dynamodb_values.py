"""DynamoDB attribute values to Python values: every type, exact numbers, errors."""

from __future__ import annotations

import base64
import random
from decimal import Decimal, getcontext, localcontext
from typing import Any

import pytest

from asyncbatch._records._attributes import (
    AttributeValueError,
    from_attribute_value,
    from_item,
)


class TestNumbers:
    @pytest.mark.parametrize(
        "text",
        [
            "0",
            "-0",
            "0.0",
            "101",
            "-101",
            "3.14",
            ".5",
            "5.",
            "+7",
            # 38 significant digits, DynamoDB's limit.
            "12345678901234567890123456789012345678",
            "-0.12345678901234567890123456789012345678",
            # 39 digits: 38 significant and a trailing zero beyond them.
            "123456789012345678901234567890123456780",
            "100000000000000000000000000000000000000",
            # The range ends DynamoDB accepts.
            "9.9999999999999999999999999999999999999E+125",
            "-9.9999999999999999999999999999999999999E+125",
            "1E-130",
            "1e-130",
            "2.5E+3",
        ],
    )
    def test_exact(self, text: str) -> None:
        """N becomes the Decimal of exactly its text, digits and exponent kept."""
        value = from_attribute_value({"N": text})

        assert isinstance(value, Decimal)
        assert value.as_tuple() == Decimal(text).as_tuple()

    def test_39_digits_with_trailing_zeros_round_trip(self) -> None:
        """A 39-digit number with trailing zeros is not rounded by the context."""
        text = "123456789012345678901234567890123456780"
        with localcontext() as context:
            context.prec = 28
            value = from_attribute_value({"N": text})

        assert str(value) == text
        assert value == int(text)
        assert getcontext().prec == 28

    def test_never_through_float(self) -> None:
        """0.1 stays one tenth, which no float is."""
        value = from_attribute_value({"N": "0.1"})

        assert value == Decimal("0.1")
        assert value != Decimal(float("0.1"))

    def test_zero(self) -> None:
        """Zero converts to zero, and is falsy like any zero."""
        assert from_attribute_value({"N": "0"}) == 0
        assert not from_attribute_value({"N": "0"})

    @pytest.mark.parametrize(
        "text",
        [
            "NaN",
            "Infinity",
            "-Infinity",
            "1_000",
            " 1",
            "1 ",
            "",
            "1e",
            "e5",
            "0x10",
            "\u0661",  # a digit, but not an ASCII one
        ],
    )
    def test_not_numbers(self, text: str) -> None:
        """What Decimal() would accept but DynamoDB never sends is refused."""
        with pytest.raises(AttributeValueError, match="N is not a number"):
            from_attribute_value({"N": text})

    def test_random_numbers_round_trip(self) -> None:
        """Random numbers of up to 38 digits and any exponent come back exactly."""
        generator = random.Random(20240601)
        for _ in range(2000):
            digits = "".join(
                generator.choice("0123456789") for _ in range(generator.randint(1, 38))
            )
            sign = generator.choice(["", "-"])
            text = f"{sign}{digits}E{generator.randint(-130, 125)}"

            value = from_attribute_value({"N": text})
            assert value.as_tuple() == Decimal(text).as_tuple()
            assert Decimal(str(value)) == value


class TestTypes:
    def test_every_type(self) -> None:
        """Each type tag converts to its Python type."""
        item = {
            "s": {"S": "text"},
            "empty": {"S": ""},
            "n": {"N": "42"},
            "b": {"B": base64.b64encode(b"\x00\xff").decode()},
            "yes": {"BOOL": True},
            "no": {"BOOL": False},
            "nothing": {"NULL": True},
            "ss": {"SS": ["a", "b"]},
            "ns": {"NS": ["1", "2.5", "-0"]},
            "bs": {"BS": ["AA==", "AQ=="]},
            "m": {"M": {"inner": {"N": "1"}}},
            "l": {"L": [{"S": "x"}, {"N": "2"}, {"NULL": True}]},
        }

        assert from_item(item) == {
            "s": "text",
            "empty": "",
            "n": Decimal(42),
            "b": b"\x00\xff",
            "yes": True,
            "no": False,
            "nothing": None,
            "ss": {"a", "b"},
            "ns": {Decimal(1), Decimal("2.5"), Decimal(0)},
            "bs": {b"\x00", b"\x01"},
            "m": {"inner": Decimal(1)},
            "l": ["x", Decimal(2), None],
        }

    def test_sets_are_sets(self) -> None:
        """SS, NS and BS become set, not list or frozenset."""
        for value in ({"SS": ["a"]}, {"NS": ["1"]}, {"BS": ["AA=="]}):
            assert type(from_attribute_value(value)) is set

    def test_deep_nesting(self) -> None:
        """Maps and lists nest to any depth."""
        value: dict[str, Any] = {"N": "7"}
        for level in range(30):
            value = {"M": {"down": value}} if level % 2 else {"L": [value]}

        converted = from_attribute_value(value)
        for level in reversed(range(30)):
            converted = converted["down"] if level % 2 else converted[0]
        assert converted == 7

    def test_empty_containers(self) -> None:
        """Empty maps and lists stay empty."""
        assert from_item({"m": {"M": {}}, "l": {"L": []}}) == {"m": {}, "l": []}


class TestErrors:
    @pytest.mark.parametrize(
        ("item", "message"),
        [
            ({"a": {"N": 5}}, "a: N must be a string, not int"),
            ({"a": {"S": 5}}, "a: S must be a string, not int"),
            ({"a": {"B": "%%%"}}, "a: B is not valid base64"),
            ({"a": {"BOOL": "true"}}, "a: BOOL must be true or false, not str"),
            ({"a": {"NULL": False}}, "a: NULL must be true"),
            ({"a": {"SS": "x"}}, "a: SS must be a list, not str"),
            ({"a": {"NS": ["1", "x"]}}, "a: N is not a number"),
            ({"a": {"M": []}}, "a: M must be a mapping, not a list"),
            ({"a": {"L": {}}}, "a: L must be a list, not a mapping of 0 keys"),
            ({"a": {"X": "1"}}, "a: unknown attribute type 'X'"),
            ({"a": {"S": "x", "N": "1"}}, "a: an attribute value must be a mapping"),
            ({"a": "plain"}, "a: an attribute value must be a mapping"),
            (
                {"a": {"M": {"b": {"L": [{"S": "ok"}, {"N": "bad"}]}}}},
                "a.b[1]: N is not a number",
            ),
        ],
    )
    def test_names_the_path_not_the_value(
        self, item: dict[str, Any], message: str
    ) -> None:
        """The error names the attribute path and the problem, never the value."""
        with pytest.raises(AttributeValueError) as caught:
            from_item(item)

        assert str(caught.value).startswith(message)
        assert "bad" not in str(caught.value)
        assert "plain" not in str(caught.value)

    def test_is_a_value_error(self) -> None:
        """It is a ValueError, so pydantic reports it as a validation error."""
        assert issubclass(AttributeValueError, ValueError)
