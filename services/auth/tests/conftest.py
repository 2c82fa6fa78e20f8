"""A throw-away database and Redis prefix per session; the app in-process, one transaction
per test rolled back at the end (`client`), or really committing (`committing_client`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker

from servicedesk_auth.config import Settings
from servicedesk_auth.deps import get_connections, get_session
from servicedesk_auth.main import create_app
from servicedesk_devtools.testing import (
    delete_redis_prefix,
    throwaway_database,
    throwaway_vhost,
    unique,
)
from servicedesk_shared import reads
from servicedesk_shared.transaction import request_transaction

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"
TEST_KEY = "test:" + "k" * 64
# Two TOTP encryption keys, as after a rotation: the first encrypts, both decrypt.
TOTP_OLD_KEY = ("totp-1", "o" * 64)
TOTP_KEYS = "totp-2:" + "p" * 64 + "," + ":".join(TOTP_OLD_KEY)
PASSWORD = "violet-harbour-lantern"
API_KEY = "auth-test-api-key-" + "a" * 32  # AUTH_API_KEYS, for GET /internal/users
ADMIN = {"username": "root", "email": "root@example.com", "password": "Quiet-Granite-Meadow-41"}


def make_settings(database_url: str, redis_prefix: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "redis_key_prefix": redis_prefix,
        "jwt_secret_keys": TEST_KEY,
        "totp_encryption_keys": TOTP_KEYS,
        "environment": "test",
        # Cheap Argon2 for speed; test_passwords checks the real parameters once.
        "argon2_memory_cost": 256,
        "argon2_time_cost": 1,
        "hash_workers": 2,
        "denylist_interval": 0.1,
        "admin_username": ADMIN["username"],
        "admin_email": ADMIN["email"],
        "admin_password": ADMIN["password"],
        "api_keys": API_KEY,
    }
    return Settings(**{**values, **overrides})


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    async with throwaway_database("desk_auth_test", ALEMBIC_INI) as url:
        yield url


@pytest.fixture(scope="session")
async def redis_prefix() -> AsyncIterator[str]:
    prefix = unique("test") + ":"
    yield prefix
    await delete_redis_prefix(prefix)


@pytest.fixture(scope="session")
async def amqp_url() -> AsyncIterator[str]:
    """A RabbitMQ vhost of the session's own: the relay's events reach no one else."""
    async with throwaway_vhost("desk_auth_test") as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str, redis_prefix: str, amqp_url: str) -> Settings:
    return make_settings(database_url, redis_prefix, amqp_url=amqp_url)


@pytest.fixture(scope="session")
def settings_for(database_url: str, redis_prefix: str, amqp_url: str):
    """`settings_for(**overrides)`: the session's settings with some values changed."""
    return lambda **overrides: make_settings(
        database_url, redis_prefix, **{"amqp_url": amqp_url, **overrides}
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Any]:
    application = create_app(settings)
    async with LifespanManager(application):
        yield application


def http_client(app: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app, client=("203.0.113.7", 1234))
    return httpx.AsyncClient(transport=transport, base_url="http://auth")


@pytest.fixture
async def conn(app: Any) -> AsyncIterator[AsyncConnection]:
    """A connection whose transaction every request of the test joins, rolled back after."""
    async with app.state.runtime.engine.connect() as connection:
        transaction = await connection.begin()
        factory = async_sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )

        async def session_in_test_transaction():
            async with request_transaction(factory) as session:
                yield session

        @asynccontextmanager
        async def borrow_test_connection():
            yield await reads.driver(connection)

        async def connections_in_test_transaction():
            return borrow_test_connection

        app.dependency_overrides[get_session] = session_in_test_transaction
        app.dependency_overrides[get_connections] = connections_in_test_transaction
        try:
            yield connection
        finally:
            app.dependency_overrides.pop(get_session, None)
            app.dependency_overrides.pop(get_connections, None)
            await transaction.rollback()


@pytest.fixture
async def client(app: Any, conn: AsyncConnection) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(app) as c:
        yield c


@pytest.fixture
async def committing_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(app) as c:
        yield c


class Api:
    """Small helpers over the HTTP API; every user gets a unique name."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def register(self, username: str | None = None, **fields: Any) -> dict[str, Any]:
        username = username or unique("user")
        body = {"username": username, "email": f"{username}@example.com", "password": PASSWORD}
        response = await self.client.post("/api/auth/register", json={**body, **fields})
        assert response.status_code == 201, response.text
        return response.json()

    async def login(self, username: str, password: str = PASSWORD, **extra: Any) -> dict:
        response = await self.client.post(
            "/api/token", json={"username": username, "password": password, **extra}
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def signed_in(self, **fields: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """A new user and their token pair."""
        user = await self.register(**fields)
        return user, await self.login(user["username"], fields.get("password", PASSWORD))

    async def admin(self) -> dict[str, Any]:
        return await self.login(ADMIN["username"], ADMIN["password"])


def bearer_header(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access']}"}


@pytest.fixture
def api(client: httpx.AsyncClient) -> Api:
    return Api(client)


@pytest.fixture
def committing_api(committing_client: httpx.AsyncClient) -> Api:
    return Api(committing_client)


@pytest.fixture
def grant(conn: AsyncConnection):
    """`await grant(user_id, TTS="agent", ...)`: system roles written in the test's
    transaction (the systems created when missing)."""

    async def granting(user_id: str, **roles: str) -> None:
        for system, role in roles.items():
            await conn.execute(
                text(
                    "INSERT INTO systems (name, description, created_at) "
                    "VALUES (:s, '', now()) ON CONFLICT DO NOTHING"
                ),
                {"s": system},
            )
            await conn.execute(
                text("INSERT INTO user_system_roles (user_id, system, role) VALUES (:u, :s, :r)"),
                {"u": user_id, "s": system, "r": role},
            )

    return granting


@pytest.fixture
def bearer():
    """`bearer(tokens)` -> the Authorization header of the pair's access token."""
    return bearer_header
