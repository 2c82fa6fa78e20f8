"""`/api/tickets/{id}/similar`: possible duplicates among the tickets the caller may see."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from servicedesk_shared.openapi import errors
from servicedesk_tickets import permissions
from servicedesk_tickets.deps import CurrentPrincipal, ReadOnlyTicketDep, ReadSessionDep, RuntimeDep
from servicedesk_tickets.similar import service
from servicedesk_tickets.similar.schemas import SimilarPage

router = APIRouter(tags=["tickets"])
Limit = Annotated[int, Query(ge=1, le=20, description="How many (1 to 20)")]


@router.get(
    "/api/tickets/{ticket_id}/similar", response_model=SimilarPage, responses=errors(401, 404, 422)
)
async def similar_tickets(
    ticket: ReadOnlyTicketDep,
    session: ReadSessionDep,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    limit: Limit = 5,
) -> dict[str, Any]:
    """Tickets like this one (full-text, best first), among those the caller may see."""
    rows = await service.get_all(
        session,
        ticket_id=ticket.id,
        visible=permissions.visible_tickets(principal),
        limit=limit,
        candidates=runtime.settings.duplicate_candidates,
    )
    return {"items": [{**row._mapping, "score": round(row.score, 4)} for row in rows]}
