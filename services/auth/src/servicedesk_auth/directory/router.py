"""`GET /internal/users`: the people directory for other services' one-off backfill, behind
X-API-Key (auth's own port only; the gateway answers 404 for `/internal/*`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import APIKeyHeader

from servicedesk_auth.deps import RuntimeDep, SessionDep
from servicedesk_auth.directory import service
from servicedesk_auth.directory.schemas import DirectoryPage
from servicedesk_auth.errors import ApiKeyInvalid
from servicedesk_shared.logging import security_event
from servicedesk_shared.openapi import errors

MAX_PAGE = 500

router = APIRouter(prefix="/internal", tags=["internal"])
api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="One of AUTH_API_KEYS"
)


async def require_api_key(
    request: Request, runtime: RuntimeDep, key: Annotated[str | None, Depends(api_key_header)]
) -> None:
    """401 unless X-API-Key is one of the configured keys (none configured: always 401)."""
    if runtime.api_keys.verify(key):
        return
    peer = request.client.host if request.client else None
    reason = (
        "no keys configured" if not len(runtime.api_keys) else ("missing" if not key else "wrong")
    )
    security_event("api_key_rejected", ip=peer, reason=reason, path=request.url.path)
    raise ApiKeyInvalid()


@router.get(
    "/users",
    response_model=DirectoryPage,
    dependencies=[Depends(require_api_key)],
    responses=errors(401, 422),
)
async def list_users(
    session: SessionDep,
    after: Annotated[uuid.UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> DirectoryPage:
    """Every user ordered by id, with roles and directory version; page on with `after=next`."""
    return await service.get_page(session, after=after, limit=limit)
