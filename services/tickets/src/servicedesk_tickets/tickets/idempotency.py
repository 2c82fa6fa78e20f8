"""`Idempotency-Key` for ticket creation, race-safe without check-then-insert.

The key row is claimed with `INSERT … ON CONFLICT DO NOTHING` in the request's own
transaction. A concurrent request with the same key blocks on the unique index until the
first one commits or rolls back (PostgreSQL's speculative insertion), then either reads the
committed row (a replay) or claims the key itself (the first one failed).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_tickets.errors import IdempotencyKeyReused
from servicedesk_tickets.tickets.models import IdempotencyKey


def body_hash(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def claim(
    session: AsyncSession, *, user_id: str, key: str, request_hash: str
) -> dict[str, Any] | None:
    """None when this request now owns `key`; the first response when it is a replay."""
    claimed = await session.scalar(
        insert(IdempotencyKey)
        .values(user_id=user_id, key=key, request_hash=request_hash)
        .on_conflict_do_nothing()
        .returning(IdempotencyKey.user_id)
    )
    if claimed is not None:
        return None
    row = await session.execute(
        select(IdempotencyKey.request_hash, IdempotencyKey.response).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
        )
    )
    stored_hash, response = row.one()
    if stored_hash != request_hash:
        raise IdempotencyKeyReused()
    return response


async def remember(
    session: AsyncSession, *, user_id: str, key: str, ticket_id: int, response: dict[str, Any]
) -> None:
    await session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        .values(ticket_id=ticket_id, response=response)
    )
