"""The consumer inbox: one row per (consumer, event id), written in the handler's own
transaction, so a redelivered event finds its row and has no second effect. A consumer
claims the deliveries it commits together in one statement (`claim_all`).

Each consuming service has this table in its migrations (`inbox_table_sql`).
"""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Sorted ids: two transactions claiming overlapping groups wait for each other in the
# same order, never in a cycle.
CLAIM_ALL = text(
    "INSERT INTO inbox (consumer, event_id) SELECT :consumer, unnest(CAST(:ids AS uuid[])) "
    "ON CONFLICT DO NOTHING RETURNING event_id"
)


def inbox_table_sql() -> str:
    return """CREATE TABLE inbox (
        consumer text NOT NULL,
        event_id uuid NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id))"""


async def claim_all(
    session: AsyncSession, *, consumer: str, event_ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    """The ids this consumer sees for the first time (an id given twice: claimed once)."""
    ids = sorted(set(event_ids))
    result = await session.execute(CLAIM_ALL, {"consumer": consumer, "ids": ids})
    return set(result.scalars())
