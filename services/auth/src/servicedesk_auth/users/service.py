"""Users: look-ups, registration, admin and own-profile updates, password changes, token
versions, and the directory version with its events (`user.registered`, `user.updated`)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, or_, select, true
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from servicedesk_auth.database import utcnow
from servicedesk_auth.denylist import DenyList
from servicedesk_auth.errors import (
    Forbidden,
    LastSuperuser,
    PasswordReused,
    UserExists,
    WeakPassword,
    WrongPassword,
)
from servicedesk_auth.outbox import service as outbox
from servicedesk_auth.passwords import policy
from servicedesk_auth.passwords.hashing import PasswordHasher
from servicedesk_auth.sessions.revocation import revoke_user_families
from servicedesk_auth.users.models import PasswordHistory, User
from servicedesk_auth.users.schemas import PasswordChange, UserCreate, UserListParams
from servicedesk_shared.events import UserRegistered, UserUpdated
from servicedesk_shared.logging import security_event
from servicedesk_shared.transaction import after_commit

HISTORY = 5
# What `user.updated` publishes; a change to any of them bumps `directory_version`.
PUBLISHED = ("username", "email", "display_name", "is_active", "is_admin", "is_superuser")


async def get(session: AsyncSession, *, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


async def get_all(session: AsyncSession, *, params: UserListParams) -> tuple[list[User], int]:
    """A page of users in `params.sort`'s order (ties by id; default newest first); `q`: a
    substring of username, e-mail or display name."""
    where = matching(params.q) if params.q else true()
    total = await session.scalar(select(func.count()).select_from(User).where(where))
    descending, key = params.sort.startswith("-"), params.sort.removeprefix("-")
    column = SORT_COLUMNS[key]
    keys = (column.desc(), User.id.desc()) if descending else (column.asc(), User.id.asc())
    query = select(User).where(where).order_by(*keys).limit(params.limit).offset(params.offset)
    return list(await session.scalars(query)), total or 0


SORT_COLUMNS: dict[str, Any] = {
    "created_at": User.created_at,
    "username": func.lower(User.username),
    "display_name": func.lower(func.coalesce(User.chosen_display_name, User.username)),
    "email": func.lower(User.email),
}


def matching(q: str) -> Any:
    """Case-insensitive substring match (`%`, `_` and `\\` in `q` are literal)."""
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    columns = (User.username, User.email, User.chosen_display_name)
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))


async def _taken(session: AsyncSession, *, username: str, email: str) -> bool:
    """Case-insensitively; a username may not be someone's email either (logins accept both)."""
    keys = (username.lower(), email.lower())
    clash = or_(func.lower(User.username).in_(keys), func.lower(User.email).in_(keys))
    return bool(await session.scalar(select(func.count()).where(clash)))


async def _email_taken(session: AsyncSession, email: str) -> bool:
    key = email.lower()
    clash = or_(func.lower(User.email) == key, func.lower(User.username) == key)
    return bool(await session.scalar(select(func.count()).where(clash)))


def check_password(password: str, *, username: str, email: str) -> None:
    broken = policy.check(password, username=username, email=email)
    if broken:
        errors = [{"rule": v.rule, "message": v.message} for v in broken]
        raise WeakPassword(errors=errors)


async def create(session: AsyncSession, *, data: UserCreate, hasher: PasswordHasher) -> User:
    """Register a plain user (no roles) and record `user.registered` in the outbox."""
    check_password(data.password, username=data.username, email=data.email)
    if await _taken(session, username=data.username, email=data.email):
        raise UserExists()
    password_hash = await hasher.hash(data.password)
    user = User(username=data.username, email=data.email, password_hash=password_hash)
    user.system_roles, user.totp = [], None  # nothing to load for a new user
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent registration won the race
        raise UserExists() from exc
    await set_password(session, user=user, password_hash=password_hash)
    outbox.record(session, event=registered(user))
    return user


def registered(user: User) -> UserRegistered:
    return UserRegistered(
        user_id=str(user.id),
        username=user.username,
        email=user.email,
        display_name=user.display_name,
        is_active=user.is_active,
        version=user.directory_version,
    )


def published(user: User) -> dict[str, Any]:
    return {name: getattr(user, name) for name in PUBLISHED}


async def bump_directory_version(session: AsyncSession, *, user: User) -> UserUpdated:
    """Add one to the user's version in PostgreSQL and return `user.updated` as the row now
    is: the row stays locked until commit, so concurrent changes get distinct, increasing
    versions, each with the data it describes."""
    await session.flush()
    table = User.__table__
    returned = (
        table.c.username,
        table.c.email,
        table.c.display_name,
        table.c.is_active,
        table.c.is_admin,
        table.c.is_superuser,
        table.c.directory_version,
    )
    bump = table.c.directory_version + 1
    stmt = sql_update(table).where(table.c.id == user.id).values(directory_version=bump)
    row = (await session.execute(stmt.returning(*returned))).one()
    set_committed_value(user, "directory_version", row.directory_version)
    data = row._asdict()
    data["display_name"] = row.display_name or row.username
    data["version"] = data.pop("directory_version")
    return UserUpdated(user_id=str(user.id), **data)


