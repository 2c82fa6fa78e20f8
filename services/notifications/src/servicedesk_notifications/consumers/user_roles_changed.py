"""`user.roles_changed`: the user's roles per system (who manages a system's SLA)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.delivery import Channels
from servicedesk_notifications.directory import service as directory
from servicedesk_shared.events import UserRolesChanged, parse
from servicedesk_shared.messaging.envelope import Envelope


async def handle(session: AsyncSession, event: Envelope, channels: Channels) -> None:
    payload = parse(event)
    assert isinstance(payload, UserRolesChanged)
    await directory.upsert_roles(
        session, user_id=payload.user_id, systems=payload.systems, version=payload.version
    )
