"""`ticket.assigned`: tell the new assignee (nobody when it was unassigned or self-assigned)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.delivery import Channels, Notice, deliver
from servicedesk_notifications.texts import name_of, ticket_labels
from servicedesk_shared.events import TicketAssigned, parse_as
from servicedesk_shared.messaging.envelope import Envelope

# The event types this module handles (the registry in __init__ reads it).
EVENTS = ("ticket.assigned",)


async def handle(session: AsyncSession, event: Envelope, channels: Channels) -> None:
    payload = parse_as(event, TicketAssigned)
    ticket, assignee = payload.ticket, payload.assignee_id
    if assignee is None or assignee == payload.assigned_by:
        return
    who = await name_of(session, payload.assigned_by)
    title = f"{who} assigned #{ticket.id} to you"
    body = f"“{ticket.title}” ({ticket_labels(ticket)}) is yours now."
    notice = Notice.of(event, ticket, title, body, {"assigned_by": who})
    await deliver(session, channels, notice, user_id=assignee)
