"""`/api/sla/{system}`: read a system's SLA policy (anyone signed in), replace it (its
admins and global admins)."""

from __future__ import annotations

from fastapi import APIRouter

from servicedesk_shared.openapi import errors
from servicedesk_tickets.deps import CurrentPrincipal, SessionDep
from servicedesk_tickets.errors import NotAllowed
from servicedesk_tickets.sla import policy
from servicedesk_tickets.sla.schemas import PolicyRead, PolicyWrite
from servicedesk_tickets.workflows.router import SystemCode

router = APIRouter(tags=["sla"])


@router.get("/api/sla/{system}", response_model=PolicyRead, responses=errors(401, 404, 422))
async def get_policy(
    system: SystemCode, session: SessionDep, _principal: CurrentPrincipal
) -> PolicyRead:
    """A system's SLA policy: business calendar and targets per priority."""
    return await policy.get(session, system=system)


@router.put("/api/sla/{system}", response_model=PolicyRead, responses=errors(401, 403, 404, 422))
async def replace_policy(
    system: SystemCode, data: PolicyWrite, session: SessionDep, principal: CurrentPrincipal
) -> PolicyRead:
    """Replace a system's SLA policy (422 lists every problem); audited."""
    if not principal.at_least(system, "admin"):
        raise NotAllowed("Only admins of this system may change its SLA policy")
    return await policy.replace(session, system=system, data=data, actor=principal)
