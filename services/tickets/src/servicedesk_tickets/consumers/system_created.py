"""`system.created`: auth added a system; give it the default workflow and SLA policy.

Idempotent beyond the inbox: a system that already has a workflow or a policy keeps it,
so a redelivery (or an event for a seeded system) changes nothing.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared.events import SystemCreated, parse_as
from servicedesk_shared.messaging.envelope import Envelope
from servicedesk_tickets.config import Settings
from servicedesk_tickets.systems import service as systems

# The event types this module handles (the registry in __init__ reads it).
EVENTS = ("system.created",)


async def handle(session: AsyncSession, event: Envelope, settings: Settings) -> None:
    payload = parse_as(event, SystemCreated)
    await systems.add_defaults(
        session, code=payload.code, name=payload.name, actor_id=payload.actor_id
    )
