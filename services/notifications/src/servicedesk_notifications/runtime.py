"""What the lifespan opens once and every request and background task shares."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from servicedesk_notifications.config import Settings
from servicedesk_notifications.webhooks.ssrf import Allowlist, Resolver
from servicedesk_shared.apikeys import ApiKeys
from servicedesk_shared.messaging.consumer import Consumer
from servicedesk_shared.principal import TokenGuard


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: aioredis.Redis
    guard: TokenGuard
    api_keys: ApiKeys
    allowlist: Allowlist
    resolver: Resolver
    http: httpx.AsyncClient
    consumer: Consumer
