"""`comment.added`: public comments reach the requester and the assignee; internal notes
reach the assignee only, never the requester. Nobody is told of their own comment."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.delivery import Channels, Notice, deliver
from servicedesk_notifications.texts import name_of
from servicedesk_shared.events import CommentAdded, parse_as
from servicedesk_shared.messaging.envelope import Envelope

# The event types this module handles (the registry in __init__ reads it).
EVENTS = ("comment.added",)


def recipients(payload: CommentAdded) -> list[str]:
    """Who hears of this comment, in order, without duplicates or the author."""
    ticket = payload.ticket
    candidates = (
        [ticket.assignee_id] if payload.internal else [ticket.requester_id, ticket.assignee_id]
    )
    found = [user for user in candidates if user and user != payload.author_id]
    return list(dict.fromkeys(found))


def content(payload: CommentAdded, author: str) -> tuple[str, str]:
    ticket = payload.ticket
    if payload.internal:
        return (
            f"{author} added an internal note to #{ticket.id}",
            f"An internal note was added to “{ticket.title}”.",
        )
    return f"{author} commented on #{ticket.id}", payload.body or ""


async def handle(session: AsyncSession, event: Envelope, channels: Channels) -> None:
    payload = parse_as(event, CommentAdded)
    title, body = content(payload, await name_of(session, payload.author_id))
    facts = {"notes" if payload.internal else "comments": 1}
    notice = Notice.of(event, payload.ticket, title, body, facts)
    for user_id in recipients(payload):
        await deliver(session, channels, notice, user_id=user_id)
