"""Handlers for the events of §6, one module per event that notifies someone.

The consumer subscribes to EVERY event type (a webhook may want any of them): each
delivery runs its type's handler, if there is one, then queues the webhook deliveries,
all in the consumer's one transaction next to its inbox row, so a redelivered event has
no second effect. Who is notified of what:

    ticket.created          the assignee, if one was set at creation (and not the requester)
    ticket.status_changed   the requester, unless they made the change
    ticket.assigned         the new assignee, unless they assigned themselves
    comment.added           public: the requester and the assignee, never the author;
                            internal note: the assignee only (never the requester), not
                            the author
    ticket.sla.warning      the assignee; when unassigned, the system's managers and admins
    ticket.sla.breached     the same
    user.registered         nobody: the directory learns the name and address
    user.updated            nobody: the directory learns the new name, address, active flag
    user.roles_changed      nobody: the directory learns the roles per system

Texts name people (from the directory) and states as people say them (`texts`). Each
handler also gives its change's `facts`: a ticket's changes for one recipient gather into
one unread inbox entry per burst (`inbox.grouping`, `inbox.service.record`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.consumers import (
    comment_added,
    ticket_assigned,
    ticket_created,
    ticket_sla,
    ticket_status_changed,
    user_profile,
    user_roles_changed,
)
from servicedesk_notifications.delivery import Channels
from servicedesk_notifications.webhooks import service as webhooks
from servicedesk_shared.events import EVENTS
from servicedesk_shared.messaging.consumer import handlers_by_event
from servicedesk_shared.messaging.envelope import Envelope

Specific = Callable[[AsyncSession, Envelope, Channels], Awaitable[None]]
SPECIFIC: dict[str, Specific] = handlers_by_event(
    ticket_created,
    ticket_status_changed,
    ticket_assigned,
    comment_added,
    ticket_sla,
    user_profile,
    user_roles_changed,
)


async def _handle(
    specific: Specific | None, channels: Channels, session: AsyncSession, event: Envelope
) -> None:
    if specific is not None:
        await specific(session, event, channels)
    await webhooks.enqueue(session, event=event)


def build_handlers(
    channels: Channels,
) -> dict[str, Callable[[AsyncSession, Envelope], Awaitable[None]]]:
    """One handler per §6 event type, for `Consumer(handlers=...)`."""
    return {kind: partial(_handle, SPECIFIC.get(kind), channels) for kind in EVENTS}
