"""`user.registered`: remember the user's name and address (upsert) for e-mails."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.delivery import Channels
from servicedesk_notifications.directory import service as directory
from servicedesk_shared.events import UserRegistered, parse
from servicedesk_shared.messaging.envelope import Envelope


async def handle(session: AsyncSession, event: Envelope, channels: Channels) -> None:
    payload = parse(event)
    assert isinstance(payload, UserRegistered)
    await directory.upsert(
        session, user_id=payload.user_id, username=payload.username, email=payload.email
    )
