"""Tickets under overload: no pooled connection in time, or no request slot, is a fast 503
`overloaded` with Retry-After (never a 500 or a hang), and it recovers when the load goes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from asgi_lifespan import LifespanManager
from prometheus_client import REGISTRY

from servicedesk_devtools.testing import eventually
from servicedesk_shared.overload import InFlightLimit
from servicedesk_tickets.config import Settings
from servicedesk_tickets.main import create_app

from .conftest import Personas, http_client


@pytest.fixture
async def small_app(settings: Settings) -> AsyncIterator[Any]:
    """Tickets with one request slot, no wait for it, and 2 pooled connections (db_pool_size 1)."""
    tight = settings.model_copy(
        update={"max_in_flight": 1, "in_flight_wait": 0, "db_pool_size": 1, "db_pool_timeout": 1.0}
    )
    app = create_app(tight)
    async with LifespanManager(app):
        yield app


def limiter(app: Any) -> InFlightLimit:
    node = app.middleware_stack
    while not isinstance(node, InFlightLimit):
        node = node.app
    return node


async def test_no_connection_or_no_slot_is_503_overloaded_then_it_recovers(
    small_app: Any, personas: Personas
):
    headers = personas.headers("user_a")
    before = {reason: _shed(reason) for reason in ("in_flight", "db_pool")}
    async with http_client(small_app) as client, AsyncExitStack() as holders:
        await client.get("/healthz")  # builds the middleware stack
        for _ in range(2):  # every pooled connection taken
            await holders.enter_async_context(small_app.state.runtime.engine.connect())
        waiting = asyncio.create_task(client.get("/api/tickets", headers=headers))
        await eventually(lambda: limiter(small_app).slots.held == 1)
        no_slot = await client.get("/api/tickets", headers=headers)
        ready = await client.get("/healthz")
        no_connection = await waiting
        await holders.aclose()  # the load is gone
        recovered = await eventually(
            lambda: _ok(client.get("/api/tickets", headers=headers)), timeout=10
        )
    for refused in (no_slot, no_connection):
        assert refused.status_code == 503
        assert refused.json()["code"] == "overloaded"
        assert refused.headers["retry-after"] == "1"
    assert ready.status_code == 200
    assert recovered.json()["items"] == []
    assert _shed("in_flight") == before["in_flight"] + 1
    assert _shed("db_pool") >= before["db_pool"] + 1  # recovery may have polled once more


def _shed(reason: str) -> float:
    labels = {"service": "tickets", "reason": reason}
    return REGISTRY.get_sample_value("http_requests_shed_total", labels) or 0.0


async def _ok(request) -> Any:
    response = await request
    return response if response.status_code == 200 else None


async def test_an_export_with_no_connection_free_is_a_clean_503_before_any_byte(
    small_app: Any, personas: Personas
):
    """The export takes its one connection before the response starts (it audits, commits
    and streams on it): none free in time is a JSON 503, never a 200 cut after its headers."""
    headers = personas.headers("user_a")
    async with http_client(small_app) as client, AsyncExitStack() as holders:
        for _ in range(2):
            await holders.enter_async_context(small_app.state.runtime.engine.connect())
        refused = await client.get("/api/export/tickets", headers=headers)
        await holders.aclose()
        served = await client.get("/api/export/tickets", headers=headers)
    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/json"
    assert (refused.json()["code"], refused.headers["retry-after"]) == ("overloaded", "1")
    assert served.status_code == 200
    assert served.text.startswith("id,")
    # The export gave its connection back. (The relay, on the same small pool, may hold one
    # for a moment: wait for it rather than race it.)
    pool = small_app.state.runtime.engine.pool
    await eventually(lambda: pool.checkedout() == 0, timeout=10)
