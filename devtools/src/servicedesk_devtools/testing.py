"""Test helpers every service's suite uses: throw-away databases, Redis prefixes, tokens,
and waiting for a condition (`eventually`, `acked`) instead of sleeping for a while."""

from __future__ import annotations

import asyncio
import inspect
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from prometheus_client import REGISTRY

from servicedesk_shared import tokens
from servicedesk_shared.db import drop_database, ensure_database, migrate
from servicedesk_shared.redis import Keys, create_redis

PG_BASE = "postgresql+asyncpg://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/0"


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@asynccontextmanager
async def throwaway_database(name_prefix: str, alembic_ini: Path | None) -> AsyncIterator[str]:
    """A fresh database (migrated when `alembic_ini` is given), dropped afterwards."""
    url = f"{PG_BASE}/{unique(name_prefix)}"
    await ensure_database(url)
    try:
        if alembic_ini is not None:
            await anyio.to_thread.run_sync(migrate, alembic_ini, url)
        yield url
    finally:
        await drop_database(url)


async def delete_redis_prefix(prefix: str, url: str = REDIS_URL) -> None:
    client = create_redis(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*", count=500)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@asynccontextmanager
async def revocation_prefix(name_prefix: str) -> AsyncIterator[str]:
    """A Redis key prefix of its own whose deny-list is marked loaded (as auth marks it at
    start), deleted afterwards: a service under test checks revocation as in production."""
    prefix = unique(name_prefix) + ":"
    client = create_redis(REDIS_URL)
    try:
        await client.set(Keys(prefix).denylist_ready, 1)
        yield prefix
    finally:
        await client.aclose()
        await delete_redis_prefix(prefix)


USER_ID = "00000000-0000-4000-8000-000000000001"


def access_claims(sub: str = USER_ID, **overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "sub": sub,
        "username": f"user{sub}",
        "email": f"user{sub}@example.com",
        "is_admin": False,
        "roles": ["user"],
        "systems": {},
        "tv": 0,
    }
    claims.update(overrides)
    return claims


def make_access_token(
    settings: tokens.TokenSettings, sub: str = USER_ID, ttl: int = 900, **overrides: Any
) -> str:
    return tokens.issue(
        settings, claims=access_claims(sub, **overrides), token_type=tokens.ACCESS, ttl=ttl
    )


AMQP_BASE = "amqp://guest:guest@127.0.0.1:5672"


def _rabbitmqctl(*args: str) -> None:
    import subprocess

    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@asynccontextmanager
async def throwaway_vhost(name_prefix: str = "desk_test") -> AsyncIterator[str]:
    """A RabbitMQ virtual host of its own (so test events never reach a dev stack's
    queues on the same broker), for `guest`; deleted afterwards. Yields its AMQP URL."""
    vhost = unique(name_prefix)
    await anyio.to_thread.run_sync(_rabbitmqctl, "add_vhost", vhost)
    try:
        await anyio.to_thread.run_sync(
            _rabbitmqctl, "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"
        )
        yield f"{AMQP_BASE}/{vhost}"
    finally:
        await anyio.to_thread.run_sync(_rabbitmqctl, "delete_vhost", vhost)


async def eventually(check: Callable[[], Any], timeout: float = 10, every: float = 0.05) -> Any:
    """Call (and await, if it is a coroutine) `check()` until it returns something truthy;
    return that, or raise TimeoutError after `timeout` seconds."""
    async with asyncio.timeout(timeout):
        while True:
            result = check()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return result
            await asyncio.sleep(every)


def eventually_sync(check: Callable[[], Any], timeout: float = 10, every: float = 0.05) -> Any:
    """`eventually` for code that cannot await (a fixture starting a server in a thread or
    a process): call `check()` until truthy; return that, or raise TimeoutError."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true within {timeout}s: {check!r}")
        time.sleep(every)
    return result


def acked(consumer: str, event_type: str) -> int:
    """Deliveries of `event_type` that the consumer named `consumer` in this process has
    handled so far, copies included: its `events_consumed_total{outcome="ok"}`, counted
    after the commit, as the ack goes out. A test that publishes N deliveries waits for
    this to grow by N: then none is still on its way, in whatever order they ran."""
    labels = {"consumer": consumer, "type": event_type, "outcome": "ok"}
    return int(REGISTRY.get_sample_value("events_consumed_total", labels) or 0)
