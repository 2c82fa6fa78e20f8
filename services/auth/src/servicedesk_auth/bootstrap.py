"""At start: ensure the superuser named by DESK_ADMIN_* exists (idempotent, and safe when
several replicas start at once: the insert is `ON CONFLICT DO NOTHING`, the promotion takes
the row lock), publishing `user.registered` or `user.updated` like any other change, and
bring every TOTP secret under the current encryption key."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicedesk_auth.mfa.crypto import TotpCipher, TotpKeyError
from servicedesk_auth.mfa.models import TotpDevice
from servicedesk_auth.outbox import service as outbox
from servicedesk_auth.passwords import policy
from servicedesk_auth.passwords.hashing import PasswordHasher
from servicedesk_auth.users.models import PasswordHistory, User
from servicedesk_auth.users.service import publish_if_changed, published, registered

log = logging.getLogger(__name__)


async def _insert(session: AsyncSession, username: str, email: str, password_hash: str) -> None:
    user_id = uuid.uuid4()
    values = dict(username=username, email=email, password_hash=password_hash)
    created = await session.scalar(
        insert(User)
        .values(id=user_id, is_admin=True, is_superuser=True, token_version=0, **values)
        .on_conflict_do_nothing()
        .returning(User.id)
    )
    if created:
        session.add(PasswordHistory(user_id=user_id, password_hash=password_hash))
        user = await session.get_one(User, user_id)
        outbox.record(session, event=registered(user))
        log.warning("created the bootstrap superuser %r", username)


async def _promote(session: AsyncSession, user: User) -> None:
    """Make `user` an active superuser; a change is published as `user.updated`."""
    before = published(user)
    user.is_superuser = user.is_admin = user.is_active = True
    await publish_if_changed(session, user=user, before=before)


async def ensure_admin(
    factory: async_sessionmaker[AsyncSession], hasher: PasswordHasher, admin: tuple[str, str, str]
) -> None:
    """Create the superuser if missing; if present, make it an active superuser (the
    password is never overwritten)."""
    username, email, password = admin
    if policy.check(password, username=username, email=email):
        log.warning("DESK_ADMIN_PASSWORD breaks the password rules; choose a stronger one")
    by_name = func.lower(User.username) == username.lower()
    async with factory() as session, session.begin():
        if await session.scalar(select(User.id).where(by_name)) is None:
            await _insert(session, username, email, await hasher.hash(password))
        user = await session.scalar(select(User).where(by_name).with_for_update(of=User))
        if user is not None:
            await _promote(session, user)
    if user is None:
        log.error("bootstrap superuser %r not created: its email belongs to another user", username)


async def encrypt_totp_secrets(
    factory: async_sessionmaker[AsyncSession], cipher: TotpCipher
) -> int:
    """Rewrite every TOTP secret not under the first key of AUTH_TOTP_ENCRYPTION_KEYS: clear
    ones from before encryption, and ones under an older key after a rotation. Safe with
    several replicas starting at once (each row is rewritten only if still as it was read).
    Returns how many rows were rewritten."""
    rewritten = stuck = 0
    async with factory() as session, session.begin():
        rows = (await session.execute(select(TotpDevice.user_id, TotpDevice.secret))).all()
        for user_id, stored in rows:
            if cipher.is_current(stored):
                continue
            try:
                sealed = cipher.encrypt(cipher.decrypt(stored, user_id=user_id), user_id=user_id)
            except TotpKeyError:
                stuck += 1
                continue
            result = await session.execute(
                update(TotpDevice)
                .where(TotpDevice.user_id == user_id, TotpDevice.secret == stored)
                .values(secret=sealed)
            )
            rewritten += result.rowcount
    if rewritten:
        log.warning("re-encrypted %d TOTP secrets under key %r", rewritten, cipher.current_kid)
    if stuck:
        log.error(
            "%d TOTP secrets are under a key AUTH_TOTP_ENCRYPTION_KEYS no longer holds; "
            "those users cannot sign in until the key is put back",
            stuck,
        )
    return rewritten
