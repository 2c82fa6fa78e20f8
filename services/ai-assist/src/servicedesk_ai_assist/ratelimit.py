"""Per-user budget for model calls: `RATE_LIMIT_AI` (e.g. `20/minute`), a fixed window in
Redis shared by every replica. Redis unreachable → 503 (fail closed: model calls are the
expensive thing this protects)."""

from __future__ import annotations

import redis.asyncio as aioredis

from servicedesk_ai_assist import metrics
from servicedesk_ai_assist.errors import AiRateLimited
from servicedesk_shared.errors import Unavailable
from servicedesk_shared.redis import Keys

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate(spec: str) -> tuple[int, int]:
    """`"20/minute"` → (20, 60)."""
    count, _, period = spec.partition("/")
    try:
        return int(count), PERIODS[period.strip().rstrip("s")]
    except (ValueError, KeyError):
        raise ValueError(f"rate limit {spec!r} is not '<n>/<second|minute|hour|day>'") from None


class UserRateLimit:
    def __init__(self, redis: aioredis.Redis, keys: Keys, spec: str) -> None:
        self.redis, self.keys = redis, keys
        self.limit, self.window = parse_rate(spec)

    async def hit(self, user_id: str) -> None:
        key = self.keys.rate("ai", user_id)
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                count, _, ttl = (
                    await pipe.incr(key).expire(key, self.window, nx=True).ttl(key).execute()
                )
        except aioredis.RedisError:
            raise Unavailable("The rate limiter is unavailable; try again shortly") from None
        if count > self.limit:
            metrics.RATE_LIMITED.inc()
            raise AiRateLimited(headers={"Retry-After": str(max(int(ttl), 1))})
