"""`ai.triage.suggested`: store the suggestion (or the failure) on its ticket.

The ticket row is locked first, so auto-apply and a concurrent triage of the same ticket
see one another's result. An event for a ticket this database does not have is logged
and dropped (acknowledged): retrying could never make it succeed.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared.events import AiTriageSuggested, parse_as
from servicedesk_shared.messaging.envelope import Envelope
from servicedesk_tickets.config import Settings
from servicedesk_tickets.similar import service as similar
from servicedesk_tickets.ticketing.models import Ticket
from servicedesk_tickets.triage_suggestions import autoapply
from servicedesk_tickets.triage_suggestions import service as triage

# The event types this module handles (the registry in __init__ reads it).
EVENTS = ("ai.triage.suggested",)

log = logging.getLogger(__name__)


async def handle(session: AsyncSession, event: Envelope, settings: Settings) -> None:
    payload = parse_as(event, AiTriageSuggested)
    query = select(Ticket).where(Ticket.id == payload.ticket_id).with_for_update()
    ticket = await session.scalar(query)
    if ticket is None:
        log.warning("ai.triage.suggested %s: no ticket %s; dropped", event.id, payload.ticket_id)
        return
    duplicates = await similar.possible_duplicates(
        session,
        ticket_id=ticket.id,
        limit=settings.duplicate_limit,
        min_score=settings.duplicate_min_score,
        candidates=settings.duplicate_candidates,
        suggested=payload.possible_duplicates,
    )
    stored = await triage.store(
        session,
        ticket_id=ticket.id,
        event_id=event.id,
        occurred_at=event.occurred_at,
        payload=payload,
        duplicates=duplicates,
    )
    if stored is not None:
        await autoapply.apply(session, ticket=ticket, triage=stored)
