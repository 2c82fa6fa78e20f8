"""Auto-apply: copy a confident suggestion's priority and category onto its ticket.

Off unless a global admin turned it on (`/api/admin/ai-settings`). Then a `suggested`
triage with `confidence >= min_confidence` changes the ticket's `priority` and `category`
(never its title, description, status or assignee) — but only while nobody has changed the
ticket since it was filed (`updated_at == created_at`): a person's edit or transition always
wins over the model, and the model changes a ticket at most once. The change is made like a
person's PATCH, in the consumer's transaction: `updated_at` bumped, an audit entry
`ticket.updated` by the actor `ai-assist`, and a `ticket.updated` event in the outbox.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_tickets.ai_settings import service as ai_settings
from servicedesk_tickets.audit.service import AI_ASSIST
from servicedesk_tickets.database import utcnow
from servicedesk_tickets.sla import service as sla
from servicedesk_tickets.ticketing import service as tickets
from servicedesk_tickets.ticketing.models import PRIORITIES, Ticket
from servicedesk_tickets.triage_suggestions.models import AiTriage


def changes_for(ticket: Ticket, triage: AiTriage) -> dict[str, str]:
    """The fields the suggestion would change on the ticket."""
    changes = {}
    if triage.priority in PRIORITIES and triage.priority != ticket.priority:
        changes["priority"] = triage.priority
    if triage.category and triage.category != ticket.category:
        changes["category"] = triage.category
    return changes


async def eligible(session: AsyncSession, *, ticket: Ticket, triage: AiTriage) -> bool:
    if triage.status != "suggested" or triage.confidence is None:
        return False
    if ticket.deleted_at is not None or ticket.updated_at != ticket.created_at:
        return False
    settings = await ai_settings.get(session)
    return settings.auto_apply and triage.confidence >= settings.min_confidence


async def apply(session: AsyncSession, *, ticket: Ticket, triage: AiTriage) -> list[str]:
    """Apply the suggestion if the settings and the ticket allow; the fields changed."""
    if not await eligible(session, ticket=ticket, triage=triage):
        return []
    changes = changes_for(ticket, triage)
    if not changes:
        return []
    old = {name: getattr(ticket, name) for name in changes}
    for name, value in changes.items():
        setattr(ticket, name, value)
    ticket.updated_at = utcnow()
    tickets.record_update(session, ticket=ticket, actor=AI_ASSIST, old=old, new=changes)
    if "priority" in changes:
        await sla.refresh(session, ticket=ticket)
    triage.applied = sorted(changes)
    return triage.applied
