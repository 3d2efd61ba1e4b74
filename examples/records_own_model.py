"""A pydantic model of your own, validated from the raw record as it is.

It names the fields with their wire names, since it sees the record as Lambda
sent it, and keeps only what the handler needs.
"""

from __future__ import annotations

from pydantic import BaseModel

import asyncbatch


class Minimal(BaseModel):
    messageId: str
    body: str


bodies: dict[str, str] = {}

processor = asyncbatch.BatchProcessor(model=Minimal)


def handle(record: Minimal) -> None:
    bodies[record.messageId] = record.body
