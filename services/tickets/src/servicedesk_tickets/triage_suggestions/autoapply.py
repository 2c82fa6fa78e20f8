"""Auto-apply: copy a confident suggestion's priority and category onto its ticket.

Off unless a global admin turned it on (`/api/admin/ai-settings`). Then a `suggested`
triage with `confidence >= min_confidence` changes the ticket's `priority` and `category`
(never its title, description, status or assignee) — but only while nobody has changed the
ticket since it was filed (`updated_at == created_at`): a person's edit or transition always
wins over the model, and the model changes a ticket at most once. The change is made like a
person's PATCH, in the consumer's transaction: `updated_at` bumped, an audit entry
`ticket.updated` by the actor `ai-assist`, and a `ticket.updated` event in the outbox.

The decision (`changes`) reads plain rows: the locked ticket with the settings
(`service.locked`) and the stored triage. Only a change loads the ORM objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_tickets.audit.service import AI_ASSIST
from servicedesk_tickets.database import utcnow
from servicedesk_tickets.sla import service as sla
from servicedesk_tickets.ticketing import service as tickets
from servicedesk_tickets.ticketing.models import PRIORITIES, Ticket
from servicedesk_tickets.triage_suggestions.models import AiTriage


def eligible(ticket: Mapping[str, Any], triage: Mapping[str, Any]) -> bool:
    """On, confident enough, and the ticket live and untouched since it was filed."""
    if triage["status"] != "suggested" or triage["confidence"] is None:
        return False
    if ticket["deleted_at"] is not None or ticket["updated_at"] != ticket["created_at"]:
        return False
    return bool(ticket["auto_apply"]) and triage["confidence"] >= ticket["min_confidence"]


def changes(ticket: Mapping[str, Any], triage: Mapping[str, Any]) -> dict[str, str]:
    """The fields auto-apply changes on the ticket: none unless it is `eligible`."""
    if not eligible(ticket, triage):
        return {}
    found = {}
    if triage["priority"] in PRIORITIES and triage["priority"] != ticket["priority"]:
        found["priority"] = triage["priority"]
    if triage["category"] and triage["category"] != ticket["category"]:
        found["category"] = triage["category"]
    return found


async def apply(session: AsyncSession, *, ticket_id: int, changes: dict[str, str]) -> None:
    """Make the `changes` (the ticket is locked by this transaction) and note them on the
    triage as applied."""
    # Read afresh: both rows were read and written on the session's connection directly.
    ticket = await session.get_one(Ticket, ticket_id, populate_existing=True)
    triage = await session.get_one(AiTriage, ticket_id, populate_existing=True)
    old = {name: getattr(ticket, name) for name in changes}
    for name, value in changes.items():
        setattr(ticket, name, value)
    ticket.updated_at = utcnow()
    tickets.record_update(session, ticket=ticket, actor=AI_ASSIST, old=old, new=changes)
    if "priority" in changes:
        await sla.refresh(session, ticket=ticket)
    triage.applied = sorted(changes)
