"""`GET /internal/users`: the people directory for other services' one-off backfill, behind
X-API-Key (auth's own port only; the gateway answers 404 for `/internal/*`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from servicedesk_auth.deps import SessionDep, require_api_key
from servicedesk_auth.directory import service
from servicedesk_auth.directory.schemas import DirectoryPage
from servicedesk_shared.openapi import errors

MAX_PAGE = 500

# Every route here is for other services: X-API-Key on each, and its refusals documented.
router = APIRouter(
    prefix="/internal",
    tags=["internal"],
    dependencies=[Depends(require_api_key)],
    responses=errors(401, 422),
)


@router.get("/users", response_model=DirectoryPage)
async def list_users(
    session: SessionDep,
    after: Annotated[uuid.UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> DirectoryPage:
    """Every user ordered by id, with roles and directory version; page on with `after=next`."""
    return await service.get_page(session, after=after, limit=limit)
