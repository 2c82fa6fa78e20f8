"""Redis client and key naming shared by the gateway and the services.

Every key goes through `Keys` so one `REDIS_KEY_PREFIX` isolates a deployment (or a test
run) on a shared Redis. The deny-list keys are written by auth and read by the gateway:

- `deny:jti:<jti>`        an access token revoked by logout (TTL: until it expires)
- `user:<sub>:tv`         the user's token version; access tokens with a lower `tv` claim
                          are dead (password change, deactivation)
- `denylist:ready`        sentinel auth sets after loading the deny-list from PostgreSQL; if
                          Redis lost its data the sentinel is gone, and the gateway refuses
                          authenticated requests (503) until auth has restored it
"""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


def create_redis(url: str) -> aioredis.Redis:
    """A pooled client. A command that meets a pooled connection Redis closed (it was
    restarted since) is sent once more on a new connection instead of failing the request
    with a 503; while Redis is down that second try is refused at once. Timeouts are not
    retried: a hanging Redis fails closed after `socket_timeout`, not twice that."""
    client = aioredis.from_url(
        url,
        socket_connect_timeout=2,
        socket_timeout=2,
        health_check_interval=30,
        retry=Retry(NoBackoff(), retries=1),
        retry_on_error=[RedisConnectionError],
    )
    pool = client.connection_pool
    pool.connection_class = type(  # the URL's class (TCP, TLS, socket) with our writes
        pool.connection_class.__name__, (TimedWrites, pool.connection_class), {}
    )
    return client


class TimedWrites:
    """redis-py's connection with each write bounded by `asyncio.timeout` instead of
    `asyncio.wait_for`, which on Python 3.11 runs every write in a task of its own (~4 % of
    a ticket detail's CPU, py-spy: one or two Redis commands on every authenticated
    request). The same `socket_timeout`, the same error (`redis.exceptions.TimeoutError`),
    the connection dropped after it as before; reads keep redis-py's own timeout."""

    socket_timeout: float | None

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        limit = self.socket_timeout
        if not limit:
            return await super().send_packed_command(command, check_health)  # type: ignore[misc]
        self.socket_timeout = None  # redis-py writes without its `wait_for`; bounded here
        try:
            async with asyncio.timeout(limit):
                await super().send_packed_command(command, check_health)  # type: ignore[misc]
        except TimeoutError:
            raise RedisTimeoutError("Timeout writing to socket") from None
        finally:
            self.socket_timeout = limit


class Keys:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def deny_jti(self, jti: str) -> str:
        return f"{self.prefix}deny:jti:{jti}"

    def token_version(self, sub: str) -> str:
        return f"{self.prefix}user:{sub}:tv"

    @property
    def denylist_ready(self) -> str:
        return f"{self.prefix}denylist:ready"

    def rate(self, bucket: str, key: str) -> str:
        return f"{self.prefix}rl:{bucket}:{key}"

    def raw(self, suffix: str) -> str:
        return f"{self.prefix}{suffix}"
