"""`/api/workflows`: read (anyone signed in), replace (admins of the system or global)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from servicedesk_shared.openapi import errors
from servicedesk_tickets import permissions
from servicedesk_tickets.deps import CurrentPrincipal, ReadSessionDep, SessionDep
from servicedesk_tickets.errors import NotAllowed
from servicedesk_tickets.workflows import service
from servicedesk_tickets.workflows.schemas import WorkflowRead, WorkflowWrite

router = APIRouter(tags=["workflows"])
SystemCode = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]


@router.get("/api/workflows", response_model=list[WorkflowRead], responses=errors(401))
async def list_workflows(
    session: ReadSessionDep, _principal: CurrentPrincipal
) -> list[WorkflowRead]:
    """The workflow of every system."""
    return await service.get_all(session)


@router.get("/api/workflows/{system}", response_model=WorkflowRead, responses=errors(401, 404, 422))
async def get_workflow(
    system: SystemCode, session: ReadSessionDep, _principal: CurrentPrincipal
) -> WorkflowRead:
    """One system's workflow."""
    return await service.get(session, system=system)


@router.put(
    "/api/workflows/{system}", response_model=WorkflowRead, responses=errors(401, 403, 404, 422)
)
async def replace_workflow(
    system: SystemCode, data: WorkflowWrite, session: SessionDep, principal: CurrentPrincipal
) -> WorkflowRead:
    """Replace a system's workflow (validated; 422 lists every problem); audited."""
    if not permissions.may_change_workflow(principal, system):
        raise NotAllowed("Only admins of this system may change its workflow")
    return await service.replace(session, system=system, data=data, actor=principal)
