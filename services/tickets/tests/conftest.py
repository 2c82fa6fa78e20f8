"""A throw-away database per session; the app in-process; one transaction per test rolled
back at the end (`client`), or really committing (`committing_client`, for concurrency).

Personas are minted tokens (`make_access_token`), one per role and system of the matrix.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from asgi_lifespan import LifespanManager
from fastapi import Request
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker

from servicedesk_devtools.testing import (
    make_access_token,
    revocation_prefix,
    throwaway_database,
    throwaway_vhost,
)
from servicedesk_shared import reads
from servicedesk_shared.messaging.consumer import Consumer
from servicedesk_shared.messaging.envelope import new_event
from servicedesk_tickets.config import Settings
from servicedesk_tickets.consumers import build_handlers
from servicedesk_tickets.deps import (
    get_connections,
    get_read_session,
    get_session,
    get_stream_session,
)
from servicedesk_tickets.main import create_app
from servicedesk_tickets.transaction import request_transaction

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"
TEST_KEY = "test:" + "t" * 64
MAX_BYTES = 64 * 1024
QUOTA_BYTES = 256 * 1024


PERSONAS: dict[str, dict[str, Any]] = {
    "user_a": {},
    "user_b": {},
    "agent_tts": {"systems": {"TTS": "agent"}},
    "agent_hdts": {"systems": {"HDTS": "agent"}},
    "manager_tts": {"systems": {"TTS": "manager"}},
    "admin_tts": {"systems": {"TTS": "admin"}},
    "global_admin": {"is_admin": True, "roles": ["user"]},
    "superuser": {"roles": ["user", "superuser"]},
}


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    async with throwaway_database("desk_tickets_test", ALEMBIC_INI) as url:
        yield url


@pytest.fixture(scope="session")
async def amqp_url() -> AsyncIterator[str]:
    """A RabbitMQ vhost of the session's own: the relay's events reach no one else."""
    async with throwaway_vhost("desk_tickets_test") as url:
        yield url


@pytest.fixture(scope="session")
async def redis_prefix() -> AsyncIterator[str]:
    async with revocation_prefix("desk-tickets-test") as prefix:
        yield prefix


@pytest.fixture(scope="session")
def settings(
    database_url: str, amqp_url: str, redis_prefix: str, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return Settings(
        database_url=database_url,
        jwt_secret_keys=TEST_KEY,
        environment="test",
        amqp_url=amqp_url,
        redis_key_prefix=redis_prefix,
        attachments_dir=tmp_path_factory.mktemp("attachments"),
        attachment_max_bytes=MAX_BYTES,
        attachment_quota_bytes=QUOTA_BYTES,
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Any]:
    application = create_app(settings)
    async with LifespanManager(application):
        yield application


def http_client(app: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app, client=("203.0.113.9", 4321))
    return httpx.AsyncClient(transport=transport, base_url="http://tickets")


@pytest.fixture
async def conn(app: Any) -> AsyncIterator[AsyncConnection]:
    """A connection whose transaction every request of the test joins, rolled back after."""
    async with app.state.runtime.engine.connect() as connection:
        transaction = await connection.begin()
        factory = async_sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )

        async def session_in_test_transaction(request: Request):
            async with request_transaction(factory, ip=request.client.host) as session:
                yield session

        async def read_in_test_transaction():
            async with factory() as session:
                yield session

        async def stream_in_test_transaction(request: Request):
            async with factory() as session:
                session.info["ip"] = request.client.host
                yield session

        app.dependency_overrides[get_session] = session_in_test_transaction
        app.dependency_overrides[get_read_session] = read_in_test_transaction
        app.dependency_overrides[get_stream_session] = stream_in_test_transaction

        @asynccontextmanager
        async def borrow_test_connection():
            yield await reads.driver(connection)

        async def connections_in_test_transaction():
            return borrow_test_connection

        app.dependency_overrides[get_connections] = connections_in_test_transaction
        try:
            yield connection
        finally:
            app.dependency_overrides.clear()
            await transaction.rollback()


@pytest.fixture
async def client(
    app: Any, conn: AsyncConnection, personas: Personas
) -> AsyncIterator[httpx.AsyncClient]:
    await add_to_directory(conn, personas)
    async with http_client(app) as c:
        yield c


@pytest.fixture
async def committing_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(app) as c:
        yield c


class Personas:
    """`personas.headers("agent_tts")`: the Authorization header of a fresh persona token.

    Ids are unique per test, so committed data of one test never matches another's user.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.ids = {name: str(uuid.uuid4()) for name in PERSONAS}

    def token(self, name: str, **overrides: Any) -> str:
        claims = {**PERSONAS[name], "username": name, **overrides}
        return make_access_token(self.settings.token_settings, self.ids[name], **claims)

    def headers(self, name: str, **overrides: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(name, **overrides)}"}


@pytest.fixture
def personas(settings: Settings) -> Personas:
    return Personas(settings)


