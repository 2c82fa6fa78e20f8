"""`/api/systems` (list; superusers add one) and `/api/admin/users/{id}/roles`."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from servicedesk_auth.deps import CurrentUser, RuntimeDep, SessionDep, SuperUser
from servicedesk_auth.errors import UserNotFound
from servicedesk_auth.roles import service
from servicedesk_auth.roles.models import System
from servicedesk_auth.roles.schemas import RoleAssignment, SystemCreate, SystemCreated, SystemRead
from servicedesk_auth.users import service as users
from servicedesk_auth.users.models import User
from servicedesk_auth.users.schemas import UserRead
from servicedesk_shared.openapi import errors

router = APIRouter(tags=["roles"])


@router.get("/api/systems", response_model=list[SystemRead], responses=errors(401))
async def list_systems(session: SessionDep, _user: CurrentUser) -> list[System]:
    """Every system a role can be held in."""
    return await service.get_all(session)


@router.post(
    "/api/systems",
    status_code=201,
    response_model=SystemCreated,
    responses=errors(401, 403, 409, 422),
)
async def create_system(data: SystemCreate, actor: SuperUser, session: SessionDep) -> SystemCreated:
    """Add a system (superusers; a taken code → 409); tickets gives it the defaults."""
    return await service.create_system(session, data=data, actor=actor)


@router.put(
    "/api/admin/users/{user_id}/roles",
    response_model=UserRead,
    responses=errors(401, 403, 404, 422),
)
async def set_roles(
    user_id: uuid.UUID,
    assignments: list[RoleAssignment],
    actor: CurrentUser,
    session: SessionDep,
    runtime: RuntimeDep,
) -> User:
    """Replace a user's per-system roles (system admins: only in their systems); audited."""
    service.authorize(actor, set(), target=str(user_id))
    target = await users.get(session, user_id=user_id)
    if target is None:
        raise UserNotFound()
    return await service.set_roles(
        session, target=target, assignments=assignments, actor=actor, denylist=runtime.denylist
    )
