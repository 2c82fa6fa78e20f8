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
from servicedesk_shared.events import TicketSnapshot
from servicedesk_shared.messaging.envelope import Envelope


@dataclass(frozen=True)
class Channels:
    """Which channels besides the inbox are on (e-mail: an SMTP host is configured), and
    how long after its last change an unread inbox entry still gathers a ticket's next
    change (zero: never)."""

    email: bool
    group_window: timedelta = timedelta(0)


@dataclass(frozen=True)
class Notice:
    """What one event tells each of its recipients: the change, the ticket it is about
    (what an entry's group title names) and the event (recorded once per person)."""

    change: Change
    ticket: Ticket | None = None
    event_id: uuid.UUID | None = None

    @classmethod
    def of(
        cls,
        event: Envelope,
        ticket: TicketSnapshot,
        title: str,
        body: str,
        facts: dict[str, Any] | None = None,
    ) -> Notice:
        """The notice of a ticket's event: its type, time and id, the ticket's id and title."""
        change = Change(event.type, title, body, facts or {}, event.occurred_at)
        return cls(change, Ticket(ticket.id, ticket.title or ""), event.id)


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
    """`deliver` a notice given field by field (the internal API's). `facts` (see
    `inbox.grouping`) make it groupable; `at` is when the change happened."""
    change = Change(kind=kind, title=title, body=body, facts=facts or {}, at=at)
    ticket = Ticket(ticket_id, ticket_title or "") if ticket_id is not None else None
    return await deliver(session, channels, Notice(change, ticket, event_id), user_id=user_id)


async def deliver(
    session: AsyncSession, channels: Channels, notice: Notice, *, user_id: str
) -> Notification:
    """The inbox entry the notice went into (new or gathered); `inbox.AlreadyRecorded`
    if this event had already notified this user (roll back)."""
    recorded = await inbox.record(
        session,
        user_id=user_id,
        change=notice.change,
        ticket=notice.ticket,
        event_id=notice.event_id,
        window=channels.group_window,
    )
    SENT.labels("inbox", "created" if recorded.notification.count == 1 else "grouped").inc()
    if channels.email:
        await email.queue(session, change=recorded.change)
    return recorded.notification
