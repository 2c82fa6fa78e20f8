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

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError


def create_redis(url: str) -> aioredis.Redis:
    """A pooled client. A command that meets a pooled connection Redis closed (it was
    restarted since) is sent once more on a new connection instead of failing the request
    with a 503; while Redis is down that second try is refused at once. Timeouts are not
    retried: a hanging Redis fails closed after `socket_timeout`, not twice that."""
    return aioredis.from_url(
        url,
        socket_connect_timeout=2,
        socket_timeout=2,
        health_check_interval=30,
        retry=Retry(NoBackoff(), retries=1),
        retry_on_error=[RedisConnectionError],
    )


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
