"""Read and upsert the local copy of people: names, addresses, roles per system.

Every write is an `INSERT … ON CONFLICT DO UPDATE … WHERE stored version <= new version`,
per aspect: profile events (`user.registered`/`user.updated`) and roles events each touch
only their own columns and compare only their own version, so an older event arriving
late never overwrites a newer one, and a replay changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ARRAY, String, any_, bindparam, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.database import utcnow
from servicedesk_notifications.directory.models import DirectoryEntry
from servicedesk_shared.events import UserRegistered, UserUpdated

# Who hears about a system's SLA when a ticket has no assignee: those who may assign.
ASSIGNING_ROLES = ("manager", "admin")


async def get(session: AsyncSession, *, user_id: str) -> DirectoryEntry | None:
    return await session.get(DirectoryEntry, user_id)


_NAMES = select(DirectoryEntry.user_id, DirectoryEntry.display_name, DirectoryEntry.username).where(
    DirectoryEntry.user_id == any_(bindparam("ids", type_=ARRAY(String)))
)  # built once; one statement text for any number of ids


async def names(session: AsyncSession, *, user_ids: Iterable[str]) -> dict[str, str]:
    """`{user_id: display name or username}` of those the directory knows."""
    wanted = {u for u in user_ids if u}
    if not wanted:
        return {}
    rows = await session.execute(_NAMES, {"ids": sorted(wanted)})
    return {uid: display or username for uid, display, username in rows if display or username}


async def assigners_of(session: AsyncSession, *, system: str) -> list[str]:
    """Active managers and admins of `system`, by user id."""
    held = [DirectoryEntry.systems.contains({system: role}) for role in ASSIGNING_ROLES]
    rows = await session.scalars(
        select(DirectoryEntry.user_id)
        .where(DirectoryEntry.is_active.is_(True))
        .where(held[0] | held[1])
        .order_by(DirectoryEntry.user_id)
    )
    return list(rows)


async def upsert_profile(session: AsyncSession, *, profile: UserRegistered | UserUpdated) -> None:
    """The user's name, address and active flag, unless a newer version is stored."""
    values = {
        "username": profile.username,
        "email": profile.email,
        "display_name": profile.display_name,
        "is_active": profile.is_active,
    }
    await _upsert(
        session, user_id=profile.user_id, aspect="profile", version=profile.version, values=values
    )


async def upsert_roles(
    session: AsyncSession, *, user_id: str, systems: dict[str, str], version: int = 0
) -> None:
    """The user's roles per system, unless a newer version is stored."""
    await _upsert(
        session, user_id=user_id, aspect="roles", version=version, values={"systems": systems}
    )


async def _upsert(
    session: AsyncSession, *, user_id: str, aspect: str, version: int, values: dict[str, Any]
) -> None:
    now = utcnow()
    column = f"{aspect}_version"
    statement = insert(DirectoryEntry).values(
        user_id=user_id, updated_at=now, **{column: version}, **values
    )
    stored = getattr(DirectoryEntry, column)
    statement = statement.on_conflict_do_update(
        index_elements=[DirectoryEntry.user_id],
        set_={**values, column: version, "updated_at": now},
        where=stored <= version,
    )
    await session.execute(statement)
