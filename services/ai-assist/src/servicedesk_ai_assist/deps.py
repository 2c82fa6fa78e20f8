"""Request dependencies as `Annotated` aliases: the runtime, the transaction, the caller,
and the service-to-service key check."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_ai_assist.runtime import Runtime
from servicedesk_shared.apikeys import ApiKeys, api_key_dependency
from servicedesk_shared.principal import Principal, TokenGuard, bearer_principal
from servicedesk_shared.transaction import request_transaction


async def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_token_guard(runtime: RuntimeDep) -> TokenGuard:
    return runtime.guard


CurrentPrincipal = Annotated[Principal, Depends(bearer_principal(get_token_guard))]


async def get_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """The request's one transaction: commits after the handler returns."""
    async with request_transaction(runtime.sessions) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_api_keys(runtime: RuntimeDep) -> ApiKeys:
    return runtime.api_keys


require_api_key = api_key_dependency(get_api_keys, variable="AI_ASSIST_API_KEYS")
