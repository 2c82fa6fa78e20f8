"""`POST /api/tickets/bulk`: one action over up to 100 tickets, each checked and changed as
if it were changed alone (contract §14).

Each ticket runs in a SAVEPOINT (`session.begin_nested()`) through the same service
functions as its own route (`service.get`, `service.update`, `service.transition`), so a
changed ticket gets exactly its one audit entry, its events and its SLA refresh, and a
refused one (not visible, role, workflow, assignee not staff…) is rolled back to the
savepoint and reported with its error's code, without stopping the others. Audit entries
are queued on the session, not in the database, so a refused ticket's are dropped here.
Duplicate ids are handled once, in the order first seen.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared.errors import ServiceError
from servicedesk_shared.principal import Principal
from servicedesk_tickets.audit.service import PENDING
from servicedesk_tickets.ticketing import service
from servicedesk_tickets.ticketing.schemas import BulkAction, TicketUpdate


async def _apply(session: AsyncSession, *, ticket_id: int, action: BulkAction, actor: Principal):
    ticket = await service.get(session, ticket_id=ticket_id, principal=actor)
    if "transition" in action.model_fields_set:
        await service.transition(session, ticket=ticket, to=action.transition or "", actor=actor)
        return
    if "assign" in action.model_fields_set:
        data = TicketUpdate(assignee_id=action.assign)
    else:
        data = TicketUpdate(priority=action.priority)
    await service.update(session, ticket=ticket, data=data, actor=actor)


async def _one(
    session: AsyncSession, *, ticket_id: int, action: BulkAction, actor: Principal
) -> dict[str, Any]:
    queued = session.info.setdefault(PENDING, [])
    mark = len(queued)
    try:
        async with session.begin_nested():
            await _apply(session, ticket_id=ticket_id, action=action, actor=actor)
    except ServiceError as refused:
        del queued[mark:]
        return {"id": ticket_id, "ok": False, "code": refused.code, "detail": refused.detail}
    return {"id": ticket_id, "ok": True}


async def run(
    session: AsyncSession, *, ids: list[int], action: BulkAction, actor: Principal
) -> list[dict[str, Any]]:
    """One result per distinct id, in the order first seen."""
    return [
        await _one(session, ticket_id=ticket_id, action=action, actor=actor)
        for ticket_id in dict.fromkeys(ids)
    ]