def display_name(persona: str) -> str:
    """The directory's display name of a persona: "agent_tts" -> "Agent Tts"."""
    return persona.replace("_", " ").title()


async def add_to_directory(conn: AsyncConnection, personas: Personas) -> None:
    """Every persona in tickets' directory of people, as auth's events would put them,
    so that assigning staff personas passes the directory's staff rule."""
    rows = [
        {
            "user_id": personas.ids[name],
            "username": name,
            "display_name": display_name(name),
            "email": f"{name}@example.com",
            "is_admin": bool(claims.get("is_admin")),
            "is_superuser": "superuser" in claims.get("roles", []),
            "systems": orjson.dumps(claims.get("systems", {})).decode(),
        }
        for name, claims in PERSONAS.items()
    ]
    await conn.execute(
        text(
            "INSERT INTO people (user_id, username, display_name, email, is_admin, "
            "is_superuser, systems, version, systems_version) VALUES (:user_id, :username, "
            ":display_name, :email, :is_admin, :is_superuser, CAST(:systems AS jsonb), 1, 1)"
        ),
        rows,
    )


class Api:
    """Small helpers over the HTTP API, as a given persona."""

    def __init__(self, client: httpx.AsyncClient, personas: Personas) -> None:
        self.client = client
        self.personas = personas

    async def create(self, who: str = "user_a", **fields: Any) -> dict[str, Any]:
        body = {"title": "Printer on fire", "description": "Third floor, again.", **fields}
        response = await self.client.post(
            "/api/tickets", json=body, headers=self.personas.headers(who)
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def call(self, who: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.personas.headers(who), **kwargs.pop("headers", {})}
        return await self.client.request(method, url, headers=headers, **kwargs)

    async def move(self, who: str, ticket_id: int, to: str) -> httpx.Response:
        return await self.call(
            who, "POST", f"/api/tickets/{ticket_id}/transitions", json={"to": to}
        )

    async def upload(
        self,
        who: str,
        ticket_id: int,
        content: bytes,
        filename: str = "file.txt",
        content_type: str = "application/octet-stream",
    ) -> httpx.Response:
        files = {"file": (filename, content, content_type)}
        return await self.call(who, "POST", f"/api/tickets/{ticket_id}/attachments", files=files)


@pytest.fixture
def api(client: httpx.AsyncClient, personas: Personas) -> Api:
    return Api(client, personas)


@pytest.fixture
def committing_api(committing_client: httpx.AsyncClient, personas: Personas) -> Api:
    return Api(committing_client, personas)


class FakeDelivery:
    """An AMQP delivery as the consumer sees it; records how it was settled."""

    def __init__(self, body: bytes, message_id: str | None = None) -> None:
        self.body, self.message_id = body, message_id
        self.headers: dict[str, Any] = {}
        self.outcome: str | None = None

    async def ack(self) -> None:
        self.outcome = "ack"

    async def nack(self, requeue: bool = True) -> None:
        self.outcome = "nack"

    async def reject(self, requeue: bool = False) -> None:
        self.outcome = "reject"


@pytest.fixture
def deliver(conn: AsyncConnection, settings: Settings) -> Callable[..., Awaitable[str | None]]:
    """`await deliver(event)`: the real consumer (inbox, handler, audit) handles the envelope
    inside the test's transaction; returns "ack", "nack" or "reject"."""
    factory = async_sessionmaker(
        bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    return delivering(factory, settings)


def system_created(code: str, name: str = "x") -> dict[str, Any]:
    """A `system.created` envelope as auth publishes it for a system a superuser added."""
    data = {"code": code, "name": name, "actor_id": str(uuid.uuid4())}
    return new_event("system.created", data, producer="auth")


def delivering(factory: Any, settings: Settings) -> Callable[..., Awaitable[str | None]]:
    consumer = Consumer(
        name=settings.consumer_name,
        amqp_url="amqp://unused",
        sessions=factory,
        handlers=build_handlers(settings),
        base_backoff=0,
    )

    async def send(event: dict[str, Any] | bytes) -> str | None:
        body = event if isinstance(event, bytes) else orjson.dumps(event)
        delivery = FakeDelivery(body)
        await consumer.on_message(delivery)  # type: ignore[arg-type]
        return delivery.outcome

    return send


def triage_event(
    ticket_id: int, *, status: str = "suggested", occurred_at: datetime | None = None, **fields: Any
) -> dict[str, Any]:
    """An `ai.triage.suggested` envelope as ai-assist publishes it."""
    data = {
        "ticket_id": ticket_id,
        "status": status,
        "category": "network",
        "priority": "urgent",
        "title": "VPN outage on the third floor",
        "summary": "The VPN drops hourly.",
        "confidence": 0.9,
        "model": "llama3.2:1b",
        "possible_duplicates": [],
        "error": None,
        **fields,
    }
    return new_event(
        "ai.triage.suggested",
        data,
        producer="ai-assist",
        correlation_id="req-triage-test",
        occurred_at=occurred_at,
    )
