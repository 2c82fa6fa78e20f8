"""A database that cannot take a connection is a transient state: the request is answered
503 `unavailable` with Retry-After (and logged as a warning), never a 500.

Proved against the real server: PostgreSQL refusing a connection with SQLSTATE 53300
(too_many_connections, what a full `max_connections` says when replicas times pools exceed it;
here a role with `CONNECTION LIMIT 0`), and nothing listening on the port at all.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url

from servicedesk_devtools.testing import PG_BASE, unique
from servicedesk_shared.db import create_engine
from servicedesk_shared.errors import install_error_handlers


def app_on(url: str) -> FastAPI:
    engine = create_engine(url, pool_size=1, pool_timeout=1)
    app = FastAPI()

    @app.get("/read")
    async def read() -> dict:
        async with engine.connect() as conn:
            return {"one": await conn.scalar(text("SELECT 1"))}

    install_error_handlers(app)
    return app


async def get(app: FastAPI) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get("/read")


def assert_unavailable(resp: httpx.Response) -> None:
    assert resp.status_code == 503, resp.text
    assert resp.json()["code"] == "unavailable"
    assert resp.headers["Retry-After"] == "1"


@pytest.fixture
async def refused_role() -> AsyncIterator[str]:
    """A login role PostgreSQL refuses with 53300, as if max_connections were reached."""
    base = make_url(PG_BASE)
    role = unique("norole")
    admin_dsn = base.set(drivername="postgresql", database="postgres")
    admin = await asyncpg.connect(admin_dsn.render_as_string(hide_password=False))
    await admin.execute(f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 0')
    try:
        yield base.set(username=role, password=None, database="postgres").render_as_string(
            hide_password=False
        )
    finally:
        await admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        await admin.close()


async def test_too_many_connections_is_503(refused_role: str) -> None:
    assert_unavailable(await get(app_on(refused_role)))


async def test_nothing_listening_is_503() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = make_url(PG_BASE).set(host="127.0.0.1", port=port, database="postgres")
    assert_unavailable(await get(app_on(url.render_as_string(hide_password=False))))
