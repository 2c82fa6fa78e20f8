"""Words for notifications: people by name, workflow states as people say them.

"Ada Lovelace moved #42 to In progress", not a user id and `in_progress`. A person the
directory has not heard of yet (their registration event is still on its way) is
"Someone"; a state is its name with `_` as spaces and a capital first letter (workflows
are data: a custom state `on_hold_vendor` reads "On hold vendor"); a priority the same
("High"). Every text that names a state or a priority goes through `state_label`.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.directory import service as directory
from servicedesk_shared.events import TicketSnapshot

SOMEONE = "Someone"


def state_label(state: str) -> str:
    words = " ".join(state.replace("_", " ").split())
    return words[:1].upper() + words[1:] if words else state


priority_label = state_label


def ticket_labels(ticket: TicketSnapshot) -> str:
    """A ticket's priority and state, as "High, In progress"."""
    return f"{priority_label(ticket.priority)}, {state_label(ticket.status)}"


async def name_of(session: AsyncSession, user_id: str | None) -> str:
    if not user_id:
        return SOMEONE
    known = await directory.names(session, user_ids=[user_id])
    return known.get(user_id, SOMEONE)
