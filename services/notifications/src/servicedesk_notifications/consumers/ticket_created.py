"""`ticket.created`: tell the assignee when the ticket was filed already assigned."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.delivery import Channels, Notice, deliver
from servicedesk_notifications.texts import ticket_labels
from servicedesk_shared.events import TicketCreated, parse_as
from servicedesk_shared.messaging.envelope import Envelope

# The event types this module handles (the registry in __init__ reads it).
EVENTS = ("ticket.created",)


async def handle(session: AsyncSession, event: Envelope, channels: Channels) -> None:
    payload = parse_as(event, TicketCreated)
    ticket = payload.ticket
    if ticket.assignee_id is None or ticket.assignee_id == ticket.requester_id:
        return
    title = f"New ticket #{ticket.id} assigned to you"
    body = f"“{ticket.title}” ({ticket_labels(ticket)}) was filed and assigned to you."
    notice = Notice.of(event, ticket, title, body, {"created": True})
    await deliver(session, channels, notice, user_id=ticket.assignee_id)
