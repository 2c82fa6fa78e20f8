"""Overload at the gateway: a service's 503 `overloaded` reaches the client with its
Retry-After, and the gateway bounds its own in-flight requests the same way."""

from __future__ import annotations

import asyncio
import time

from prometheus_client import REGISTRY

from servicedesk_devtools.testing import eventually

from .conftest import running, settings_for


async def test_a_services_503_and_retry_after_pass_through(gw):
    response = await gw.get("/api/tickets/overloaded")
    assert response.status_code == 503
    assert response.json() == {
        "detail": "The service is at capacity; retry shortly",
        "code": "overloaded",
    }
    assert response.headers["retry-after"] == "1"
    assert response.headers["x-frame-options"] == "DENY"


async def test_beyond_its_own_bound_the_gateway_refuses_fast_and_recovers(upstream):
    settings = settings_for(
        upstream.url, max_in_flight=1, in_flight_wait=0.05, upstream_read_timeout=5
    )
    before = _shed()
    async with running(settings) as gw, gw.client() as client:
        # /sleep answers after 1.5 s: the one slot is held until then.
        held = asyncio.create_task(client.get("/api/tickets/sleep"))
        await eventually(lambda: gw.app.slots.held == 1)
        started = time.monotonic()
        refused = await client.get("/api/tickets")
        elapsed = time.monotonic() - started
        health = await client.get("/healthz")
        slow = await held
        after = await client.get("/api/tickets")
    assert refused.status_code == 503
    assert refused.json()["code"] == "overloaded"
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["x-request-id"]
    assert refused.headers["x-content-type-options"] == "nosniff"
    assert elapsed < 0.4
    assert health.status_code == 200
    assert slow.status_code == 200
    assert after.status_code == 200
    assert _shed() == before + 1


def _shed() -> float:
    labels = {"service": "gateway", "reason": "in_flight"}
    return REGISTRY.get_sample_value("http_requests_shed_total", labels) or 0.0
