"""The Redis copy of revocations that the gateway reads, and its restore from PostgreSQL.

Auth writes `deny:jti:<jti>` (a logged-out access token, until it expires) and
`user:<sub>:tv` (the user's token version after a password change, deactivation or
demotion, for one access-token lifetime plus a minute). PostgreSQL holds the durable
copy. When Redis loses its data the `denylist:ready` sentinel disappears with it; the
gateway then refuses authenticated requests, and `keep_restored` (every couple of
seconds, on every auth replica) reloads both from PostgreSQL and sets the sentinel again.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime, timedelta

import redis.asyncio as aioredis
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicedesk_auth.database import utcnow
from servicedesk_auth.sessions.models import RefreshToken, RevokedAccessToken
from servicedesk_auth.users.models import User
from servicedesk_shared.redis import Keys

log = logging.getLogger(__name__)
PRUNE_EVERY = 300.0


class DenyList:
    def __init__(self, redis: aioredis.Redis, keys: Keys, *, access_ttl: int) -> None:
        self.redis = redis
        self.keys = keys
        self.version_ttl = access_ttl + 60
        self.access_ttl = access_ttl

    async def deny(self, jti: str, expires_at: datetime) -> None:
        ttl = int((expires_at - utcnow()).total_seconds()) + 1
        if ttl > 0:
            await self.redis.set(self.keys.deny_jti(jti), 1, ex=ttl)

    async def set_version(self, user_id: uuid.UUID, version: int) -> None:
        await self.redis.set(self.keys.token_version(str(user_id)), version, ex=self.version_ttl)

    async def is_ready(self) -> bool:
        return bool(await self.redis.exists(self.keys.denylist_ready))

    async def restore(self, session: AsyncSession) -> None:
        """Reload every live revocation from PostgreSQL, then set the sentinel."""
        now = utcnow()
        revoked = await session.scalars(
            select(RevokedAccessToken).where(RevokedAccessToken.expires_at > now)
        )
        since = now - timedelta(seconds=self.access_ttl)
        bumped = await session.execute(
            select(User.id, User.token_version).where(
                User.token_version > 0, User.token_version_changed_at > since
            )
        )
        async with self.redis.pipeline(transaction=False) as pipe:
            for row in revoked:
                pipe.set(self.keys.deny_jti(row.jti), 1, ex=self._ttl(row.expires_at, now))
            for user_id, version in bumped:
                pipe.set(self.keys.token_version(str(user_id)), version, ex=self.version_ttl)
            pipe.set(self.keys.denylist_ready, 1)
            await pipe.execute()

    @staticmethod
    def _ttl(expires_at: datetime, now: datetime) -> int:
        return max(1, int((expires_at - now).total_seconds()) + 1)

    async def restore_if_missing(self, factory: async_sessionmaker[AsyncSession]) -> bool:
        if await self.is_ready():
            return False
        async with factory() as session:
            await self.restore(session)
        log.warning("deny-list restored from PostgreSQL into Redis")
        return True


async def prune_expired(factory: async_sessionmaker[AsyncSession]) -> None:
    """Drop revocations and refresh tokens nobody can present any more."""
    now = utcnow()
    async with factory() as session, session.begin():
        await session.execute(delete(RevokedAccessToken).where(RevokedAccessToken.expires_at < now))
        await session.execute(delete(RefreshToken).where(RefreshToken.expires_at < now))


async def keep_restored(
    denylist: DenyList, factory: async_sessionmaker[AsyncSession], interval: float
) -> None:
    """Background task: restore the deny-list whenever the sentinel is gone; prune now and then."""
    last_prune = 0.0
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(interval)
        try:
            await denylist.restore_if_missing(factory)
            if loop.time() - last_prune > PRUNE_EVERY:
                await prune_expired(factory)
                last_prune = loop.time()
        except Exception:
            log.exception("deny-list upkeep failed; retrying in %ss", interval)
