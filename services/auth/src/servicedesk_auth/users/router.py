"""Registration, the caller's own account, and user administration."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from servicedesk_auth.deps import (
    AccessClaims,
    AdminUser,
    Connections,
    CurrentUser,
    RuntimeDep,
    SessionDep,
)
from servicedesk_auth.errors import UserNotFound
from servicedesk_auth.users import me as own_account
from servicedesk_auth.users import service
from servicedesk_auth.users.models import User
from servicedesk_auth.users.schemas import (
    PasswordChange,
    ProfileUpdate,
    UserCreate,
    UserListParams,
    UserPage,
    UserRead,
    UserUpdate,
)
from servicedesk_shared.openapi import errors
from servicedesk_shared.shaped import shaped

router = APIRouter(tags=["users"])


async def user_or_404(user_id: uuid.UUID, session: SessionDep, _admin: AdminUser) -> User:
    """The user in the path, for an admin caller; 404 when there is none."""
    user = await service.get(session, user_id=user_id)
    if user is None:
        raise UserNotFound()
    return user


TargetUser = Annotated[User, Depends(user_or_404)]


@router.post(
    "/api/auth/register", status_code=201, response_model=UserRead, responses=errors(409, 422, 429)
)
async def register(data: UserCreate, session: SessionDep, runtime: RuntimeDep) -> User:
    """Create an account with the plain `user` role; unknown fields are refused."""
    return await service.create(session, data=data, hasher=runtime.hasher)


@router.get("/api/users/me", response_model=UserRead, responses=errors(401))
async def me(claims: AccessClaims, connections: Connections) -> Response:
    """The caller, with global roles and per-system roles."""
    async with connections() as conn:
        return shaped(await own_account.read(conn, claims=claims))


@router.patch("/api/users/me", response_model=UserRead, responses=errors(401, 422))
async def update_me(data: ProfileUpdate, user: CurrentUser, session: SessionDep) -> User:
    """Change the caller's display name (1 to 100 characters, no control characters)."""
    return await service.update_profile(session, user=user, changes=data.changes())


@router.post("/api/users/me/password", status_code=204, responses=errors(401, 422))
async def change_password(
    data: PasswordChange, user: CurrentUser, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """Change the password; every token of the caller is revoked (sign in again)."""
    await service.change_password(
        session, user=user, data=data, hasher=runtime.hasher, denylist=runtime.denylist
    )
    return Response(status_code=204)


@router.get("/api/users", response_model=UserPage, responses=errors(401, 403, 422))
async def list_users(
    params: Annotated[UserListParams, Query()], session: SessionDep, _admin: AdminUser
) -> UserPage:
    """Every user, or those matching `q`, newest first unless `sort` says otherwise (admins)."""
    users, total = await service.get_all(session, params=params)
    return UserPage(items=[UserRead.model_validate(u) for u in users], total=total)


@router.get("/api/users/{user_id}", response_model=UserRead, responses=errors(401, 403, 404, 422))
async def get_user(user: TargetUser) -> User:
    """One user (admins only)."""
    return user


@router.patch(
    "/api/users/{user_id}", response_model=UserRead, responses=errors(401, 403, 404, 409, 422)
)
async def update_user(
    data: UserUpdate, target: TargetUser, admin: AdminUser, session: SessionDep, runtime: RuntimeDep
) -> User:
    """Change email, display name or flags; only a superuser may grant admin or superuser."""
    return await service.update(
        session, target=target, changes=data.changes(), actor=admin, denylist=runtime.denylist
    )
