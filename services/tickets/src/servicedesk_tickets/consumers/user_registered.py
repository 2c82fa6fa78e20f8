"""`user.registered`: a new person in the directory (or a newer profile of a known one).

The payload is read with the directory's own tolerant `ProfileChange` (the fields of the
shared `UserRegistered`; unknown fields ignored, a missing version is 0).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared.messaging.envelope import Envelope
from servicedesk_tickets.config import Settings
from servicedesk_tickets.people import service as people
from servicedesk_tickets.people.schemas import ProfileChange

# The event types this module handles (the registry in __init__ reads it).
EVENTS = ("user.registered",)


async def handle(session: AsyncSession, event: Envelope, settings: Settings) -> None:
    change = ProfileChange.model_validate(event.data)
    await people.apply_profile(session, change=change, occurred_at=event.occurred_at)
