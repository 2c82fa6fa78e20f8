"""Progressive per-account slow-down of logins (never a lockout someone could abuse).

Failures per account (the submitted username, lower-cased, known or not) are counted in
Redis for 15 minutes. From the fourth failure on, every further attempt on that account
first waits `min(0.5 * 2**(n-4), 8)` seconds (n = failures so far), without using CPU.
The right password still signs in, and resets the count.
"""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from servicedesk_shared.redis import Keys

WINDOW = 15 * 60
FREE_FAILURES = 3
MAX_DELAY = 8.0


def delay_for(failures: int) -> float:
    if failures <= FREE_FAILURES:
        return 0.0
    return min(0.5 * 2 ** (failures - 4), MAX_DELAY)


class LoginThrottle:
    def __init__(self, redis: aioredis.Redis, keys: Keys) -> None:
        self.redis = redis
        self.keys = keys

    def _key(self, username: str) -> str:
        return self.keys.raw(f"login:failures:{username.strip().lower()}")

    async def wait(self, username: str) -> None:
        failures = int(await self.redis.get(self._key(username)) or 0)
        delay = delay_for(failures)
        if delay:
            await asyncio.sleep(delay)

    async def failed(self, username: str) -> None:
        key = self._key(username)
        async with self.redis.pipeline(transaction=True) as pipe:
            await pipe.incr(key).expire(key, WINDOW).execute()

    async def succeeded(self, username: str) -> None:
        await self.redis.delete(self._key(username))
