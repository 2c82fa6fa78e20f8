"""The hot-path Redis client and the gateway under failure: reconnects, timeouts, bugs."""

from __future__ import annotations

import asyncio
import time

import pytest

from servicedesk_devtools.testing import eventually
from servicedesk_gateway import ratelimit

from .conftest import bearer, running, settings_for

LOGIN = {"username": "u", "password": "p"}


async def test_a_dropped_redis_connection_is_reopened(gateway):
    async with gateway.client() as client:
        await client.get("/api/tickets")
        slots = gateway.app.redis._slots
        for conn in slots:
            if conn is not None:
                conn.transport.abort()
        await eventually(lambda: not any(conn is not None and conn.alive for conn in slots))
        statuses = [(await client.get("/api/tickets")).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]


async def test_an_unknown_script_is_loaded_with_eval(gateway, monkeypatch):
    monkeypatch.setattr(ratelimit, "SHA", "0" * 40)
    async with gateway.client() as client:
        response = await client.get("/api/tickets", headers=bearer("noscript"))
    assert response.headers["ratelimit-limit"] == "40"


@pytest.fixture
async def silent_redis():
    """A TCP server that accepts and never answers: Redis hung."""

    async def swallow(reader, writer):
        await reader.read()
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    yield f"redis://127.0.0.1:{server.sockets[0].getsockname()[1]}/0"
    server.close()


async def test_a_hung_redis_fails_closed_within_the_timeout(upstream, silent_redis):
    settings = settings_for(upstream.url, redis_url=silent_redis, redis_timeout=0.3)
    async with running(settings) as gw, gw.client() as client:
        started = time.monotonic()
        login = await client.post("/api/token", json=LOGIN)
        elapsed = time.monotonic() - started
        with_token = await client.get("/api/tickets", headers=bearer())
        anonymous = await client.get("/api/tickets")
    assert (login.status_code, login.json()["code"]) == (503, "rate_limit_unavailable")
    assert elapsed < 1.0
    assert with_token.json()["code"] == "auth_state_unavailable"
    assert anonymous.status_code == 200


async def test_a_bug_is_a_json_500_with_the_security_headers(upstream):
    async with running(settings_for(upstream.url)) as gw, gw.client() as client:
        gw.app.tokens.identify = None  # calling it raises TypeError
        response = await client.get("/api/tickets")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error", "code": "internal_error"}
    assert response.headers["x-frame-options"] == "DENY"


async def test_no_headers_are_invented_for_the_upstream(gateway):
    async with gateway.client() as client:
        for name in ("accept", "accept-encoding", "user-agent"):
            client.headers.pop(name)
        response = await client.post("/api/tickets", content=b"abc")
    sent = dict(response.json()["headers"])
    assert response.json()["body_length"] == 3
    for name in ("accept", "accept-encoding", "user-agent", "content-type"):
        assert name not in sent, name


async def test_head_and_empty_posts_pass(gw):
    head = await gw.head("/api/tickets")
    empty = await gw.post("/api/tickets")
    assert head.status_code == 200
    assert head.content == b""
    assert empty.json()["body_length"] == 0
