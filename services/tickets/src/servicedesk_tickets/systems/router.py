"""`POST /api/systems`: superusers add a system (with the default workflow)."""

from __future__ import annotations

from fastapi import APIRouter

from servicedesk_shared.openapi import errors
from servicedesk_tickets.deps import CurrentPrincipal, SessionDep
from servicedesk_tickets.errors import NotAllowed
from servicedesk_tickets.systems import service
from servicedesk_tickets.systems.schemas import SystemCreate, SystemRead

router = APIRouter(tags=["systems"])


@router.post("/api/systems", status_code=201, response_model=SystemRead,
             responses=errors(401, 403, 409, 422))  # fmt: skip
async def create_system(
    data: SystemCreate, session: SessionDep, principal: CurrentPrincipal
) -> SystemRead:
    """Add a system with the default workflow (superusers; a taken code → 409)."""
    if not principal.is_superuser:
        raise NotAllowed("Superusers only")
    return await service.create(session, data=data, actor=principal)
