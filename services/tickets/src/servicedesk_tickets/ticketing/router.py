"""`/api/tickets`: create and transitions (both idempotent), list, get, update, delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from servicedesk_shared.openapi import errors
from servicedesk_shared.shaped import shaped
from servicedesk_tickets.deps import (
    Connections,
    CurrentPrincipal,
    IdempotencyKeyHeader,
    RetryableDep,
    RuntimeDep,
    SessionDep,
    TicketDep,
    TicketId,
)
from servicedesk_tickets.ticketing import bulk, filing, service
from servicedesk_tickets.ticketing.schemas import (
    BulkRequest,
    BulkResponse,
    TicketCreate,
    TicketDetail,
    TicketListParams,
    TicketPage,
    TicketUpdate,
    TransitionRequest,
)

router = APIRouter(tags=["tickets"])


@router.post(
    "/api/tickets", status_code=201, response_model=TicketDetail, responses=errors(401, 422)
)
async def create_ticket(
    data: TicketCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    response: Response,
    idempotency_key: IdempotencyKeyHeader = None,
) -> dict[str, Any]:
    """Open a ticket as the caller (status and requester are set by the server)."""
    body, replayed = await filing.create(
        session,
        data=data,
        actor=principal,
        idempotency_key=idempotency_key,
        default_system=runtime.settings.default_system,
    )
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return body


@router.get("/api/tickets", response_model=TicketPage, responses=errors(401, 422))
async def list_tickets(
    params: Annotated[TicketListParams, Query()],
    principal: CurrentPrincipal,
    connections: Connections,
) -> Response:
    """The tickets the caller may see, filtered and sorted (default: last changed first)."""
    # One plain pooled connection (`service.read_all`, `read_page`), borrowed once the
    # parameters are valid and the caller is known: bad input or a refused token never
    # waits for the pool.
    async with connections() as conn:
        items, total = await service.read_all(conn, params=params, principal=principal)
        return shaped({"items": await service.read_page(conn, items), "total": total})


@router.post(
    "/api/tickets/bulk",
    response_model=BulkResponse,
    response_model_exclude_none=True,
    responses=errors(401, 422),
)
async def bulk_change(
    data: BulkRequest, session: SessionDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Assign, transition or reprioritise up to 100 tickets, each checked as if alone."""
    results = await bulk.run(session, ids=data.ids, action=data.action, actor=principal)
    return {"results": results}


@router.get(
    "/api/tickets/{ticket_id}", response_model=TicketDetail, responses=errors(401, 404, 422)
)
async def get_ticket(
    ticket_id: TicketId, principal: CurrentPrincipal, connections: Connections
) -> Response:
    """One ticket with its AI triage (404 when missing or not visible to the caller)."""
    # One plain pooled connection: the ticket, its names, triage and SLA inputs in one
    # statement (`read_named`), its triage's duplicates filtered on the same connection.
    async with connections() as conn:
        named = await service.read_named(conn, ticket_id=ticket_id, principal=principal)
        return shaped(await service.read_detail(conn, named=named, principal=principal))


@router.patch(
    "/api/tickets/{ticket_id}", response_model=TicketDetail, responses=errors(401, 403, 404, 422)
)
async def update_ticket(
    data: TicketUpdate, ticket: TicketDep, session: SessionDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Change content fields (requester while open, agents+) or the assignee (managers+)."""
    ticket = await service.update(session, ticket=ticket, data=data, actor=principal)
    return await service.detail(session, ticket=ticket, principal=principal)


@router.delete("/api/tickets/{ticket_id}", status_code=204, responses=errors(401, 403, 404, 422))
async def delete_ticket(ticket: TicketDep, session: SessionDep, principal: CurrentPrincipal):
    """Soft-delete (requester while open, admins always); hidden everywhere afterwards."""
    await service.delete(session, ticket=ticket, actor=principal)
    return Response(status_code=204)


@router.post(
    "/api/tickets/{ticket_id}/transitions",
    response_model=TicketDetail,
    responses=errors(401, 403, 404, 409, 422),
)
async def transition_ticket(
    data: TransitionRequest,
    ticket: TicketDep,
    session: SessionDep,
    principal: CurrentPrincipal,
    retryable: RetryableDep,
) -> dict[str, Any]:
    """Move the ticket along its system's workflow."""

    async def move() -> dict[str, Any]:
        moved = await service.transition(session, ticket=ticket, to=data.to, actor=principal)
        return await service.detail(session, ticket=moved, principal=principal)

    route = f"transition:{ticket.id}"
    return await retryable.once(route=route, body=data, ticket_id=ticket.id, run=move)
