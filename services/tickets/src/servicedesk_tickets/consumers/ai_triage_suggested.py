"""`ai.triage.suggested`: store the suggestion (or the failure) on its ticket.

The ticket row is locked first, so auto-apply and a concurrent triage of the same ticket
see one another's result. An event for a ticket this database does not have is logged
and dropped (acknowledged): retrying could never make it succeed.

One of these arrives for every ticket filed, so its statements run on asyncpg itself, on
the consumer's transaction (`reads.transactional`, as filing does): the lock with what
the rest reads, the duplicates, the upsert — three round trips. Only an auto-applied
change goes through the ORM (`autoapply.apply`).
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared import reads
from servicedesk_shared.events import AiTriageSuggested, parse_as
from servicedesk_shared.messaging.envelope import Envelope
from servicedesk_tickets.config import Settings
from servicedesk_tickets.similar import service as similar
from servicedesk_tickets.triage_suggestions import autoapply
from servicedesk_tickets.triage_suggestions import service as triage

# The event types this module handles (the registry in __init__ reads it).
EVENTS = ("ai.triage.suggested",)

log = logging.getLogger(__name__)


async def handle(session: AsyncSession, event: Envelope, settings: Settings) -> None:
    payload = parse_as(event, AiTriageSuggested)
    async with reads.transactional(session) as conn:
        ticket = await triage.locked(conn, ticket_id=payload.ticket_id)
        if ticket is None:
            log.warning(
                "ai.triage.suggested %s: no ticket %s; dropped", event.id, payload.ticket_id
            )
            return
        duplicates = await similar.possible_duplicates(
            conn,
            ticket_id=payload.ticket_id,
            words=ticket["words"] or [],
            limit=settings.duplicate_limit,
            min_score=settings.duplicate_min_score,
            candidates=settings.duplicate_candidates,
            suggested=payload.possible_duplicates,
        )
        stored = await triage.store(
            conn,
            ticket_id=payload.ticket_id,
            event_id=event.id,
            occurred_at=event.occurred_at,
            payload=payload,
            duplicates=duplicates,
        )
    changes = {} if stored is None else autoapply.changes(ticket, stored)
    if changes:
        await autoapply.apply(session, ticket_id=payload.ticket_id, changes=changes)
