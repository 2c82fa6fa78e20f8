"""The consumer inbox: one row per (consumer, event id), written in the handler's own
transaction, so a redelivered event finds its row and has no second effect.

Each consuming service has this table in its migrations (`inbox_table_sql`).
"""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

CLAIM = text(
    "INSERT INTO inbox (consumer, event_id) VALUES (:consumer, :event_id) "
    "ON CONFLICT DO NOTHING RETURNING 1"
)


def inbox_table_sql() -> str:
    return """CREATE TABLE inbox (
        consumer text NOT NULL,
        event_id uuid NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id))"""


async def claim(session: AsyncSession, *, consumer: str, event_id: uuid.UUID) -> bool:
    """True the first time this consumer sees the event (the row is new)."""
    result = await session.execute(CLAIM, {"consumer": consumer, "event_id": event_id})
    return result.scalar() is not None
