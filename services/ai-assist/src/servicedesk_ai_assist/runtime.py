"""What the lifespan opens once and every request and the consumer share."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from servicedesk_ai_assist.config import Settings
from servicedesk_ai_assist.ratelimit import UserRateLimit
from servicedesk_ai_assist.suggest.service import Assistant
from servicedesk_shared.apikeys import ApiKeys
from servicedesk_shared.principal import TokenGuard


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: aioredis.Redis
    guard: TokenGuard
    assistant: Assistant
    rate_limit: UserRateLimit
    api_keys: ApiKeys
