"""`/api/views`: saved and built-in views of the ticket list, with live counts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from servicedesk_shared.openapi import errors
from servicedesk_shared.shaped import shaped
from servicedesk_tickets.deps import CurrentPrincipal, SessionDep
from servicedesk_tickets.ticketing import service as tickets
from servicedesk_tickets.ticketing.schemas import TicketPage
from servicedesk_tickets.views import service
from servicedesk_tickets.views.models import View
from servicedesk_tickets.views.schemas import (
    ViewCreate,
    ViewId,
    ViewList,
    ViewPageParams,
    ViewRead,
    ViewUpdate,
)

router = APIRouter(tags=["views"])


async def load_view(view_id: ViewId, session: SessionDep, principal: CurrentPrincipal):
    """The view in the path if the caller may look at it, else 404."""
    return await service.get(session, view_id=view_id, principal=principal)


ViewDep = Annotated[View | service.Builtin, Depends(load_view)]


@router.get("/api/views", response_model=ViewList, responses=errors(401))
async def list_views(session: SessionDep, principal: CurrentPrincipal) -> dict[str, Any]:
    """Built-ins, the caller's own views and the shared views of their systems, counted."""
    return {"items": await service.get_all(session, principal=principal)}


@router.post(
    "/api/views", status_code=201, response_model=ViewRead, responses=errors(401, 403, 409, 422)
)
async def create_view(
    data: ViewCreate, session: SessionDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Save a view; `shared` (with `filters.system`) is for that system's admins."""
    view = await service.create(session, data=data, actor=principal)
    return await service.read(session, view=view, principal=principal)


@router.get("/api/views/{view_id}", response_model=ViewRead, responses=errors(401, 404, 422))
async def get_view(view: ViewDep, session: SessionDep, principal: CurrentPrincipal) -> dict:
    """One view with its current count."""
    return await service.read(session, view=view, principal=principal)


@router.patch("/api/views/{view_id}", response_model=ViewRead, responses=errors(401, 403, 404, 422))
async def update_view(
    data: ViewUpdate, view: ViewDep, session: SessionDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Rename, refilter, resort or (un)share; built-ins are read-only (403)."""
    saved = await service.update(session, view=view, data=data, actor=principal)
    return await service.read(session, view=saved, principal=principal)


@router.delete("/api/views/{view_id}", status_code=204, responses=errors(401, 403, 404, 422))
async def delete_view(view: ViewDep, session: SessionDep, principal: CurrentPrincipal):
    """Delete a saved view; built-ins are read-only (403)."""
    await service.delete(session, view=view, actor=principal)
    return Response(status_code=204)


@router.get(
    "/api/views/{view_id}/tickets", response_model=TicketPage, responses=errors(401, 404, 422)
)
async def view_tickets(
    view: ViewDep,
    params: Annotated[ViewPageParams, Query()],
    session: SessionDep,
    principal: CurrentPrincipal,
) -> Response:
    """The view's tickets, paged and shaped like `GET /api/tickets` (never more than it)."""
    items, total = await service.page(
        session, view=view, principal=principal, limit=params.limit, offset=params.offset
    )
    return shaped({"items": await tickets.page_with_people(session, items), "total": total})
