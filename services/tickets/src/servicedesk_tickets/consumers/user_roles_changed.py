"""`user.roles_changed`: replace the person's roles per system (nothing else), if newer
than the stored roles. A user never seen gets a row with roles and no profile yet. Open
assignments of someone who lost a role are not changed here: they show on
`GET /api/admin/orphaned-assignments`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared.messaging.envelope import Envelope
from servicedesk_tickets.config import Settings
from servicedesk_tickets.people import service as people
from servicedesk_tickets.people.schemas import RolesChange

# The event types this module handles (the registry in __init__ reads it).
EVENTS = ("user.roles_changed",)


async def handle(session: AsyncSession, event: Envelope, settings: Settings) -> None:
    change = RolesChange.model_validate(event.data)
    await people.apply_roles(session, change=change, occurred_at=event.occurred_at)
