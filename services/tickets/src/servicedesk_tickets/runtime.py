"""What the lifespan opens once and every request and the event consumer share."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from servicedesk_shared.messaging.consumer import Consumer
from servicedesk_shared.principal import TokenGuard
from servicedesk_tickets.config import Settings


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: aioredis.Redis
    guard: TokenGuard
    consumer: Consumer
