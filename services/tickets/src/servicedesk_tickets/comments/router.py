"""`/api/tickets/{id}/comments` (adding one takes an `Idempotency-Key`)."""

from __future__ import annotations

from fastapi import APIRouter

from servicedesk_shared.openapi import errors
from servicedesk_tickets.comments import service
from servicedesk_tickets.comments.schemas import CommentCreate, CommentRead
from servicedesk_tickets.deps import (
    CurrentPrincipal,
    ReadOnlyTicketDep,
    ReadSessionDep,
    RetryableDep,
    SessionDep,
    TicketDep,
)
from servicedesk_tickets.people import service as people

AUTHOR = {"author_id": "author"}

router = APIRouter(tags=["comments"])
PATH = "/api/tickets/{ticket_id}/comments"


@router.post(
    PATH, status_code=201, response_model=CommentRead, responses=errors(401, 403, 404, 422)
)
async def add_comment(
    data: CommentCreate,
    ticket: TicketDep,
    session: SessionDep,
    principal: CurrentPrincipal,
    retryable: RetryableDep,
) -> dict:
    """Comment on a ticket; `internal: true` (agents and above) hides it from requesters."""

    async def add() -> dict:
        comment = await service.create(session, ticket=ticket, data=data, actor=principal)
        return (await people.named(session, CommentRead, [comment], AUTHOR))[0]

    route = f"comment:{ticket.id}"
    return await retryable.once(route=route, body=data, ticket_id=ticket.id, run=add)


@router.get(PATH, response_model=list[CommentRead], responses=errors(401, 404, 422))
async def list_comments(
    ticket: ReadOnlyTicketDep, session: ReadSessionDep, principal: CurrentPrincipal
) -> list[dict]:
    """The ticket's comments, oldest first (internal notes only for staff)."""
    comments = await service.get_all(session, ticket=ticket, principal=principal)
    return await people.named(session, CommentRead, comments, AUTHOR)
