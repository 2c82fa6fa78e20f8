"""`ticket.created`: tell the assignee when the ticket was filed already assigned."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.delivery import Channels, notify
from servicedesk_shared.events import TicketCreated, parse
from servicedesk_shared.messaging.envelope import Envelope


async def handle(session: AsyncSession, event: Envelope, channels: Channels) -> None:
    payload = parse(event)
    assert isinstance(payload, TicketCreated)
    ticket = payload.ticket
    if ticket.assignee_id is None or ticket.assignee_id == ticket.requester_id:
        return
    await notify(
        session, channels, user_id=ticket.assignee_id, kind=event.type,
        ticket_id=ticket.id, event_id=event.id,
        title=f"New ticket #{ticket.id} assigned to you",
        body=f"“{ticket.title}” ({ticket.priority}) was filed and assigned to you.",
    )  # fmt: skip
