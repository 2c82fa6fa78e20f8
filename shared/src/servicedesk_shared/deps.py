"""The request dependencies every service shares, written once: the runtime the lifespan
put on `app.state`, the request's one transaction (`SessionDep`), the caller verified by
the runtime's token guard (`CurrentPrincipal`), plain pooled connections borrowed inside a
route for its hot reads and writes (`Connections`) and the check of a service-to-service
key.

Each service's `deps.py` names them for its routes (`RuntimeDep` typed with its own
`Runtime`, `require_api_key` with its own variable) and adds what is its own; tests
override `get_session` and `get_connections` on their app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from functools import partial
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared import reads
from servicedesk_shared.apikeys import ApiKeys, api_key_dependency
from servicedesk_shared.principal import Principal, TokenGuard, bearer_principal
from servicedesk_shared.runtime import ServiceRuntime
from servicedesk_shared.transaction import request_transaction

# `async def` even where nothing is awaited: FastAPI runs a plain `def` dependency in a
# thread pool, a thread hop per dependency per request.


async def get_runtime(request: Request) -> ServiceRuntime:
    return request.app.state.runtime


# `runtime` as a default, untyped: it is each service's own `Runtime` (a ServiceRuntime,
# with `guard` and `api_keys` where the service has them); its deps.py types `RuntimeDep`.
async def get_session(runtime: Any = Depends(get_runtime)) -> AsyncIterator[AsyncSession]:
    """The request's one transaction (`transaction.request_transaction`): it commits after
    the handler returns and before the response is sent."""
    async with request_transaction(runtime.sessions) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


Borrow = Callable[[], AbstractAsyncContextManager[asyncpg.Connection]]


async def get_connections(runtime: Any = Depends(get_runtime)) -> Borrow:
    """Each `async with connections() as conn:` in a route holds a pooled asyncpg connection
    for that block only, outside any transaction (`reads.connection`): a hot read takes it
    once its input is valid, a sign-in gives it back while it hashes. A plain dependency,
    not a `yield` one: FastAPI's machinery for those (a shielded exit, a cancel scope) was
    ~20 % of `GET /api/users/me`'s CPU. Tests override it with their transaction's
    connection."""
    return partial(reads.connection, runtime.engine)


Connections = Annotated[Borrow, Depends(get_connections)]


async def get_token_guard(runtime: Any = Depends(get_runtime)) -> TokenGuard:
    return runtime.guard


CurrentPrincipal = Annotated[Principal, Depends(bearer_principal(get_token_guard))]


async def get_api_keys(runtime: Any = Depends(get_runtime)) -> ApiKeys:
    return runtime.api_keys


def api_key_check(variable: str):
    """The `/internal/*` guard of a service whose runtime holds `api_keys`, read from
    `variable` (named in the OpenAPI description)."""
    return api_key_dependency(get_api_keys, variable=variable)
