"""Real PostgreSQL (a throw-away database), real RabbitMQ (a vhost of this session's own),
a real SMTP sink (aiosmtpd) and a tiny HTTP receiver for webhooks; the app in-process.

Every request commits (the consumer commits too): tests stay apart through unique user
ids and event ids, never through rollbacks. `hooks.test` resolves to 127.0.0.1 through
the test resolver and is the one allow-listed webhook host, so 127.0.0.1 itself stays
refused like any loopback address.
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import orjson
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text

from servicedesk_devtools.testing import (
    make_access_token,
    revocation_prefix,
    throwaway_database,
    throwaway_vhost,
)
from servicedesk_notifications.config import Settings
from servicedesk_notifications.main import create_app
from servicedesk_notifications.webhooks.ssrf import Resolver
from servicedesk_shared.messaging.envelope import new_event
from servicedesk_shared.messaging.topology import declare_events_exchange

from .receiver import Receiver
from .smtpsink import SmtpSink

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"
TEST_KEY = "test:" + "n" * 64
API_KEYS = ("alpha-key-0123456789abcdef", "beta-key-fedcba9876543210")
HOOKS_HOST = "hooks.test"


class TestResolver(Resolver):
    """The system resolver, except for names a test maps to addresses of its choice."""

    def __init__(self) -> None:
        self.answers: dict[str, list[str]] = {HOOKS_HOST: ["127.0.0.1"]}

    async def resolve(self, host: str, port: int) -> list[str]:
        if host in self.answers:
            return self.answers[host]
        if host.endswith((".invalid", ".test")):  # never ask a real DNS server (RFC 6761)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return await super().resolve(host, port)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    async with throwaway_database("desk_notifications_test", ALEMBIC_INI) as url:
        yield url


@pytest.fixture(scope="session")
async def amqp_url() -> AsyncIterator[str]:
    async with throwaway_vhost("desk_notifications") as url:
        yield url


@pytest.fixture(scope="session")
def smtp() -> Any:
    sink = SmtpSink(free_port())
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
async def receiver() -> AsyncIterator[Receiver]:
    server = Receiver()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture(scope="session")
def resolver() -> TestResolver:
    return TestResolver()


@pytest.fixture(scope="session")
async def redis_prefix() -> AsyncIterator[str]:
    async with revocation_prefix("desk-notifications-test") as prefix:
        yield prefix


@pytest.fixture(scope="session")
def settings(database_url: str, amqp_url: str, smtp: SmtpSink, redis_prefix: str) -> Settings:
    return Settings(
        database_url=database_url,
        amqp_url=amqp_url,
        jwt_secret_keys=TEST_KEY,
        environment="test",
        redis_key_prefix=redis_prefix,
        api_keys=",".join(API_KEYS),
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_from="Desk <desk@example.com>",
        webhook_allowlist=HOOKS_HOST,
        webhook_max_attempts=4,
        webhook_timeout=3,
        consumer_delivery_limit=3,
        dispatch_interval=0.05,
        retry_base_seconds=0.2,
        retry_max_seconds=1.0,
    )


@pytest.fixture(scope="session")
async def app(settings: Settings, resolver: TestResolver) -> AsyncIterator[Any]:
    application = create_app(settings, resolver=resolver)
    async with LifespanManager(application):
        await asyncio.wait_for(application.state.runtime.consumer.ready.wait(), 15)
        yield application


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app, client=("203.0.113.5", 4321))
    async with httpx.AsyncClient(transport=transport, base_url="http://notifications") as c:
        yield c


@pytest.fixture
def token(settings: Settings) -> Callable[..., dict[str, str]]:
    """`token(user_id, **claims)` -> an Authorization header for that user."""

    def make(user_id: str, ttl: int = 900, **claims: Any) -> dict[str, str]:
        access = make_access_token(settings.token_settings, user_id, ttl, **claims)
        return {"Authorization": f"Bearer {access}"}

    return make


@pytest.fixture
def admin(token) -> dict[str, str]:
    return token(str(uuid.uuid4()), is_admin=True)


@pytest.fixture(scope="session")
async def exchange(amqp_url: str) -> AsyncIterator[aio_pika.abc.AbstractExchange]:
    connection = await aio_pika.connect_robust(amqp_url)
    channel = await connection.channel()
    yield await declare_events_exchange(channel)
    await connection.close()


@pytest.fixture
def publish(exchange) -> Callable[..., Awaitable[None]]:
    """`await publish(event, times=1)`: the envelope onto `servicedesk.events`."""

    async def send(event: dict[str, Any] | bytes, *, key: str | None = None, times: int = 1):
        body = event if isinstance(event, bytes) else orjson.dumps(event)
        routing_key = key or event["type"]  # type: ignore[index]
        for _ in range(times):
            await exchange.publish(aio_pika.Message(body, delivery_mode=2), routing_key=routing_key)

    return send


def user() -> str:
    return str(uuid.uuid4())


_ticket_ids = iter(range(1_000_000, 10_000_000))


def ticket(requester: str, assignee: str | None = None, **fields: Any) -> dict[str, Any]:
    """A ticket snapshot as tickets puts it in events."""
    now = datetime.now(UTC).isoformat()
    return {
        "id": next(_ticket_ids),
        "title": "Printer on fire",
        "description": "Third floor",
        "status": "open",
        "priority": "high",
        "category": None,
        "system": "TTS",
        "requester_id": requester,
        "assignee_id": assignee,
        "created_at": now,
        "updated_at": now,
        **fields,
    }


def event(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    return new_event(event_type, data, producer="tickets", correlation_id="req-notif-test-1")


async def scalar(app: Any, sql: str, **params: Any) -> Any:
    async with app.state.runtime.engine.connect() as conn:
        return await conn.scalar(text(sql), params)


async def rows(app: Any, sql: str, **params: Any) -> list[Any]:
    async with app.state.runtime.engine.connect() as conn:
        return list((await conn.execute(text(sql), params)).all())
