"""`GET /internal/tickets`: the open tickets for a batch job (the AI refresh,
tools/refresh), behind X-API-Key (`TICKETS_API_KEYS`; unset: refused). Tickets' own port
only: the gateway answers 404 for `/internal/*`. Left out of the OpenAPI document, which
the gateway merges into the public one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from servicedesk_shared.openapi import errors
from servicedesk_tickets.deps import ReadSessionDep, require_api_key
from servicedesk_tickets.internal import service
from servicedesk_tickets.internal.schemas import OpenTicketPage, OpenTicketParams

router = APIRouter(prefix="/internal", tags=["internal"], include_in_schema=False)


@router.get(
    "/tickets",
    response_model=OpenTicketPage,
    dependencies=[Depends(require_api_key)],
    responses=errors(401, 422),
)
async def list_open_tickets(
    params: Annotated[OpenTicketParams, Query()], session: ReadSessionDep
) -> OpenTicketPage:
    """Open tickets by id (not deleted, not closed or terminal); page on with `after=next`."""
    return await service.get_page(
        session,
        system=params.system,
        updated_since=params.updated_since,
        after=params.after,
        limit=params.limit,
    )
