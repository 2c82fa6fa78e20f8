"""Store and show each ticket's AI triage. Nothing here commits.

A ticket's row starts `pending` in the transaction that creates the ticket. Each
`ai.triage.suggested` event then replaces it only if it ranks higher than what is stored,
ranking by (a suggestion over a failure, `occurred_at`, event id) — so the outcome does
not depend on the order events arrive in: an older event arriving late never overwrites a
newer one, and a failed re-run never erases a suggestion already there. Storing touches
only this table, never the ticket (its `updated_at` stays as it was).
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
from sqlalchemy import ARRAY, BigInteger, and_, any_, bindparam, case, func, or_, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared import reads
from servicedesk_shared.events import AiTriageSuggested
from servicedesk_shared.principal import Principal
from servicedesk_tickets import permissions
from servicedesk_tickets.ai_settings.models import SINGLETON, AiSettings
from servicedesk_tickets.database import utcnow
from servicedesk_tickets.ticketing.models import PRIORITIES, Ticket
from servicedesk_tickets.triage_suggestions.models import AiTriage
from servicedesk_tickets.triage_suggestions.schemas import TriageRead

# Lengths kept from the producer's strings (the columns' sizes; summary and error capped).
LIMITS = {"category": 100, "title": 200, "summary": 4000, "model": 200, "error": 2000}


def _clean(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    value = value.replace("\x00", "").strip()[:limit]
    return value or None


def _confidence(value: float | None) -> float | None:
    if value is None or math.isnan(value):
        return None
    return min(max(value, 0.0), 1.0)


def values_from(payload: AiTriageSuggested) -> dict[str, Any]:
    """The payload as columns: strings capped, NULs dropped, unknown priorities and
    confidences outside 0..1 made safe (the consumer never fails on a sloppy producer)."""
    values = {name: _clean(getattr(payload, name), limit) for name, limit in LIMITS.items()}
    priority = payload.priority if payload.priority in PRIORITIES else None
    return {
        **values,
        "status": payload.status,
        "priority": priority,
        "confidence": _confidence(payload.confidence),
    }


def _rank(status: Any) -> Any:
    return case((status == "suggested", 1), else_=0)


_TRIAGE = AiTriage.__table__
_STORED = tuple(c.name for c in _TRIAGE.c if c.name != "ticket_id")


def _upsert() -> Any:
    """INSERT the event's triage, or UPDATE the stored one if the event outranks it (a
    pending row always yields); RETURNING the row, none when the stored one stays."""
    stmt = insert(_TRIAGE).values({c.name: bindparam(c.name, type_=c.type) for c in _TRIAGE.c})
    new, old = stmt.excluded, _TRIAGE.c
    outranks = tuple_(_rank(old.status), old.occurred_at, old.event_id) < tuple_(
        _rank(new.status), new.occurred_at, new.event_id
    )
    return stmt.on_conflict_do_update(
        index_elements=[old.ticket_id],
        set_={name: new[name] for name in _STORED},
        where=or_(old.status == "pending", and_(old.occurred_at.is_not(None), outranks)),
    ).returning(*_TRIAGE.c)


_UPSERT = reads.Prepared(_upsert())


async def store(
    conn: asyncpg.Connection,
    *,
    ticket_id: int,
    event_id: uuid.UUID,
    occurred_at: datetime,
    payload: AiTriageSuggested,
    duplicates: list[int],
) -> asyncpg.Record | None:
    """Upsert the event's triage if it outranks the stored one, on the consumer's
    connection (`reads.transactional`); the row, or None when the stored triage stays (an
    older or lesser event)."""
    if occurred_at.tzinfo is None:
        occurred_at = occurred_at.replace(tzinfo=UTC)
    return await _UPSERT.fetchrow(
        conn,
        **values_from(payload),
        ticket_id=ticket_id,
        event_id=event_id,
        occurred_at=occurred_at,
        possible_duplicates=duplicates,
        applied=[],
        updated_at=utcnow(),
    )


_TICKETS = Ticket.__table__


def _locked() -> Any:
    """The ticket FOR UPDATE with its lexemes and the AI settings (one round trip)."""
    settings = AiSettings.__table__
    columns = ("priority", "category", "deleted_at", "created_at", "updated_at")
    return (
        select(
            *(_TICKETS.c[name] for name in columns),
            func.tsvector_to_array(_TICKETS.c.search).label("words"),
            settings.c.auto_apply,
            settings.c.min_confidence,
        )
        .select_from(_TICKETS.outerjoin(settings, settings.c.id == SINGLETON))
        .where(_TICKETS.c.id == bindparam("ticket_id", type_=BigInteger))
        .with_for_update(of=_TICKETS)
    )


_LOCKED = reads.Prepared(_locked())


async def locked(conn: asyncpg.Connection, *, ticket_id: int) -> asyncpg.Record | None:
    """The ticket, locked until the transaction ends (so auto-apply and a concurrent triage
    of it see one another's result), as storing its triage reads it: `priority`,
    `category`, `deleted_at`, `created_at`, `updated_at`, `words` (its lexemes) and the
    settings' `auto_apply`, `min_confidence`; None: no such ticket."""
    return await _LOCKED.fetchrow(conn, ticket_id=ticket_id)


async def get(session: AsyncSession, *, ticket_id: int) -> AiTriage | None:
    return await session.get(AiTriage, ticket_id)


_UNREAD: Any = object()


async def for_viewer(
    session: AsyncSession, *, ticket_id: int, principal: Principal, row: Any = _UNREAD
) -> dict[str, Any] | None:
    """The triage as `principal` may see it: duplicates they may not see are left out.
    `row`: the triage (or None: it has none) when the caller read it with the ticket."""
    if row is _UNREAD:
        row = await get(session, ticket_id=ticket_id)
    if row is None:
        return None
    shown = TriageRead.model_validate(row).model_dump(mode="json")
    if row.possible_duplicates:
        query = select(Ticket.id).where(
            Ticket.id.in_(row.possible_duplicates), permissions.visible_tickets(principal)
        )
        visible = set((await session.scalars(query)).all())
        shown["possible_duplicates"] = [i for i in row.possible_duplicates if i in visible]
    return shown


_VISIBLE = reads.FrozenCache(
    lambda principal: select(Ticket.id).where(
        Ticket.id == any_(bindparam("ids", [0], type_=ARRAY(BigInteger))),
        permissions.visible_tickets(principal),
    ),
    key=permissions.visibility_key,
    kept=1024,
)


async def read_for_viewer(
    conn: asyncpg.Connection, *, row: Any, principal: Principal
) -> dict[str, Any] | None:
    """`for_viewer` of a triage read with its ticket, on a plain connection."""
    if row is None:
        return None
    shown = TriageRead.model_validate(row).model_dump(mode="json")
    if row.possible_duplicates:
        found = await _VISIBLE(principal).fetch(conn, ids=list(row.possible_duplicates))
        visible = {r["id"] for r in found}
        shown["possible_duplicates"] = [i for i in row.possible_duplicates if i in visible]
    return shown


def as_dict(row: AiTriage) -> dict[str, Any]:
    return TriageRead.model_validate(row).model_dump(mode="json")
