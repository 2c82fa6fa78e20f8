"""Verify the audit log: the chain, link by link, and that every entry is accounted for.

    1. a seal pass, waiting for the sealer's lock and holding it to the end: what was
       committed before the call is on the chain, and the chain stays still meanwhile
    2. one statement (one snapshot): the chain's head and the number of links, of queued
       entries and of entries
    3. the chain up to that head joined to its entries, streamed in `seq` order: `seq`
       without gaps, each `prev_hash` the previous `hash`, each `hash` recomputed
    4. entries = links + queued, else the first entry that is on neither (its queue row
       was deleted) or on both (a queue row was added) is named

What it cannot see: an entry deleted together with its queue row before it was sealed,
and links cut off the chain's end together with their entries (the triggers refuse both;
a database superuser can disable them).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_tickets.audit import chain
from servicedesk_tickets.audit.models import AuditEntry, ChainLink, UnsealedEntry
from servicedesk_tickets.audit.schemas import BrokenEntry, VerifyResult
from servicedesk_tickets.audit.sealer import seal_all

entries, links, queue = AuditEntry.__table__, ChainLink.__table__, UnsealedEntry.__table__
COUNTS = select(
    select(func.max(links.c.seq)).scalar_subquery(),
    select(func.count()).select_from(links).scalar_subquery(),
    select(func.count()).select_from(queue).scalar_subquery(),
    select(func.count()).select_from(entries).scalar_subquery(),
)
SEALED = (
    select(links.c.seq, links.c.prev_hash, links.c.hash, entries)
    .join(entries, entries.c.id == links.c.entry_id)
    .where(links.c.seq <= bindparam("head"))
    .order_by(links.c.seq)
)
on_chain = select(links.c.seq).where(links.c.entry_id == entries.c.id).exists()
queued = select(queue.c.entry_id).where(queue.c.entry_id == entries.c.id).exists()
NOWHERE = select(func.min(entries.c.id)).where(~on_chain, ~queued)
TWICE = (
    select(links.c.seq, links.c.entry_id)
    .join(queue, queue.c.entry_id == links.c.entry_id)
    .order_by(links.c.seq)
    .limit(1)
)


async def _sealed(session: AsyncSession, head: int) -> AsyncIterator[Any]:
    """The links up to `head` with their entries, as plain mappings (Core, not ORM, read
    through a server-side cursor: memory stays flat)."""
    result = await session.stream(SEALED.execution_options(yield_per=2000), {"head": head})
    try:
        async for row in result:
            yield row._mapping
    finally:
        await result.close()  # the server-side cursor, now, not at the end of the transaction


def _problem(link: Any, expected_seq: int, prev: str) -> str | None:
    if link["seq"] != expected_seq:
        return f"sequence gap: expected seq {expected_seq} (an entry was removed)"
    if link["prev_hash"] != prev:
        return "prev_hash does not match the previous entry's hash"
    if link["hash"] != chain.entry_hash(prev, dict(link)):
        return "hash does not match the entry's content (the entry was modified)"
    return None


async def _walk(session: AsyncSession, head: int) -> tuple[int, BrokenEntry | None]:
    """How many links up to `head`, and the first that breaks the chain."""
    count, prev, broken = 0, chain.GENESIS, None
    async for link in _sealed(session, head):
        count += 1
        if broken is None:
            reason = _problem(link, count, prev)
            if reason:
                broken = BrokenEntry(seq=link["seq"], id=link["id"], reason=reason)
            prev = link["hash"]
    return count, broken


async def _unaccounted(session: AsyncSession) -> BrokenEntry:
    """The first entry neither on the chain nor queued, or both."""
    if (nowhere := await session.scalar(NOWHERE)) is not None:
        reason = "entry is neither on the chain nor queued for it (its queue row was removed)"
        return BrokenEntry(seq=None, id=nowhere, reason=reason)
    if (twice := (await session.execute(TWICE)).one_or_none()) is not None:
        reason = "entry is on the chain and queued again (a queue row was added)"
        return BrokenEntry(seq=twice.seq, id=twice.entry_id, reason=reason)
    return BrokenEntry(seq=None, reason="entries, links and queue rows do not add up")


async def verify(session: AsyncSession) -> VerifyResult:
    """Seal what is queued, then check the whole chain and name the first broken entry."""
    await seal_all(session)
    head, sealed, unsealed, total = (await session.execute(COUNTS)).one()
    count, broken = await _walk(session, head or 0)
    if broken is None and total != sealed + unsealed:
        broken = await _unaccounted(session)
    return VerifyResult(valid=broken is None, entries=count, unsealed=unsealed, first_broken=broken)
