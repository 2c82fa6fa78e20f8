"""The open tickets (not deleted, not closed, not in a terminal state of their system's
workflow) by id, in keyset pages: stable while tickets are filed or edited meanwhile, each
ticket on exactly one page (an edit changes `updated_at`, never the id the order is by)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_tickets.internal.schemas import OpenTicket, OpenTicketPage
from servicedesk_tickets.ticketing.models import Ticket
from servicedesk_tickets.ticketing.order import terminal_state

COLUMNS = (Ticket.id, Ticket.title, Ticket.description, Ticket.updated_at)


async def get_page(
    session: AsyncSession,
    *,
    system: str | None,
    updated_since: datetime | None,
    after: int | None,
    limit: int,
) -> OpenTicketPage:
    """Up to `limit` open tickets with an id above `after`; one more is read to know if any
    follow."""
    stmt = (
        select(*COLUMNS)
        .where(Ticket.deleted_at.is_(None), Ticket.status != "closed", ~terminal_state())
        .order_by(Ticket.id)
        .limit(limit + 1)
    )
    if system is not None:
        stmt = stmt.where(Ticket.system == system)
    if updated_since is not None:
        stmt = stmt.where(Ticket.updated_at >= updated_since)
    if after is not None:
        stmt = stmt.where(Ticket.id > after)
    rows = (await session.execute(stmt)).all()
    items = [OpenTicket.model_validate(row._mapping) for row in rows[:limit]]
    return OpenTicketPage(items=items, next=items[-1].id if len(rows) > limit else None)