async def publish_if_changed(session: AsyncSession, *, user: User, before: dict[str, Any]) -> None:
    """When a published field changed: a new version and `user.updated`, in this transaction."""
    if published(user) == before:
        return
    event = await bump_directory_version(session, user=user)
    outbox.record(session, event=event)


async def set_password(session: AsyncSession, *, user: User, password_hash: str) -> None:
    """Set the hash and remember it in the history (a rehash of the same password is not)."""
    user.password_hash = password_hash
    session.add(PasswordHistory(user_id=user.id, password_hash=password_hash))


async def recent_hashes(session: AsyncSession, *, user_id: uuid.UUID) -> list[str]:
    """The current password and the ones before it: the last `HISTORY` of them."""
    rows = await session.scalars(
        select(PasswordHistory.password_hash)
        .where(PasswordHistory.user_id == user_id)
        .order_by(PasswordHistory.created_at.desc(), PasswordHistory.id.desc())
        .limit(HISTORY)
    )
    return list(rows)


def bump_token_version(session: AsyncSession, *, user: User, denylist: DenyList) -> None:
    """Kill every token issued so far: here at once, at the gateway through Redis."""
    user.token_version += 1
    user.token_version_changed_at = utcnow()
    user_id, version = user.id, user.token_version
    after_commit(session, lambda: denylist.set_version(user_id, version))


def authorize_update(*, actor: User, target: User, changes: dict[str, Any]) -> None:
    """Admins may edit users; only a superuser may touch admin/superuser flags or superusers."""
    if actor.is_superuser:
        return
    if "is_admin" in changes or "is_superuser" in changes or target.is_superuser:
        security_event(
            "access_denied", user_id=str(actor.id), target=str(target.id), fields=list(changes)
        )
        raise Forbidden("Only a superuser may grant or revoke admin or superuser")


async def ensure_a_superuser_remains(
    session: AsyncSession, *, target: User, changes: dict[str, Any]
) -> None:
    losing = changes.get("is_active") is False or changes.get("is_superuser") is False
    if not (losing and target.is_superuser and target.is_active):
        return
    others = await session.scalars(
        select(User.id)
        .where(User.is_superuser, User.is_active, User.id != target.id)
        .with_for_update()
    )
    if not others.first():
        raise LastSuperuser()


def is_demotion(target: User, changes: dict[str, Any]) -> bool:
    flags = ("is_active", "is_admin", "is_superuser")
    return any(changes.get(flag) is False and getattr(target, flag) for flag in flags)


async def update(
    session: AsyncSession, *, target: User, changes: dict[str, Any], actor: User, denylist: DenyList
) -> User:
    authorize_update(actor=actor, target=target, changes=changes)
    email = changes.get("email")
    if email and email.lower() != target.email.lower() and await _email_taken(session, email):
        raise UserExists()
    await ensure_a_superuser_remains(session, target=target, changes=changes)
    if is_demotion(target, changes):
        bump_token_version(session, user=target, denylist=denylist)
    await apply_changes(session, user=target, changes=changes)
    security_event("user_updated", actor=str(actor.id), target=str(target.id), changes=changes)
    return target


async def apply_changes(session: AsyncSession, *, user: User, changes: dict[str, Any]) -> None:
    """Set the fields, flush (a unique clash is 409) and publish what changed."""
    before = published(user)
    for field, value in changes.items():
        setattr(user, field, value)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise UserExists() from exc
    await publish_if_changed(session, user=user, before=before)


async def update_profile(session: AsyncSession, *, user: User, changes: dict[str, Any]) -> User:
    """The caller's own profile (the display name)."""
    await apply_changes(session, user=user, changes=changes)
    return user


async def change_password(
    session: AsyncSession,
    *,
    user: User,
    data: PasswordChange,
    hasher: PasswordHasher,
    denylist: DenyList,
) -> None:
    """Check, refuse the last five, store; then every token of the user dies."""
    if not await hasher.verify(user.password_hash, data.current_password):
        security_event("password_change_failed", user_id=str(user.id))
        raise WrongPassword()
    check_password(data.new_password, username=user.username, email=user.email)
    for old in await recent_hashes(session, user_id=user.id):
        if await hasher.verify(old, data.new_password):
            raise PasswordReused()
    await set_password(session, user=user, password_hash=await hasher.hash(data.new_password))
    await revoke_user_families(session, user_id=user.id)
    bump_token_version(session, user=user, denylist=denylist)
    security_event("password_changed", user_id=str(user.id))
