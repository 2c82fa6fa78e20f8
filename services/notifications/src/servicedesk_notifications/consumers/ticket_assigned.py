"""`ticket.assigned`: tell the new assignee (nobody when it was unassigned or self-assigned)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.delivery import Channels, notify
from servicedesk_notifications.texts import name_of, priority_label, state_label
from servicedesk_shared.events import TicketAssigned, parse
from servicedesk_shared.messaging.envelope import Envelope


async def handle(session: AsyncSession, event: Envelope, channels: Channels) -> None:
    payload = parse(event)
    assert isinstance(payload, TicketAssigned)
    ticket, assignee = payload.ticket, payload.assignee_id
    if assignee is None or assignee == payload.assigned_by:
        return
    who = await name_of(session, payload.assigned_by)
    labels = f"{priority_label(ticket.priority)}, {state_label(ticket.status)}"
    await notify(
        session,
        channels,
        user_id=assignee,
        kind=event.type,
        ticket_id=ticket.id,
        ticket_title=ticket.title,
        event_id=event.id,
        at=event.occurred_at,
        title=f"{who} assigned #{ticket.id} to you",
        body=f"“{ticket.title}” ({labels}) is yours now.",
        facts={"assigned_by": who},
    )
