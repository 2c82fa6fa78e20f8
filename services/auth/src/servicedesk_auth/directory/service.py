"""Every user, by id, in keyset pages (stable while users are added meanwhile)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_auth.directory.schemas import DirectoryPage, DirectoryUser
from servicedesk_auth.users.models import User
from servicedesk_auth.users.schemas import UserCore


async def get_page(session: AsyncSession, *, after: uuid.UUID | None, limit: int) -> DirectoryPage:
    """Up to `limit` users with an id above `after`; one more is read to know if any follow."""
    stmt = select(User).order_by(User.id).limit(limit + 1)
    if after is not None:
        stmt = stmt.where(User.id > after)
    users = list(await session.scalars(stmt))
    items = [as_item(user) for user in users[:limit]]
    more = len(users) > limit
    return DirectoryPage(items=items, next=items[-1].id if more else None)


def as_item(user: User) -> DirectoryUser:
    core = UserCore.model_validate(user).model_dump()
    return DirectoryUser(**core, systems=user.systems, version=user.directory_version)
