"""A ticket's `clock.History` from its audit entries: those committed, then those queued
in this transaction (they are inserted at commit, so they count as happening `now`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, JSON, ColumnElement, String, any_, bindparam, cast, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_tickets.audit.models import AuditEntry
from servicedesk_tickets.audit.service import PENDING
from servicedesk_tickets.sla.clock import Fact, History
from servicedesk_tickets.ticketing.models import Ticket

ACTIONS = ("ticket.created", "ticket.updated", "ticket.status_changed", "comment.added")


def fact(action: str, at: datetime, actor_id: str | None, new: dict[str, Any] | None):
    """The fact an audit entry records, if the clocks care about it."""
    new = new or {}
    if action == "ticket.status_changed":
        return Fact(at=at, kind="status", actor_id=actor_id, value=new.get("status"))
    if action == "ticket.updated" and "priority" in new:
        return Fact(at=at, kind="priority", actor_id=actor_id, value=new["priority"])
    if action == "comment.added":
        return Fact(at=at, kind="comment", actor_id=actor_id, public=not new.get("internal"))
    return None


def _created(entries: list[tuple[str, datetime, str | None, dict | None]], ticket: Ticket):
    """The state and priority the ticket was filed with (its creation entry), else now's."""
    for action, _at, _actor, new in entries:
        if action == "ticket.created" and new:
            return new.get("status", ticket.status), new.get("priority", ticket.priority)
    return ticket.status, ticket.priority


def _history(ticket: Ticket, entries: list[tuple[str, datetime, str | None, dict | None]]):
    status, priority = _created(entries, ticket)
    facts = [f for action, at, actor, new in entries if (f := fact(action, at, actor, new))]
    return History(
        created_at=ticket.created_at,
        requester_id=ticket.requester_id,
        priority=priority,
        status=status,
        facts=facts,
    )


# Built once: the statement's construction and cache key cost more than its round trip.
_HISTORY = (
    select(
        AuditEntry.object_id, AuditEntry.action, AuditEntry.at, AuditEntry.actor_id, AuditEntry.new
    )
    .where(
        AuditEntry.object_type == "ticket",
        AuditEntry.object_id == any_(bindparam("ids", type_=ARRAY(String))),
        AuditEntry.action.in_(ACTIONS),
    )
    .order_by(AuditEntry.id)
)


def correlated(ticket_id: ColumnElement) -> ColumnElement:
    """The history of the ticket `ticket_id` (a column of the enclosing query) as one JSON
    array of `[action, at, actor_id, {status, priority, internal}]`, oldest first: only the
    keys `fact` reads, nulls dropped (a key is present only when the entry set it)."""
    new = AuditEntry.new
    kept = func.jsonb_strip_nulls(
        func.jsonb_build_object(
            "status", new["status"], "priority", new["priority"], "internal", new["internal"]
        )
    )
    entry = func.json_build_array(AuditEntry.action, AuditEntry.at, AuditEntry.actor_id, kept)
    return (
        select(func.json_agg(aggregate_order_by(entry, AuditEntry.id), type_=JSON))
        .where(
            AuditEntry.object_type == "ticket",
            AuditEntry.object_id == cast(ticket_id, String),
            AuditEntry.action.in_(ACTIONS),
        )
        .scalar_subquery()
    )


def from_rows(ticket: Ticket, rows: list | None) -> History:
    """The history of `correlated`'s JSON rows (committed entries only: a read)."""
    entries = [
        (action, datetime.fromisoformat(at), actor, new) for action, at, actor, new in rows or ()
    ]
    return _history(ticket, entries)


async def load_many(
    session: AsyncSession, *, tickets: list[Ticket], now: datetime, committed: bool = True
) -> dict[int, History]:
    """`{ticket id: History}` for many tickets with one query (a page, a backfill batch).
    `committed=False` for tickets created in this transaction: nothing of theirs can be
    committed yet, so only the queued entries count and the query is skipped."""
    if not tickets:
        return {}
    by_key = {str(t.id): t for t in tickets}
    entries: dict[str, list] = {key: [] for key in by_key}
    if committed:
        for key, *entry in await session.execute(_HISTORY, {"ids": list(by_key)}):
            entries[key].append(tuple(entry))
    for e in session.info.get(PENDING, []):
        if e["object_type"] == "ticket" and e["object_id"] in entries:
            entries[e["object_id"]].append((e["action"], now, e["actor_id"], e["new"]))
    return {ticket.id: _history(ticket, entries[key]) for key, ticket in by_key.items()}


async def load(session: AsyncSession, *, ticket: Ticket, now: datetime) -> History:
    """One ticket's history: its committed entries, then this transaction's."""
    return (await load_many(session, tickets=[ticket], now=now))[ticket.id]
