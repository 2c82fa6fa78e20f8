"""`user.roles_changed`: the user's roles per system (who manages a system's SLA)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.delivery import Channels
from servicedesk_notifications.directory import service as directory
from servicedesk_shared.events import UserRolesChanged, parse_as
from servicedesk_shared.messaging.envelope import Envelope

# The event types this module handles (the registry in __init__ reads it).
EVENTS = ("user.roles_changed",)


async def handle(session: AsyncSession, event: Envelope, channels: Channels) -> None:
    payload = parse_as(event, UserRolesChanged)
    await directory.upsert_roles(
        session, user_id=payload.user_id, systems=payload.systems, version=payload.version
    )
