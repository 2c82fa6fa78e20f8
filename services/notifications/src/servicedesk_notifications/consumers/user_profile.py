"""`user.registered` and `user.updated`: remember the user's name, address and active flag
(never over a newer version)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.delivery import Channels
from servicedesk_notifications.directory import service as directory
from servicedesk_shared.events import UserRegistered, UserUpdated, parse
from servicedesk_shared.messaging.envelope import Envelope

# The event types this module handles (the registry in __init__ reads it).
EVENTS = ("user.registered", "user.updated")


async def handle(session: AsyncSession, event: Envelope, channels: Channels) -> None:
    payload = parse(event)
    assert isinstance(payload, UserRegistered | UserUpdated)
    await directory.upsert_profile(session, profile=payload)
