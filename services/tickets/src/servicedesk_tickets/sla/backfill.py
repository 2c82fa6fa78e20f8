"""One-off: SLA clocks for tickets filed before the SLA existed (migration 0007).

    .venv/bin/python -m servicedesk_tickets.sla.backfill

Pages through live tickets without a `ticket_sla` row, derives each one's clocks from its
history and stores them with their deadlines, one transaction and a handful of statements
per page (safe to stop and
run again; safe while the service runs). A warning or breach whose moment is already past
is recorded as emitted, not announced: a backfill must not send a flood of events about
promises broken before the promises existed.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicedesk_shared.db import create_engine, session_factory
from servicedesk_shared.startup import load_settings
from servicedesk_tickets.config import Settings
from servicedesk_tickets.database import load_models, utcnow
from servicedesk_tickets.sla import service
from servicedesk_tickets.sla.models import SlaDeadline, TicketSla
from servicedesk_tickets.ticketing.models import Ticket
from servicedesk_tickets.transaction import commit

PAGE = 500


async def _page(session: AsyncSession, *, now: datetime, size: int) -> int:
    stored = exists().where(TicketSla.ticket_id == Ticket.id)
    query = select(Ticket).where(Ticket.deleted_at.is_(None), ~stored)
    tickets = list(await session.scalars(query.order_by(Ticket.id).limit(size)))
    if not tickets:
        return 0
    await service.store_many(session, await service.derive_many(session, tickets=tickets, now=now))
    await session.execute(
        update(SlaDeadline)
        .where(
            SlaDeadline.ticket_id.in_([t.id for t in tickets]),
            SlaDeadline.emitted_at.is_(None),
            SlaDeadline.due_at <= now,
        )
        .values(emitted_at=now)
        .execution_options(synchronize_session=False)
    )
    return len(tickets)


async def backfill(
    sessions: async_sessionmaker[AsyncSession], *, now: datetime | None = None, size: int = PAGE
) -> int:
    """Store the clocks of every live ticket that has none; how many tickets it did."""
    done = 0
    while True:
        async with sessions() as session:
            count = await _page(session, now=now or utcnow(), size=size)
            await commit(session)
        done += count
        if count < size:
            return done


async def run(settings: Settings) -> int:
    load_models()
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        return await backfill(session_factory(engine))
    finally:
        await engine.dispose()


def main() -> None:
    done = asyncio.run(run(load_settings(Settings, "tickets SLA backfill")))
    print(f"sla backfill: clocks stored for {done} tickets", file=sys.stderr)


if __name__ == "__main__":
    main()
