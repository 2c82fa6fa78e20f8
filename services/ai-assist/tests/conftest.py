"""Real PostgreSQL (a throw-away database), Redis (a prefix of this run's own), RabbitMQ (a
vhost of this run's own) and the stand-in Ollama from `tests/ollama_standin.py`, spoken
to over real HTTP; the app in-process.

Every request and delivery commits: tests stay apart through unique ticket ids, user ids
and texts, and reset the stand-in's fault mode and the breaker after themselves.
"""

from __future__ import annotations

import asyncio
import importlib.util
import itertools
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import orjson
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text

from servicedesk_ai_assist.config import Settings
from servicedesk_ai_assist.main import create_app
from servicedesk_devtools.testing import (
    make_access_token,
    revocation_prefix,
    throwaway_database,
    throwaway_vhost,
)
from servicedesk_shared.messaging.envelope import new_event
from servicedesk_shared.messaging.topology import declare_events_exchange

ROOT = Path(__file__).resolve().parents[3]
ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"
TEST_KEY = "test:" + "a" * 64
API_KEY = "refresh-key-0123456789abcdef"


def _load_standin():
    spec = importlib.util.spec_from_file_location(
        "ollama_standin", ROOT / "tests/ollama_standin.py"
    )
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["ollama_standin"] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


standin = _load_standin()


@pytest.fixture(scope="session")
async def ollama() -> AsyncIterator[Any]:
    async with standin.StandIn() as server:
        yield server


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    async with throwaway_database("desk_ai_assist_test", ALEMBIC_INI) as url:
        yield url


@pytest.fixture(scope="session")
async def amqp_url() -> AsyncIterator[str]:
    async with throwaway_vhost("desk_ai_assist") as url:
        yield url


@pytest.fixture(scope="session")
async def redis_prefix() -> AsyncIterator[str]:
    async with revocation_prefix("desk-ai-test") as prefix:
        yield prefix


@pytest.fixture(scope="session")
def settings(database_url: str, amqp_url: str, redis_prefix: str, ollama: Any) -> Settings:
    return Settings(
        database_url=database_url,
        amqp_url=amqp_url,
        jwt_secret_keys=TEST_KEY,
        environment="test",
        redis_key_prefix=redis_prefix,
        ollama_url=ollama.url,
        timeout=1.0,
        breaker_failures=2,
        breaker_reset=0.5,
        rate_limit="5/minute",
        api_keys=API_KEY,
        consumer_delivery_limit=3,
        triage_attempts=2,
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Any]:
    application = create_app(settings)
    async with LifespanManager(application):
        await asyncio.wait_for(application.state.consumer.ready.wait(), 15)
        yield application


@pytest.fixture(autouse=True)
async def clean_slate(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """After each test: the stand-in healthy again, the breaker closed."""
    yield
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        ollama = request.getfixturevalue("ollama")
        ollama.state.mode = standin.Mode()
        app.state.runtime.assistant.breaker.record_success()


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app, client=("203.0.113.9", 4321))
    async with httpx.AsyncClient(transport=transport, base_url="http://ai-assist") as c:
        yield c


@pytest.fixture
def auth(settings: Settings) -> Callable[..., dict[str, str]]:
    """`auth()` -> an Authorization header for a fresh user (own rate-limit budget)."""

    def make(user_id: str | None = None, **claims: Any) -> dict[str, str]:
        access = make_access_token(
            settings.token_settings, user_id or str(uuid.uuid4()), 900, **claims
        )
        return {"Authorization": f"Bearer {access}"}

    return make


_ticket_ids = itertools.count(3_000_000)


def ticket_id() -> int:
    return next(_ticket_ids)


@pytest.fixture(scope="session")
async def events(amqp_url: str) -> AsyncIterator[Any]:
    """Publish onto `servicedesk.events`; collect what ai-assist publishes."""
    connection = await aio_pika.connect_robust(amqp_url)
    channel = await connection.channel()
    exchange = await declare_events_exchange(channel)
    queue = await channel.declare_queue(exclusive=True)
    await queue.bind(exchange, "ai.triage.suggested")
    received: list[dict[str, Any]] = []

    async def collect(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            received.append(orjson.loads(message.body))

    await queue.consume(collect)
    yield exchange, received
    await connection.close()


async def publish_created(exchange: Any, ticket: dict[str, Any]) -> dict[str, Any]:
    event = new_event(
        "ticket.created",
        {"ticket": ticket},
        producer="tickets",
        correlation_id=f"req-{uuid.uuid4().hex[:8]}",
    )
    await exchange.publish(
        aio_pika.Message(orjson.dumps(event), delivery_mode=2), routing_key="ticket.created"
    )
    return event


async def scalar(app: Any, sql: str, **params: Any) -> Any:
    async with app.state.runtime.engine.connect() as conn:
        return await conn.scalar(text(sql), params)
