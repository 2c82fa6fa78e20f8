"""Comments: add one (internal notes by staff only) and list what the caller may read.

The `comment.added` event of an internal note carries `internal: true` and no body, so
nothing built for requesters (notifications, exports) can leak it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared.events import CommentAdded
from servicedesk_shared.principal import Principal
from servicedesk_tickets import permissions
from servicedesk_tickets.audit import service as audit
from servicedesk_tickets.comments.models import Comment
from servicedesk_tickets.comments.schemas import CommentCreate
from servicedesk_tickets.errors import NotAllowed
from servicedesk_tickets.outbox import service as outbox
from servicedesk_tickets.sla import service as sla
from servicedesk_tickets.ticketing.models import Ticket
from servicedesk_tickets.ticketing.service import as_dict


async def create(
    session: AsyncSession, *, ticket: Ticket, data: CommentCreate, actor: Principal
) -> Comment:
    """Add a comment; 403 when a non-staff caller asks for an internal note."""
    if data.internal and not permissions.is_staff(actor, ticket.system):
        raise NotAllowed("Only agents and above may write internal notes")
    comment = Comment(
        ticket_id=ticket.id, author_id=actor.id, author_name=actor.username, **data.model_dump()
    )
    session.add(comment)
    await session.flush()
    new = {"comment_id": comment.id, "internal": comment.internal, "body": comment.body}
    audit.on_ticket(session, ticket_id=ticket.id, actor=actor, action="comment.added", new=new)
    outbox.record(session, event=_event(ticket, comment))
    if not comment.internal:
        await sla.refresh(session, ticket=ticket)
    return comment


def _event(ticket: Ticket, comment: Comment) -> CommentAdded:
    """An internal note's event never holds its body (the model leaves the key out too)."""
    return CommentAdded(
        ticket=as_dict(ticket),
        comment_id=comment.id,
        author_id=comment.author_id,
        internal=comment.internal,
        created_at=comment.created_at,
        body=None if comment.internal else comment.body,
    )


async def get_all(session: AsyncSession, *, ticket: Ticket, principal: Principal) -> list[Comment]:
    """Oldest first; internal notes only for staff of the ticket's system."""
    query = select(Comment).where(Comment.ticket_id == ticket.id)
    if not permissions.is_staff(principal, ticket.system):
        query = query.where(Comment.internal.is_(False))
    return list((await session.scalars(query.order_by(Comment.created_at, Comment.id))).all())
