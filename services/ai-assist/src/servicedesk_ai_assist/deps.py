"""Request dependencies as `Annotated` aliases: the runtime, the transaction, the caller,
and the service-to-service key check."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_ai_assist.errors import ApiKeyInvalid
from servicedesk_ai_assist.runtime import Runtime
from servicedesk_shared.logging import security_event
from servicedesk_shared.principal import Principal, TokenGuard, bearer_principal


async def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_token_guard(runtime: RuntimeDep) -> TokenGuard:
    return runtime.guard


CurrentPrincipal = Annotated[Principal, Depends(bearer_principal(get_token_guard))]


async def get_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """The request's one transaction: commits after the handler returns."""
    async with runtime.sessions() as session:
        yield session
        await session.commit()


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="One of AI_ASSIST_API_KEYS"
)


async def require_api_key(
    request: Request, runtime: RuntimeDep, key: Annotated[str | None, Depends(api_key_header)]
) -> None:
    """401 unless X-API-Key is one of the configured keys (none configured: always 401)."""
    if runtime.api_keys.verify(key):
        return
    peer = request.client.host if request.client else None
    security_event("api_key_rejected", ip=peer, path=request.url.path)
    raise ApiKeyInvalid()
