"""`Idempotency-Key` for ticket creation, comments and transitions, race-safe without
check-then-insert.

The key row is claimed with `INSERT … ON CONFLICT DO NOTHING` in the request's own
transaction. A concurrent request with the same key blocks on the unique index until the
first one commits or rolls back (PostgreSQL's speculative insertion), then either reads the
committed row (a replay) or claims the key itself (the first one failed). A request that
fails rolls its claim back with everything else, so a refused request leaves the key free.

Keys are per user, one namespace for all three routes: the hash covers what the request
is (`route`, e.g. `comment:<ticket_id>`) and its body, so the same key sent to another
ticket or another route is a different request (422), never a replay of the first.
Only successful responses are stored, so a replay's status is the route's success status.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Response
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_tickets.errors import IdempotencyKeyReused
from servicedesk_tickets.ticketing.models import IdempotencyKey


def body_hash(body: dict[str, Any], *, route: str | None = None) -> str:
    """The request's hash; creation hashes its body alone (`route` None), as it always has,
    so keys claimed before comments and transitions took keys still replay."""
    subject = body if route is None else {"route": route, "body": body}
    canonical = json.dumps(subject, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
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


@dataclass(frozen=True)
class Retryable:
    """A request under a ticket that may carry an `Idempotency-Key` (a comment, a transition;
    `deps.RetryableDep`): its transaction, its caller, the key if sent, its response."""

    session: AsyncSession
    user_id: str
    key: str | None
    response: Response

    async def once(
        self,
        *,
        route: str,
        body: BaseModel,
        ticket_id: int,
        run: Callable[[], Awaitable[dict[str, Any]]],
    ) -> dict[str, Any]:
        """`run()`'s result; with a key already used for this request, the first result
        instead (`run` not called) and `Idempotent-Replayed: true` on the response. The result
        is stored as JSON and returned as stored, so the first answer and its replays are the
        same bytes."""
        if self.key is None:
            return await run()
        request_hash = body_hash(body.model_dump(mode="json"), route=route)
        replay = await claim(
            self.session, user_id=self.user_id, key=self.key, request_hash=request_hash
        )
        if replay is not None:
            self.response.headers["Idempotent-Replayed"] = "true"
            return replay
        result = jsonable_encoder(await run())
        await remember(
            self.session, user_id=self.user_id, key=self.key, ticket_id=ticket_id, response=result
        )
        return result
