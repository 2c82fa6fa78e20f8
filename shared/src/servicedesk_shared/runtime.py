"""What every service's lifespan opens once and its requests, consumers and background
tasks share: the settings, the engine with its sessions, and Redis.

Each service's `Runtime` is a dataclass subclassing this one with what is its own (the
token guard, the consumer, the password hasher, ...); the shared dependencies (`deps`)
need no more than this, plus `guard` and `api_keys` where a service has them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from servicedesk_shared.settings import BaseServiceSettings

S = TypeVar("S", bound=BaseServiceSettings)


@dataclass
class ServiceRuntime(Generic[S]):
    settings: S
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: aioredis.Redis
