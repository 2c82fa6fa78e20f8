"""`/api/tickets/{id}/comments` (adding one takes an `Idempotency-Key`)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from servicedesk_shared.openapi import errors
from servicedesk_tickets.comments import service
from servicedesk_tickets.comments.schemas import CommentCreate, CommentRead
from servicedesk_tickets.deps import (
    CurrentPrincipal,
    IdempotencyKeyHeader,
    ReadOnlyTicketDep,
    ReadSessionDep,
    SessionDep,
    TicketDep,
)
from servicedesk_tickets.people import service as people
from servicedesk_tickets.ticketing import idempotency

AUTHOR = {"author_id": "author"}

router = APIRouter(tags=["comments"])


@router.post(
    "/api/tickets/{ticket_id}/comments",
    status_code=201,
    response_model=CommentRead,
    responses=errors(401, 403, 404, 422),
)
async def add_comment(
    data: CommentCreate,
    ticket: TicketDep,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
    idempotency_key: IdempotencyKeyHeader = None,
) -> dict:
    """Comment on a ticket; `internal: true` (agents and above) hides it from requesters."""

    async def add() -> dict:
        comment = await service.create(session, ticket=ticket, data=data, actor=principal)
        return (await people.named(session, CommentRead, [comment], AUTHOR))[0]

    return await idempotency.once(
        session,
        user_id=principal.id,
        key=idempotency_key,
        route=f"comment:{ticket.id}",
        body=data.model_dump(mode="json"),
        ticket_id=ticket.id,
        run=add,
        response=response,
    )


@router.get(
    "/api/tickets/{ticket_id}/comments",
    response_model=list[CommentRead],
    responses=errors(401, 404, 422),
)
async def list_comments(
    ticket: ReadOnlyTicketDep, session: ReadSessionDep, principal: CurrentPrincipal
) -> list[dict]:
    """The ticket's comments, oldest first (internal notes only for staff)."""
    comments = await service.get_all(session, ticket=ticket, principal=principal)
    return await people.named(session, CommentRead, comments, AUTHOR)
