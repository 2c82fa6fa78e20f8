"""The inbox of one user: record a change (grouped per ticket, idempotent per event),
list, count, mark read.

`record` is safe with several consumers at once: the ticket's gathering entry is opened
(`INSERT … ON CONFLICT DO NOTHING` against the partial unique index
`uq_notifications_gathering`), or, when one exists, locked (`SELECT … FOR UPDATE`) and
merged into; losing that race means another consumer has just opened it, so we lock and
merge into theirs. Then the change's own row is written with its entry's id, `ON
CONFLICT DO NOTHING` on `(event_id, user_id)`.

A change is recorded once per event and person: the consumer's inbox row already makes
a redelivered event a no-op, and this unique key is the second guard. Finding the key
taken means the entry was just counted twice, so `record` raises `AlreadyRecorded` and
the caller's transaction must roll back (the consumer's does; nothing is half-written).
The row comes last so that the usual case is two statements, not three (a row claimed
first had to be linked to its entry afterwards: one UPDATE per change, measured at 200
events/s).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.database import utcnow
from servicedesk_notifications.inbox import grouping
from servicedesk_notifications.inbox.grouping import Change
from servicedesk_notifications.inbox.models import Notification, NotificationChange

NO_GROUPING = timedelta(0)
# Lock-or-insert rounds before giving up (the consumer then retries the event): each lost
# round means another transaction opened and closed the entry in between.
ATTEMPTS = 5


class AlreadyRecorded(Exception):
    """This event's change is in this person's inbox already: roll the transaction back."""


@dataclass(frozen=True)
class Recorded:
    """The entry a change went into (new or gathered) and the change's own row."""

    notification: Notification
    change: NotificationChange


@dataclass(frozen=True)
class Ticket:
    """The ticket a change is about: what an entry's group title names."""

    id: int
    title: str


@dataclass(frozen=True)
class _Pending:
    """One change on its way into one user's inbox, and the time it is recorded at."""

    user_id: str
    change: Change
    ticket: Ticket | None
    event_id: uuid.UUID | None
    now: datetime

    def columns(self) -> dict[str, Any]:
        """The columns an entry and a change's row both have."""
        change = self.change
        return dict(
            user_id=self.user_id,
            event_id=self.event_id,
            kind=change.kind,
            title=change.title[:200],
            body=change.body,
            created_at=self.now,
        )


async def record(
    session: AsyncSession,
    *,
    user_id: str,
    change: Change,
    ticket: Ticket | None = None,
    event_id: uuid.UUID | None = None,
    window: timedelta = NO_GROUPING,
) -> Recorded:
    """Put the change in the user's inbox; `AlreadyRecorded` if this event already was.

    It joins the ticket's gathering entry when there is one and grouping applies (an
    event, a ticket, a window, facts to summarise); otherwise it opens its own entry.
    """
    pending = _Pending(user_id, change, ticket, event_id, utcnow())
    if ticket and event_id and window > NO_GROUPING and change.facts:
        note = await _gather(session, pending, ticket=ticket, window=window)
    else:
        note = await _open(session, pending, gathering=False)
    assert note is not None  # an entry that does not gather conflicts with nothing
    row = await _write_change(session, pending, notification_id=note.id)
    if row is None:
        raise AlreadyRecorded(f"event {event_id} is in the inbox of {user_id} already")
    return Recorded(note, row)


# Built once and run with their values as parameters: building an INSERT with its values
# each time cost more than running it (py-spy, 200 events/s).
_WRITE_CHANGE = (
    insert(NotificationChange)
    .on_conflict_do_nothing(constraint="uq_notification_changes_event_user")
    .returning(NotificationChange)
)
_OPEN = insert(Notification).returning(Notification)
_OPEN_GATHERING = (
    insert(Notification)
    .on_conflict_do_nothing(
        index_elements=["user_id", "ticket_id"], index_where=Notification.gathering
    )
    .returning(Notification)
)


async def _write_change(
    session: AsyncSession, pending: _Pending, *, notification_id: int
) -> NotificationChange | None:
    values = dict(pending.columns(), notification_id=notification_id)
    return (await session.execute(_WRITE_CHANGE, [values])).scalars().one_or_none()


async def _gather(
    session: AsyncSession, pending: _Pending, *, ticket: Ticket, window: timedelta
) -> Notification:
    for _ in range(ATTEMPTS):
        # Open the ticket's gathering entry, the usual case (one statement); only when one
        # exists already (the unique partial index says so) lock it and merge into it.
        opened = await _open(session, pending, gathering=True)
        if opened is not None:
            return opened
        open_entry = await session.scalar(
            select(Notification)
            .where(
                Notification.user_id == pending.user_id,
                Notification.ticket_id == ticket.id,
                Notification.gathering,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if open_entry is not None and open_entry.updated_at >= pending.now - window:
            return _merge(open_entry, pending.change, now=pending.now)
        if open_entry is not None:  # quiet for longer than the window: a new burst
            open_entry.gathering = False
            await session.flush()
        # Or it stopped gathering (read) since our INSERT: open a new one.
    raise RuntimeError(f"no inbox entry for ticket {ticket.id} after {ATTEMPTS} attempts")


def _merge(entry: Notification, change: Change, *, now: datetime) -> Notification:
    entry.summary = grouping.merge(entry.summary or {}, change)
    entry.title, entry.body = grouping.render(entry.summary)
    entry.count += 1
    entry.updated_at = max(now, entry.updated_at)
    return entry


async def _open(
    session: AsyncSession, pending: _Pending, *, gathering: bool
) -> Notification | None:
    ticket = pending.ticket
    summary = (
        grouping.start(pending.change, ticket_id=ticket.id, ticket_title=ticket.title)
        if gathering and ticket
        else None
    )
    values = dict(
        pending.columns(),
        ticket_id=ticket.id if ticket else None,
        updated_at=pending.now,
        count=1,
        gathering=gathering,
        summary=summary,
    )
    statement = _OPEN_GATHERING if gathering else _OPEN
    return (await session.execute(statement, [values])).scalars().one_or_none()


async def get_all(
    session: AsyncSession, *, user_id: str, unread_only: bool, limit: int, offset: int
) -> list[Notification]:
    """The user's inbox entries, the most recently changed first."""
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    newest = (Notification.updated_at.desc(), Notification.id.desc())
    query = query.order_by(*newest).limit(limit).offset(offset)
    return list(await session.scalars(query))


async def count(session: AsyncSession, *, user_id: str) -> tuple[int, int]:
    """(total, unread) for the user, in one query."""
    unread = func.count().filter(Notification.read_at.is_(None))
    query = select(func.count(), unread).where(Notification.user_id == user_id)
    total, unread_count = (await session.execute(query)).one()
    return total, unread_count


async def mark_read(
    session: AsyncSession, *, notification_id: int, user_id: str
) -> Notification | None:
    """Mark one of the user's entries read (kept as first read; it gathers no more
    changes, the next one opens a new entry); None if not theirs."""
    statement = (
        update(Notification)
        .where(Notification.id == notification_id, Notification.user_id == user_id)
        .values(read_at=func.coalesce(Notification.read_at, utcnow()), gathering=False)
        .returning(Notification)
    )
    return (await session.scalars(statement)).one_or_none()


async def mark_all_read(session: AsyncSession, *, user_id: str) -> int:
    statement = (
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow(), gathering=False)
    )
    return (await session.execute(statement)).rowcount
