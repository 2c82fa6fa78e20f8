"""Write audit entries (in the change's own transaction) and read them (`verify.py`
checks the chain).

`record` only queues an entry on the session; `flush_pending` runs just before the commit
(`transaction.commit`) and inserts the queued entries unchained, each with its row in the
sealer's queue, in one statement and without any lock: concurrent writers never wait on
each other. The sealer (`sealer.py`) chains them moments later; until then an entry reads
with `seq`, `prev_hash` and `hash` null.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared.logging import request_id_var
from servicedesk_tickets.audit.models import AuditEntry, ChainLink, UnsealedEntry
from servicedesk_tickets.audit.schemas import AuditFilters
from servicedesk_tickets.database import utcnow

PENDING = "audit_pending"
TICKET = "ticket"  # the object type of the entries in a ticket's history
entries, links, queue = AuditEntry.__table__, ChainLink.__table__, UnsealedEntry.__table__


class Actor(Protocol):
    """Who made a change: a signed-in `Principal`, or a `ServiceActor`."""

    @property
    def id(self) -> str: ...

    @property
    def username(self) -> str: ...


@dataclass(frozen=True)
class ServiceActor:
    """A change made by a service, not a person. Its id is not a UUID, so it can never be
    mistaken for a user's (user ids are UUIDs)."""

    id: str
    username: str


AI_ASSIST = ServiceActor(id="ai-assist", username="ai-assist")


def record(
    session: AsyncSession,
    *,
    actor: Actor | None,
    action: str,
    object_type: str,
    object_id: str | int | None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> None:
    """Queue one entry; it is inserted when the transaction commits, and chained after."""
    session.info.setdefault(PENDING, []).append(
        {
            "actor_id": actor.id if actor else None,
            "actor_name": actor.username if actor else None,
            "action": action,
            "object_type": object_type,
            "object_id": None if object_id is None else str(object_id),
            "old": old,
            "new": new,
            "request_id": request_id_var.get(),
            "ip": session.info.get("ip"),
        }
    )


def on_ticket(
    session: AsyncSession,
    *,
    ticket_id: int,
    actor: Actor,
    action: str,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> None:
    """`record` an entry in the ticket's history (its own changes, comments, attachments)."""
    record(
        session,
        actor=actor,
        action=action,
        object_type=TICKET,
        object_id=ticket_id,
        old=old,
        new=new,
    )


def replaced(
    session: AsyncSession, *, kind: str, system: str, actor: Actor, old: BaseModel, new: BaseModel
) -> None:
    """`<kind>.replaced`: a system's `kind` (workflow, SLA policy) swapped whole, old and new
    as the API reads them."""
    record(
        session,
        actor=actor,
        action=f"{kind}.replaced",
        object_type=kind,
        object_id=system,
        old=old.model_dump(mode="json", by_alias=True),
        new=new.model_dump(mode="json", by_alias=True),
    )


async def flush_pending(session: AsyncSession) -> int:
    """Insert the queued entries unchained, each with its queue row, in one statement
    (`WITH e AS (INSERT … RETURNING id) INSERT INTO audit_unsealed …`); how many."""
    pending = session.info.pop(PENDING, None)
    if not pending:
        return 0
    await session.flush()
    rows = [{**entry, "at": utcnow()} for entry in pending]
    written = insert(entries).values(rows).returning(entries.c.id).cte("written")
    await session.execute(insert(queue).from_select(["entry_id"], select(written.c.id)))
    return len(rows)


def _with_links() -> Select:
    """Entries with their place on the chain: `seq`, `prev_hash`, `hash`, null while the
    entry waits for the sealer."""
    return select(entries, links.c.seq, links.c.prev_hash, links.c.hash).outerjoin(
        links, links.c.entry_id == entries.c.id
    )


async def history(session: AsyncSession, *, ticket_id: int, staff: bool) -> list[Any]:
    """A ticket's entries, oldest first; internal notes only for `staff`."""
    query = _with_links().where(
        entries.c.object_type == TICKET, entries.c.object_id == str(ticket_id)
    )
    if not staff:
        internal = entries.c.new["internal"].as_boolean().is_(True)
        query = query.where(~func.coalesce(internal, False))
    return list((await session.execute(query.order_by(entries.c.id))).all())


def _conditions(filters: AuditFilters) -> list[ColumnElement[bool]]:
    conditions = [
        entries.c[name] == getattr(filters, name)
        for name in ("action", "object_type", "object_id", "actor_id")
        if getattr(filters, name) is not None
    ]
    if filters.since is not None:
        conditions.append(entries.c.at >= filters.since)
    if filters.until is not None:
        conditions.append(entries.c.at < filters.until)
    return conditions


async def get_all(session: AsyncSession, *, filters: AuditFilters) -> tuple[list, int]:
    """One page of entries, newest first, and how many match in all."""
    conditions = _conditions(filters)
    total = await session.scalar(select(func.count()).select_from(entries).where(*conditions))
    query = _with_links().where(*conditions).order_by(entries.c.id.desc())
    page = await session.execute(query.limit(filters.limit).offset(filters.offset))
    return list(page.all()), total or 0
