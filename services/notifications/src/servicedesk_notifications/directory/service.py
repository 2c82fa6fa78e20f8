"""Read and upsert the local copy of users' names and addresses."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.database import utcnow
from servicedesk_notifications.directory.models import DirectoryEntry


async def get(session: AsyncSession, *, user_id: str) -> DirectoryEntry | None:
    return await session.get(DirectoryEntry, user_id)


async def upsert(session: AsyncSession, *, user_id: str, username: str, email: str) -> None:
    """Insert the user, or overwrite the name and address of one already known."""
    values = {"user_id": user_id, "username": username, "email": email, "updated_at": utcnow()}
    statement = insert(DirectoryEntry).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[DirectoryEntry.user_id],
        set_={"username": username, "email": email, "updated_at": values["updated_at"]},
    )
    await session.execute(statement)
