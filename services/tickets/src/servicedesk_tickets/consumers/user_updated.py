"""`user.updated`: the profile as it now is (username, e-mail, display name, active and
admin flags). Applied only if newer than the stored profile; for a user never seen the
row is created, not dropped."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared.messaging.envelope import Envelope
from servicedesk_tickets.config import Settings
from servicedesk_tickets.people import service as people
from servicedesk_tickets.people.schemas import ProfileChange

# The event types this module handles (the registry in __init__ reads it).
EVENTS = ("user.updated",)


async def handle(session: AsyncSession, event: Envelope, settings: Settings) -> None:
    change = ProfileChange.model_validate(event.data)
    await people.apply_profile(session, change=change, occurred_at=event.occurred_at)
