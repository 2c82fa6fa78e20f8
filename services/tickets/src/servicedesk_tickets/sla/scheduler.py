"""Emit `ticket.sla.warning` and `ticket.sla.breached` when their moment comes, from every
replica at once without doubles.

Each poll, in one transaction: take the due, unemitted rows of `sla_deadlines` with
`FOR UPDATE SKIP LOCKED` (another replica's poll skips the rows this one holds, and sees
them emitted once it commits), re-derive each ticket's clock from its history (the table
is an index, the history the truth), and either write the event to the outbox and mark
the row emitted, move the row to the clock's new moment, or drop it (met, paused, gone).
The primary key (ticket, target, kind) makes each event once per target and ticket.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicedesk_shared.events import TicketSlaBreached, TicketSlaWarning
from servicedesk_tickets.database import utcnow
from servicedesk_tickets.outbox import service as outbox
from servicedesk_tickets.sla import service
from servicedesk_tickets.sla.clock import Clock
from servicedesk_tickets.sla.metrics import BREACHES, WARNINGS
from servicedesk_tickets.sla.models import SlaDeadline
from servicedesk_tickets.ticketing.models import Ticket
from servicedesk_tickets.ticketing.service import as_dict
from servicedesk_tickets.transaction import commit

log = logging.getLogger(__name__)
EVENT = {"warning": TicketSlaWarning, "breach": TicketSlaBreached}
BATCH = 500


@dataclass(frozen=True)
class Emitted:
    ticket_id: int
    target: str
    kind: str
    system: str
    priority: str


def due_query(now: datetime, batch: int = BATCH):
    """The due-time index's query (partial index `ix_sla_deadlines_due`)."""
    return (
        select(SlaDeadline)
        .where(SlaDeadline.emitted_at.is_(None), SlaDeadline.due_at <= now)
        .order_by(SlaDeadline.due_at)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )


def _event(ticket: Ticket, row: SlaDeadline, clock: Clock) -> TicketSlaWarning | TicketSlaBreached:
    """The row's kind of SLA event: `{ticket, target, due_at, elapsed_ratio}`."""
    return EVENT[row.kind](
        ticket=as_dict(ticket),
        target=row.target,
        due_at=clock.due_at,
        elapsed_ratio=clock.elapsed_ratio,
    )


async def _handle(session: AsyncSession, row: SlaDeadline, now: datetime, batch) -> Emitted | None:
    tickets, derived_by_ticket = batch
    ticket = tickets.get(row.ticket_id)
    if ticket is None or ticket.deleted_at is not None:
        await session.delete(row)
        return None
    clock = derived_by_ticket[ticket.id][row.target]
    moment = (
        None
        if clock is None or clock.met_at
        else getattr(clock, "warn_at" if row.kind == "warning" else "due_at")
    )
    if moment is None:
        await session.delete(row)
        return None
    if moment > now:
        row.due_at = moment
        return None
    row.emitted_at = now
    outbox.record(session, event=_event(ticket, row, clock))
    return Emitted(ticket.id, row.target, row.kind, ticket.system, ticket.priority)


async def _load(session: AsyncSession, rows: list[SlaDeadline], now: datetime):
    """The batch's tickets and their clocks re-derived from history, in a few queries for
    the whole batch."""
    if not rows:
        return {}, {}
    ids = {row.ticket_id for row in rows}
    tickets = {t.id: t for t in await session.scalars(select(Ticket).where(Ticket.id.in_(ids)))}
    live = [t for t in tickets.values() if t.deleted_at is None]
    return tickets, await service.derive_many(session, tickets=live, now=now)


async def _store(session: AsyncSession, derived_by_ticket: dict) -> None:
    """The re-derived clocks back into `ticket_sla`, in ticket order (no lock cycles
    between two polls)."""
    await service.store_clocks_many(session, dict(sorted(derived_by_ticket.items())))


def _count(emitted: list[Emitted]) -> None:
    for e in emitted:
        counter = WARNINGS if e.kind == "warning" else BREACHES
        counter.labels(system=e.system, priority=e.priority, target=e.target).inc()


async def poll(
    sessions: async_sessionmaker[AsyncSession], *, now: datetime | None = None, batch: int = BATCH
) -> list[Emitted]:
    """One poll in one transaction; the events it emitted (counted once committed)."""
    now = now or utcnow()
    async with sessions() as session:
        rows = list(await session.scalars(due_query(now, batch)))
        loaded = await _load(session, rows, now)
        emitted = [e for row in rows if (e := await _handle(session, row, now, loaded))]
        await _store(session, loaded[1])
        await commit(session)
    _count(emitted)
    return emitted


class SlaScheduler:
    """`poll` every `interval` seconds in the background until stopped."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, interval: float) -> None:
        self.sessions, self.interval = sessions, interval
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="sla-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                emitted = await poll(self.sessions)
            except Exception:  # the database is down: log, wait, try again
                log.exception("SLA poll failed")
                emitted = []
            if len(emitted) < BATCH:
                await asyncio.sleep(self.interval)
