"""`/api/systems`: every system (signed in), and superusers add one with the default
workflow. The gateway routes `/api/systems` here (it was auth's list; the shape is kept)."""

from __future__ import annotations

from fastapi import APIRouter

from servicedesk_shared.openapi import errors
from servicedesk_tickets.deps import CurrentPrincipal, SessionDep
from servicedesk_tickets.errors import NotAllowed
from servicedesk_tickets.systems import service
from servicedesk_tickets.systems.schemas import SystemCreate, SystemListed, SystemRead

router = APIRouter(tags=["systems"])


@router.get("/api/systems", response_model=list[SystemListed], responses=errors(401))
async def list_systems(session: SessionDep, _principal: CurrentPrincipal) -> list[SystemListed]:
    """Every system, by code."""
    return await service.get_all(session)


@router.post("/api/systems", status_code=201, response_model=SystemRead,
             responses=errors(401, 403, 409, 422))  # fmt: skip
async def create_system(
    data: SystemCreate, session: SessionDep, principal: CurrentPrincipal
) -> SystemRead:
    """Add a system with the default workflow (superusers; a taken code → 409)."""
    if not principal.is_superuser:
        raise NotAllowed("Superusers only")
    return await service.create(session, data=data, actor=principal)
