"""Append to the audit log (in the change's own transaction) and read or verify it.

`record` only queues an entry on the session; `flush_pending` runs just before the commit
(`transaction.commit`). It takes `pg_advisory_xact_lock(AUDIT_LOCK)`, reads the chain's
head (both in `audit_log_lock_head`, one round trip), inserts the entries chained to it
and lets the commit release the lock: concurrent
writers queue on the lock for milliseconds instead of forking the chain, and the lock is
held as late and as briefly as possible.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared.logging import request_id_var
from servicedesk_tickets.audit import chain
from servicedesk_tickets.audit.models import AuditEntry
from servicedesk_tickets.audit.schemas import AuditFilters, BrokenEntry, VerifyResult
from servicedesk_tickets.database import utcnow

AUDIT_LOCK = 0x7E_A0D17  # any constant shared by every writer of this database
PENDING = "audit_pending"
# pg_advisory_xact_lock, then the head read with a snapshot taken after the lock was granted
# (migration 0002): one round trip inside the critical section instead of two.
LOCK_AND_READ_HEAD = text("SELECT head_seq, head_hash FROM audit_log_lock_head(:key)")


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
    """Queue one entry; it is chained and inserted when the transaction commits."""
    session.info.setdefault(PENDING, []).append({
        "actor_id": actor.id if actor else None,
        "actor_name": actor.username if actor else None,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "old": old,
        "new": new,
        "request_id": request_id_var.get(),
        "ip": session.info.get("ip"),
    })  # fmt: skip


async def flush_pending(session: AsyncSession) -> None:
    """Chain and insert the queued entries under the append lock (held until commit)."""
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    await session.flush()
    head = await session.execute(LOCK_AND_READ_HEAD, {"key": AUDIT_LOCK})
    seq, prev = head.one()
    seq, prev = (seq, prev) if seq is not None else (0, chain.GENESIS)
    rows = []
    for entry in pending:
        seq += 1
        row = {**entry, "seq": seq, "at": utcnow(), "prev_hash": prev}
        row["hash"] = prev = chain.entry_hash(prev, row)
        rows.append(row)
    await session.execute(insert(AuditEntry), rows)


async def history(session: AsyncSession, *, ticket_id: int, staff: bool) -> list[AuditEntry]:
    """A ticket's entries, oldest first; internal notes only for `staff`."""
    query = select(AuditEntry).where(
        AuditEntry.object_type == "ticket", AuditEntry.object_id == str(ticket_id)
    )
    if not staff:
        internal = AuditEntry.new["internal"].as_boolean().is_(True)
        query = query.where(~func.coalesce(internal, False))
    return list((await session.scalars(query.order_by(AuditEntry.seq))).all())


def _conditions(filters: AuditFilters) -> list[ColumnElement[bool]]:
    conditions = [
        getattr(AuditEntry, name) == getattr(filters, name)
        for name in ("action", "object_type", "object_id", "actor_id")
        if getattr(filters, name) is not None
    ]
    if filters.since is not None:
        conditions.append(AuditEntry.at >= filters.since)
    if filters.until is not None:
        conditions.append(AuditEntry.at < filters.until)
    return conditions


async def get_all(session: AsyncSession, *, filters: AuditFilters) -> tuple[list, int]:
    """One page of entries, newest first, and how many match in all."""
    conditions = _conditions(filters)
    total = await session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions))
    query = select(AuditEntry).where(*conditions).order_by(AuditEntry.seq.desc())
    page = await session.scalars(query.limit(filters.limit).offset(filters.offset))
    return list(page.all()), total or 0


async def _entries(session: AsyncSession) -> AsyncIterator[Any]:
    """Every row in chain order as plain mappings (Core, not ORM: memory stays flat)."""
    table = AuditEntry.__table__
    query = select(table).order_by(table.c.seq).execution_options(yield_per=2000)
    result = await session.stream(query)
    try:
        async for row in result:
            yield row._mapping
    finally:
        await result.close()  # the server-side cursor, now, not at the end of the transaction


def _problem(entry: Any, expected_seq: int, prev: str) -> str | None:
    if entry["seq"] != expected_seq:
        return f"sequence gap: expected seq {expected_seq} (an entry was removed)"
    if entry["prev_hash"] != prev:
        return "prev_hash does not match the previous entry's hash"
    if entry["hash"] != chain.entry_hash(prev, dict(entry)):
        return "hash does not match the entry's content (the entry was modified)"
    return None


async def verify(session: AsyncSession) -> VerifyResult:
    """Recompute the whole chain, streaming, and name the first entry that breaks it."""
    count, prev, broken = 0, chain.GENESIS, None
    async for entry in _entries(session):
        count += 1
        if broken is None:
            reason = _problem(entry, count, prev)
            if reason:
                broken = BrokenEntry(seq=entry["seq"], reason=reason)
            prev = entry["hash"]
    return VerifyResult(valid=broken is None, entries=count, first_broken=broken)
