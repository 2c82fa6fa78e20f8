"""`ticket.created`: tell the assignee when the ticket was filed already assigned."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.delivery import Channels, notify
from servicedesk_notifications.texts import priority_label, state_label
from servicedesk_shared.events import TicketCreated, TicketSnapshot, parse
from servicedesk_shared.messaging.envelope import Envelope


def labels(ticket: TicketSnapshot) -> str:
    return f"{priority_label(ticket.priority)}, {state_label(ticket.status)}"


async def handle(session: AsyncSession, event: Envelope, channels: Channels) -> None:
    payload = parse(event)
    assert isinstance(payload, TicketCreated)
    ticket = payload.ticket
    if ticket.assignee_id is None or ticket.assignee_id == ticket.requester_id:
        return
    await notify(
        session,
        channels,
        user_id=ticket.assignee_id,
        kind=event.type,
        ticket_id=ticket.id,
        ticket_title=ticket.title,
        event_id=event.id,
        at=event.occurred_at,
        title=f"New ticket #{ticket.id} assigned to you",
        body=f"“{ticket.title}” ({labels(ticket)}) was filed and assigned to you.",
        facts={"created": True},
    )
