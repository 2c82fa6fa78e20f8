"""`system.created`: auth added a system; give it the default workflow and SLA policy.

Idempotent beyond the inbox: a system that already has a workflow or a policy keeps it,
so a redelivery (or an event for a seeded system) changes nothing.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared.events import SystemCreated, parse
from servicedesk_shared.messaging.envelope import Envelope
from servicedesk_tickets.config import Settings
from servicedesk_tickets.systems import service as systems


async def handle(session: AsyncSession, event: Envelope, settings: Settings) -> None:
    payload = parse(event)
    assert isinstance(payload, SystemCreated)
    await systems.add_defaults(
        session, code=payload.code, name=payload.name, actor_id=payload.actor_id
    )
