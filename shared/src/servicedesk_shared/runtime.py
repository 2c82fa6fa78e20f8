"""What every service's lifespan opens once and its requests, consumers and background
tasks share: the settings, the engine with its sessions, and Redis; and the readiness
checks of the two (`/readyz`), which every service needs to answer.

Each service's `Runtime` is a dataclass subclassing this one with what is its own (the
token guard, the consumer, the password hasher, ...); the shared dependencies (`deps`)
need no more than this, plus `guard` and `api_keys` where a service has them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

import redis.asyncio as aioredis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from servicedesk_shared.observability import Check
from servicedesk_shared.settings import BaseServiceSettings

S = TypeVar("S", bound=BaseServiceSettings)


@dataclass
class ServiceRuntime(Generic[S]):
    settings: S
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: aioredis.Redis

    def readiness(self) -> dict[str, Check]:
        """PostgreSQL and Redis answer; a service adds checks of its own to these."""

        async def database() -> None:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))

        async def redis() -> None:
            await self.redis.ping()

        return {"database": database, "redis": redis}
