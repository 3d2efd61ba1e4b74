"""The names DynamoDB Streams records give their change and their stream view type.

Free of pydantic, so that :mod:`asyncbatch.testing` builds events with the same
names the typed records check.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["EVENT_NAMES", "STREAM_VIEW_TYPES", "EventName", "StreamViewType"]

EventName = Literal["INSERT", "MODIFY", "REMOVE"]
"""What happened to the item: ``eventName`` of a DynamoDB Streams record."""

StreamViewType = Literal["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]
"""Which images the records of a stream carry."""

EVENT_NAMES: frozenset[str] = frozenset(get_args(EventName))
STREAM_VIEW_TYPES: tuple[str, ...] = get_args(StreamViewType)
