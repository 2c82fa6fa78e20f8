"""`ticket.sla.warning` and `ticket.sla.breached`: tell the assignee, or, when nobody is
assigned, the system's managers and admins (those who can assign it). Each alert is an
inbox entry of its own: a promise about to break, or broken, must not hide inside a
ticket's burst of changes (`inbox.grouping`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.delivery import Channels, Notice, deliver
from servicedesk_notifications.directory import service as directory
from servicedesk_notifications.metrics import SLA_NOTICES
from servicedesk_notifications.texts import priority_label
from servicedesk_shared.events import TicketSlaBreached, TicketSlaWarning, parse
from servicedesk_shared.messaging.envelope import Envelope

# The event types this module handles (the registry in __init__ reads it).
EVENTS = ("ticket.sla.warning", "ticket.sla.breached")

TARGETS = {"first_response": "first response", "resolution": "resolution"}


def content(payload: TicketSlaWarning | TicketSlaBreached) -> tuple[str, str]:
    ticket, target = payload.ticket, TARGETS[payload.target]
    due = f" (due {payload.due_at:%Y-%m-%d %H:%M} UTC)" if payload.due_at else ""
    about = f"“{ticket.title}” ({priority_label(ticket.priority)})"
    if isinstance(payload, TicketSlaBreached):
        title = f"SLA breached: #{ticket.id} missed its {target} target"
        return title, f"{about} is past its {target} target{due}."
    title = f"SLA at risk: #{ticket.id} {target} due soon"
    return title, f"{about} has used 80 % of its {target} time{due}."


async def recipients(session: AsyncSession, payload: TicketSlaWarning | TicketSlaBreached):
    if payload.ticket.assignee_id:
        return [payload.ticket.assignee_id]
    return await directory.assigners_of(session, system=payload.ticket.system)


async def handle(session: AsyncSession, event: Envelope, channels: Channels) -> None:
    payload = parse(event)
    assert isinstance(payload, TicketSlaWarning | TicketSlaBreached)
    # No facts: an SLA alert is its own entry, never folded into a burst.
    notice = Notice.of(event, payload.ticket, *content(payload))
    for user_id in await recipients(session, payload):
        await deliver(session, channels, notice, user_id=user_id)
    SLA_NOTICES.labels(event.type.rsplit(".", 1)[1], payload.target).inc()
