"""Notify one user on every channel that is on: the inbox row, then the e-mail row.

Both are written in the caller's transaction (the consumer's or the request's), so a
notification and its e-mail commit together or not at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.email import service as email
from servicedesk_notifications.inbox import service as inbox
from servicedesk_notifications.inbox.models import Notification
from servicedesk_notifications.metrics import SENT


@dataclass(frozen=True)
class Channels:
    """Which channels besides the inbox are on (e-mail: an SMTP host is configured)."""

    email: bool


async def notify(
    session: AsyncSession,
    channels: Channels,
    *,
    user_id: str,
    kind: str,
    title: str,
    body: str,
    ticket_id: int | None = None,
    event_id: uuid.UUID | None = None,
) -> Notification | None:
    """The new notification, or None if this event had already notified this user."""
    note = await inbox.create(
        session, user_id=user_id, kind=kind, title=title, body=body,
        ticket_id=ticket_id, event_id=event_id,
    )  # fmt: skip
    if note is None:
        return None
    SENT.labels("inbox", "created").inc()
    if channels.email:
        await email.queue(session, notification=note)
    return note
