"""Annotated field types shared by the typed records."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

from ._base import decode_base64

__all__ = ["Base64Bytes", "OptionalBase64Bytes", "b64encode"]


def b64encode(value: bytes) -> str:
    """Standard base64 text of ``value``."""
    return base64.b64encode(value).decode("ascii")


def _b64decode_optional(value: Any) -> bytes | None:
    return None if value is None else decode_base64(value)


# Decoded on validation; dumped as bytes, and as base64 again in JSON mode, so that
# a JSON dump by alias has the shape of the wire record.
Base64Bytes = Annotated[
    bytes,
    BeforeValidator(decode_base64),
    PlainSerializer(b64encode, when_used="json"),
]
OptionalBase64Bytes = Annotated[
    bytes | None,
    BeforeValidator(_b64decode_optional),
    PlainSerializer(b64encode, when_used="json-unless-none"),
]
