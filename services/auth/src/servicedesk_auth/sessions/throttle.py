"""Progressive per-account slow-down of logins (never a lockout someone could abuse).

Failures are counted per account in Redis for 15 minutes, after the user lookup: a known
user's bucket is its id, so `frank`, `Frank` and `frank@example.com` share one count. A
name no account answers to is counted under the typed string, trimmed and lower-cased,
so an unknown name slows down exactly like a known one (its failures look the same from
outside; the dummy verify keeps the timing alike too).

From the fourth failure on, every further attempt on that account first waits
`min(0.5 * 2**(n-4), 8)` seconds (n = failures so far), without using CPU. The right
password still signs in, and resets the count.
"""

from __future__ import annotations

import asyncio
import uuid

import redis.asyncio as aioredis

from servicedesk_shared import backoff
from servicedesk_shared.redis import Keys

WINDOW = 15 * 60
FREE_FAILURES = 3
MAX_DELAY = 8.0


def delay_for(failures: int) -> float:
    if failures <= FREE_FAILURES:
        return 0.0
    return backoff.delay(failures - 4, base=0.5, cap=MAX_DELAY)


class LoginThrottle:
    def __init__(self, redis: aioredis.Redis, keys: Keys) -> None:
        self.redis = redis
        self.keys = keys

    def key(self, *, user_id: uuid.UUID | None, typed: str) -> str:
        """The account's bucket: its id when the lookup found one, else the typed name."""
        if user_id is not None:
            return self.keys.raw(f"login:failures:user:{user_id}")
        return self.keys.raw(f"login:failures:name:{typed.strip().lower()}")

    async def wait(self, key: str) -> int:
        """Slow down as the account's failures so far say; returns their number."""
        failures = int(await self.redis.get(key) or 0)
        delay = delay_for(failures)
        if delay:
            await asyncio.sleep(delay)
        return failures

    async def failed(self, key: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            await pipe.incr(key).expire(key, WINDOW).execute()

    async def succeeded(self, key: str, *, failures: int) -> None:
        """Reset the count; a sign-in that found none (`wait`'s answer) has nothing to reset
        and spares the round trip (a failure counted meanwhile stays: it was not this one)."""
        if failures:
            await self.redis.delete(key)
