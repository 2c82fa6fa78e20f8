"""`/api/people` (the assignee picker) and the ops listing of orphaned assignments."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from servicedesk_shared.openapi import errors
from servicedesk_tickets.deps import AdminPrincipal, CurrentPrincipal, SessionDep
from servicedesk_tickets.errors import NotAllowed, SystemNotFound
from servicedesk_tickets.people import service
from servicedesk_tickets.people.schemas import OrphanedPage, PeopleParams, StaffPage
from servicedesk_tickets.workflows import service as workflows

router = APIRouter(tags=["people"])


@router.get("/api/people", response_model=StaffPage, responses=errors(401, 403, 404, 422))
async def list_staff(
    params: Annotated[PeopleParams, Query()], session: SessionDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """A system's active agents, managers and admins matching `q` (for its staff only)."""
    if await workflows.initial_state(session, system=params.system) is None:
        raise SystemNotFound()
    if not principal.at_least(params.system, "agent"):
        raise NotAllowed("Only the system's agents, managers and admins may list its staff")
    return {"items": await service.staff(session, params=params)}


@router.get(
    "/api/admin/orphaned-assignments", response_model=OrphanedPage, responses=errors(401, 403)
)
async def list_orphaned_assignments(session: SessionDep, _admin: AdminPrincipal) -> dict:
    """Open tickets assigned to someone no longer agent or above in their system."""
    return {"items": await service.orphaned_assignments(session)}
