"""Notifications of one user: create (idempotent per event), list, count, mark read."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.database import utcnow
from servicedesk_notifications.inbox.models import Notification


async def create(
    session: AsyncSession,
    *,
    user_id: str,
    kind: str,
    title: str,
    body: str,
    ticket_id: int | None = None,
    event_id: uuid.UUID | None = None,
) -> Notification | None:
    """The new notification, or None when this event already notified this user."""
    values = dict(user_id=user_id, kind=kind, title=title[:200], body=body, ticket_id=ticket_id)
    statement = (
        insert(Notification)
        .values(**values, event_id=event_id, created_at=utcnow())
        .on_conflict_do_nothing(constraint="uq_notifications_event_user")
        .returning(Notification)
    )
    return (await session.scalars(statement)).one_or_none()


async def get_all(
    session: AsyncSession, *, user_id: str, unread_only: bool, limit: int, offset: int
) -> list[Notification]:
    """The user's notifications, newest first."""
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    query = query.order_by(Notification.id.desc()).limit(limit).offset(offset)
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
    """Mark one of the user's notifications read (kept as first read); None if not theirs."""
    statement = (
        update(Notification)
        .where(Notification.id == notification_id, Notification.user_id == user_id)
        .values(read_at=func.coalesce(Notification.read_at, utcnow()))
        .returning(Notification)
    )
    return (await session.scalars(statement)).one_or_none()


async def mark_all_read(session: AsyncSession, *, user_id: str) -> int:
    statement = (
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return (await session.execute(statement)).rowcount
