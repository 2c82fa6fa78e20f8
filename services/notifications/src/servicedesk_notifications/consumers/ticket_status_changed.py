"""`ticket.status_changed`: tell the requester, unless they made the change themselves."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.delivery import Channels, Notice, deliver
from servicedesk_notifications.texts import name_of, state_label
from servicedesk_shared.events import TicketStatusChanged, parse_as
from servicedesk_shared.messaging.envelope import Envelope

# The event types this module handles (the registry in __init__ reads it).
EVENTS = ("ticket.status_changed",)


async def handle(session: AsyncSession, event: Envelope, channels: Channels) -> None:
    payload = parse_as(event, TicketStatusChanged)
    ticket = payload.ticket
    if payload.changed_by == ticket.requester_id:
        return
    who = await name_of(session, payload.changed_by)
    before, after = state_label(payload.from_status), state_label(payload.to_status)
    title = f"{who} moved #{ticket.id} to {after}"
    body = f"“{ticket.title}” moved from {before} to {after}."
    facts = {"status": [payload.from_status, payload.to_status]}
    notice = Notice.of(event, ticket, title, body, facts)
    await deliver(session, channels, notice, user_id=ticket.requester_id)
