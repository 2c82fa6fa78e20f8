"""Overload: beyond the in-flight bound or the DB pool's wait, a fast 503 `overloaded` with
Retry-After, counted; probes still answer; and once the load is gone, requests succeed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY
from sqlalchemy import text

from servicedesk_devtools.testing import PG_BASE, eventually, unique
from servicedesk_shared.db import create_engine, session_factory, session_scope
from servicedesk_shared.errors import install_error_handlers
from servicedesk_shared.observability import health_router
from servicedesk_shared.overload import InFlightLimit, Slots, install_overload


def shed(service: str, reason: str) -> float:
    labels = {"service": service, "reason": reason}
    return REGISTRY.get_sample_value("http_requests_shed_total", labels) or 0.0


def in_flight(service: str) -> float:
    return REGISTRY.get_sample_value("http_requests_in_flight", {"service": service}) or 0.0


class Gate:
    """`/slow` requests wait here until the test opens it; `entered` counts arrivals."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.entered = 0


def slow_app(service: str, gate: Gate, *, limit: int, wait: float) -> FastAPI:
    app = FastAPI()

    @app.get("/slow")
    async def slow() -> dict:
        gate.entered += 1
        await gate.open.wait()
        return {"ok": True}

    app.include_router(health_router(lambda: {}))
    install_error_handlers(app)
    install_overload(app, service, SimpleNamespace(max_in_flight=limit, in_flight_wait=wait))
    return app


def limiter(app: FastAPI) -> InFlightLimit:
    """The app's InFlightLimit (Starlette builds the middleware stack on the first request)."""
    node = app.middleware_stack
    while not isinstance(node, InFlightLimit):
        node = node.app
    return node


def client_of(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t")


async def test_beyond_the_limit_a_request_is_refused_fast_and_probes_still_answer():
    service, gate = unique("overload"), Gate()
    app = slow_app(service, gate, limit=2, wait=0.1)
    async with client_of(app) as client:
        held = [asyncio.create_task(client.get("/slow")) for _ in range(2)]
        await eventually(lambda: gate.entered == 2)
        assert in_flight(service) == 2

        started = time.monotonic()
        refused = await client.get("/slow")
        elapsed = time.monotonic() - started
        health = await client.get("/healthz")
        metrics = await client.get("/metrics")

        gate.open.set()
        assert [r.status_code for r in await asyncio.gather(*held)] == [200, 200]
        after = await client.get("/slow")

    assert refused.status_code == 503
    assert refused.json() == {
        "detail": "The service is at capacity; retry shortly",
        "code": "overloaded",
    }
    assert refused.headers["retry-after"] == "1"
    assert elapsed < 0.5  # the 0.1 s wait, not a timeout
    assert (health.status_code, metrics.status_code) == (200, 200)
    assert after.status_code == 200  # recovered
    assert shed(service, "in_flight") == 1
    assert in_flight(service) == 0


async def test_a_request_waiting_for_a_slot_gets_the_first_one_freed():
    service, gate = unique("overload"), Gate()
    app = slow_app(service, gate, limit=1, wait=5)
    async with client_of(app) as client:
        first = asyncio.create_task(client.get("/slow"))
        await eventually(lambda: gate.entered == 1)
        second = asyncio.create_task(client.get("/slow"))
        await eventually(lambda: len(limiter(app).slots._waiters) == 1)
        gate.open.set()
        responses = await asyncio.gather(first, second)
    assert [r.status_code for r in responses] == [200, 200]
    assert shed(service, "in_flight") == 0


async def test_no_more_callers_wait_than_there_are_slots():
    slots = Slots(1, wait=5)
    assert await slots.acquire()
    waiting = asyncio.create_task(slots.acquire())
    await eventually(lambda: len(slots._waiters) == 1)
    started = time.monotonic()
    assert not await slots.acquire()  # refused at once: the queue is full
    assert time.monotonic() - started < 0.5
    slots.release()
    assert await waiting
    slots.release()
    assert slots.held == 0


async def test_a_waiter_that_is_cancelled_leaves_no_slot_taken():
    slots = Slots(1, wait=5)
    assert await slots.acquire()
    waiting = asyncio.create_task(slots.acquire())
    await eventually(lambda: len(slots._waiters) == 1)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    slots.release()
    assert (slots.held, len(slots._waiters)) == (0, 0)
    assert await slots.acquire()


@asynccontextmanager
async def exhausted_pool_app(service: str) -> AsyncIterator[tuple[FastAPI, AsyncExitStack]]:
    """An app whose engine holds 2 connections (pool_size 1), both taken by the test until it
    closes the yielded stack; a checkout waits 0.1 s at most."""
    engine = create_engine(f"{PG_BASE}/postgres", pool_size=1, pool_timeout=0.1)
    sessions = session_factory(engine)
    app = FastAPI()

    @app.get("/one")
    async def one() -> dict:
        async with session_scope(sessions) as session:
            return {"one": await session.scalar(text("SELECT 1"))}

    install_error_handlers(app)
    install_overload(app, service, SimpleNamespace(max_in_flight=64, in_flight_wait=0.1))
    try:
        async with AsyncExitStack() as holders:
            for _ in range(2):
                await holders.enter_async_context(engine.connect())
            yield app, holders
    finally:
        await engine.dispose()


async def test_an_exhausted_db_pool_is_503_overloaded_not_500():
    service = unique("overload")
    async with exhausted_pool_app(service) as (app, holders), client_of(app) as client:
        started = time.monotonic()
        refused = await client.get("/one")
        elapsed = time.monotonic() - started
        await holders.aclose()  # the load is gone
        after = await client.get("/one")
    assert refused.status_code == 503
    assert refused.json() == {
        "detail": "No database connection free; retry shortly",
        "code": "overloaded",
    }
    assert refused.headers["retry-after"] == "1"
    assert elapsed < 1.0
    assert shed(service, "db_pool") == 1
    assert (after.status_code, after.json()) == (200, {"one": 1})
