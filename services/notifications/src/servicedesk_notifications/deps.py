"""Request dependencies as `Annotated` aliases: the runtime, the transaction, the caller.

`SessionDep` is the request's one transaction: it commits after the handler returns and
before the response is sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.errors import AdminsOnly
from servicedesk_notifications.runtime import Runtime
from servicedesk_shared.logging import security_event
from servicedesk_shared.principal import Principal, TokenGuard, bearer_principal
from servicedesk_shared.transaction import request_transaction

MAX_BIGINT = 2**63 - 1


async def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_token_guard(runtime: RuntimeDep) -> TokenGuard:
    return runtime.guard


CurrentPrincipal = Annotated[Principal, Depends(bearer_principal(get_token_guard))]


async def get_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    async with request_transaction(runtime.sessions) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def admin_principal(request: Request, principal: CurrentPrincipal) -> Principal:
    """Global admins and superusers; anyone else gets 403 and a security event."""
    if not principal.is_admin:
        security_event("access_denied", user_id=principal.id, path=request.url.path)
        raise AdminsOnly()
    return principal


AdminPrincipal = Annotated[Principal, Depends(admin_principal)]

NotificationId = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="The notification's id")]
