"""`ticket.status_changed`: tell the requester, unless they made the change themselves."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.delivery import Channels, notify
from servicedesk_notifications.texts import name_of, state_label
from servicedesk_shared.events import TicketStatusChanged, parse
from servicedesk_shared.messaging.envelope import Envelope


async def handle(session: AsyncSession, event: Envelope, channels: Channels) -> None:
    payload = parse(event)
    assert isinstance(payload, TicketStatusChanged)
    ticket = payload.ticket
    if payload.changed_by == ticket.requester_id:
        return
    who = await name_of(session, payload.changed_by)
    before, after = state_label(payload.from_status), state_label(payload.to_status)
    await notify(
        session,
        channels,
        user_id=ticket.requester_id,
        kind=event.type,
        ticket_id=ticket.id,
        ticket_title=ticket.title,
        event_id=event.id,
        at=event.occurred_at,
        title=f"{who} moved #{ticket.id} to {after}",
        body=f"“{ticket.title}” moved from {before} to {after}.",
        facts={"status": [payload.from_status, payload.to_status]},
    )
