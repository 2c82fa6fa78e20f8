"""Write audit entries (in the change's own transaction) and read them (`verify.py`
checks the chain).

`record` only queues an entry on the session; `flush_pending` runs just before the commit
(`transaction.commit`) and inserts the queued entries unchained, each with its row in the
sealer's queue, in one statement and without any lock: concurrent writers never wait on
each other. The sealer (`sealer.py`) chains them moments later; until then an entry reads
with `seq`, `prev_hash` and `hash` null.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, Text, bindparam, cast, column, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared import reads
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


def entry(
    session: AsyncSession,
    *,
    actor: Actor | None,
    action: str,
    object_type: str,
    object_id: str | int | None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One entry's columns but its time `at`, with the request's id and the caller's ip."""
    return {
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


def record(session: AsyncSession, **fields: Any) -> None:
    """Queue one `entry` (the same arguments); it is inserted when the transaction commits,
    and chained after."""
    session.info.setdefault(PENDING, []).append(entry(session, **fields))


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


# The entries' columns, in order; `old` and `new` travel as JSON text and are cast back.
_COLUMNS = ("at", "actor_id", "actor_name", "action", "object_type", "object_id", "old", "new")
_COLUMNS += ("request_id", "ip")
_JSON = frozenset({"old", "new"})


def _arrays_as_rows() -> Select:
    """`SELECT … FROM unnest($1, $2, …)`: one array parameter per column, one row per entry,
    in the arrays' order."""
    typed = [(c, Text() if c in _JSON else entries.c[c].type) for c in _COLUMNS]
    rows = (
        func.unnest(*(bindparam(f"p_{c}", type_=ARRAY(t)) for c, t in typed))
        .table_valued(*(column(c, t) for c, t in typed))
        .render_derived()
    )
    return select(*(cast(rows.c[c], JSONB) if c in _JSON else rows.c[c] for c in _COLUMNS))


# One statement for any number of entries, compiled once: a multi-row VALUES list has no
# cache key and was compiled on every audited write (~8 % of the tickets process's CPU on
# creates, py-spy). Run on the session transaction's own asyncpg connection
# (`reads.transactional`): SQLAlchemy's execute of it was ~0.3 ms of Python per write.
_WRITTEN = (
    insert(entries).from_select(_COLUMNS, _arrays_as_rows()).returning(entries.c.id).cte("written")
)
_QUEUED = insert(queue).from_select(["entry_id"], select(_WRITTEN.c.id))
_WRITE = reads.Prepared(_QUEUED)
# The same two inserts as data-modifying CTEs, for a hot write's own statement to carry
# (filing's), with the parameters `arrays` names; the caller pokes the sealer after commit.
WRITE_CTES = (_WRITTEN, _QUEUED.cte("queued"))


def arrays(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The entries column by column, `old` and `new` as JSON text (None as JSON `null`, as
    the JSONB column type writes it): the parameters of `_WRITE` and `WRITE_CTES`."""
    return {f"p_{c}": [json.dumps(r[c]) if c in _JSON else r[c] for r in rows] for c in _COLUMNS}


async def flush_pending(session: AsyncSession) -> int:
    """Insert the queued entries unchained, each with its queue row, in one statement
    (`WITH e AS (INSERT … SELECT … FROM unnest(…) RETURNING id) INSERT INTO audit_unsealed
    …`); how many."""
    pending = session.info.pop(PENDING, None)
    if not pending:
        return 0
    await session.flush()
    now = utcnow()
    async with reads.transactional(session) as conn:
        await _WRITE.execute(conn, **arrays([{**row, "at": now} for row in pending]))
    return len(pending)


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
