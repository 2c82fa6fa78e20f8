"""Gateway test fixtures: a real echo upstream, real Redis under a throw-away prefix, and the
gateway driven in-process through `httpx.ASGITransport` (so each test picks its client IP)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from redis.asyncio import Redis

from servicedesk_devtools.testing import REDIS_URL, delete_redis_prefix, make_access_token, unique
from servicedesk_gateway.app import Gateway, create_app
from servicedesk_gateway.config import Settings
from servicedesk_shared import tokens
from servicedesk_shared.redis import Keys, create_redis

from .upstream import Upstream

KEYS = "test:" + "k" * 64
TOKEN_SETTINGS = tokens.TokenSettings(
    tokens.KeyRing.from_string(KEYS), "servicedesk-auth", "servicedesk"
)
_ips = itertools.count(1)


def next_ip() -> str:
    """A client IP no other test has used."""
    n = next(_ips)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def uid(name: str) -> str:
    """The user id (a UUID, as auth issues) of the test user called `name`."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"gateway-test:{name}"))


def token(name: str = "1", **claims: Any) -> str:
    return make_access_token(TOKEN_SETTINGS, uid(name), **claims)


def bearer(name: str = "1", **claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(name, **claims)}"}


class Harness:
    def __init__(self, app: Gateway, redis: Redis) -> None:
        self.app = app
        self.redis = redis
        self.keys = Keys(app.settings.redis_key_prefix)

    def client(self, ip: str | None = None, port: int = 40000) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(self.app, client=(ip or next_ip(), port))
        return httpx.AsyncClient(transport=transport, base_url="http://gateway.test")


@pytest.fixture(scope="session")
def upstream():
    with Upstream() as server:
        yield server


def settings_for(upstream_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "redis_key_prefix": unique("gwtest") + ":",
        "jwt_secret_keys": KEYS,
        "upstreams": "auth,tickets,notifications,ai-assist",
        "metrics_port": 0,
        "rate_limit_login": "3/minute",
        "rate_limit_register": "2/minute",
        "rate_limit_anon": "30/minute",
        "rate_limit_user": "40/minute",
        "rate_limit_admin": "60/minute",
        "upstream_read_timeout": 0.5,
        **{f"{name}_url": upstream_url for name in ("auth", "tickets", "notifications")},
        "ai_assist_url": upstream_url,
        "web_dir": "",  # no web UI unless a test builds one (test_webui.py)
    }
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def running(settings: Settings, *, denylist_ready: bool = True) -> AsyncIterator[Harness]:
    """The gateway with its lifespan, the deny-list sentinel set, Redis cleaned afterwards."""
    redis = create_redis(REDIS_URL)
    keys = Keys(settings.redis_key_prefix)
    try:
        if denylist_ready:
            await redis.set(keys.denylist_ready, "1")
        app = create_app(settings)
        async with LifespanManager(app):
            yield Harness(app, redis)
    finally:
        await delete_redis_prefix(settings.redis_key_prefix)
        await redis.aclose()


@pytest.fixture(scope="session")
async def gateway(upstream) -> AsyncIterator[Harness]:
    """The gateway with the test defaults; tests keep apart by client IP and user id."""
    async with running(settings_for(upstream.url)) as harness:
        yield harness


@pytest.fixture
async def gw(gateway: Harness) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the shared gateway from a fresh IP."""
    async with gateway.client() as client:
        yield client
