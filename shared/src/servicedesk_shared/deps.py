"""The request dependencies every service shares, written once: the runtime the lifespan
put on `app.state`, the request's one transaction (`SessionDep`), the caller verified by
the runtime's token guard (`CurrentPrincipal`), a plain connection for a hot read
(`ReadConnection`) or borrowed block by block (`Connections`) and the check of a
service-to-service key.

Each service's `deps.py` names them for its routes (`RuntimeDep` typed with its own
`Runtime`, `require_api_key` with its own variable) and adds what is its own; tests
override `get_session`, `get_read_connection` and `get_connections` on their app.
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


async def get_read_connection(
    runtime: Any = Depends(get_runtime),
) -> AsyncIterator[asyncpg.Connection]:
    """A pooled asyncpg connection for a hot read outside any transaction
    (`reads.connection`); tests override it with their transaction's connection."""
    async with reads.connection(runtime.engine) as conn:
        yield conn


ReadConnection = Annotated[asyncpg.Connection, Depends(get_read_connection, scope="function")]

Borrow = Callable[[], AbstractAsyncContextManager[asyncpg.Connection]]


async def get_connections(runtime: Any = Depends(get_runtime)) -> Borrow:
    """For a route that waits on something else between its statements (a password hash):
    each `async with connections() as conn:` holds a pooled connection for that block only
    (`reads.connection`), where `ReadConnection` would hold one for the whole request;
    tests override it with their transaction's connection."""
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
