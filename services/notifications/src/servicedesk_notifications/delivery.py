"""Notify one user on every channel that is on: the inbox (grouped per ticket and burst,
see `inbox.service.record`), then one e-mail per change.

Both are written in the caller's transaction (the consumer's or the request's), so a
notification and its e-mail commit together or not at all. E-mails are not grouped: a
digest would have to wait for the burst to end, and a mail already sent cannot absorb
the next change; each change is mailed on its own, with its own words.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.email import service as email
from servicedesk_notifications.inbox import service as inbox
from servicedesk_notifications.inbox.grouping import Change
from servicedesk_notifications.inbox.models import Notification
from servicedesk_notifications.inbox.service import Ticket
from servicedesk_notifications.metrics import SENT


@dataclass(frozen=True)
class Channels:
    """Which channels besides the inbox are on (e-mail: an SMTP host is configured), and
    how long after its last change an unread inbox entry still gathers a ticket's next
    change (zero: never)."""

    email: bool
    group_window: timedelta = timedelta(0)


async def notify(
    session: AsyncSession,
    channels: Channels,
    *,
    user_id: str,
    kind: str,
    title: str,
    body: str,
    ticket_id: int | None = None,
    ticket_title: str | None = None,
    event_id: uuid.UUID | None = None,
    facts: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Notification:
    """The inbox entry the change went into (new or gathered); `inbox.AlreadyRecorded`
    if this event had already notified this user (roll back). `facts` (see
    `inbox.grouping`) make it groupable; `at` is when the change happened (the event's
    `occurred_at`)."""
    change = Change(kind=kind, title=title, body=body, facts=facts or {}, at=at)
    ticket = Ticket(ticket_id, ticket_title or "") if ticket_id is not None else None
    recorded = await inbox.record(
        session,
        user_id=user_id,
        change=change,
        ticket=ticket,
        event_id=event_id,
        window=channels.group_window,
    )
    SENT.labels("inbox", "created" if recorded.notification.count == 1 else "grouped").inc()
    if channels.email:
        await email.queue(session, change=recorded.change)
    return recorded.notification
