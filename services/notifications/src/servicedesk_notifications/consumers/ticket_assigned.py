"""`ticket.assigned`: tell the new assignee (nobody when it was unassigned or self-assigned)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.delivery import Channels, notify
from servicedesk_notifications.texts import name_of, state_label
from servicedesk_shared.events import TicketAssigned, parse
from servicedesk_shared.messaging.envelope import Envelope


async def handle(session: AsyncSession, event: Envelope, channels: Channels) -> None:
    payload = parse(event)
    assert isinstance(payload, TicketAssigned)
    ticket, assignee = payload.ticket, payload.assignee_id
    if assignee is None or assignee == payload.assigned_by:
        return
    await notify(
        session, channels, user_id=assignee, kind=event.type,
        ticket_id=ticket.id, event_id=event.id,
        title=f"{await name_of(session, payload.assigned_by)} assigned #{ticket.id} to you",
        body=f"“{ticket.title}” ({ticket.priority}, {state_label(ticket.status)}) is yours now.",
    )  # fmt: skip
