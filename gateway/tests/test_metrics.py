"""The gateway's metrics live on loopback only; the public `/metrics` is a 404."""

from __future__ import annotations

import httpx

from .conftest import running, settings_for
from .upstream import free_port


async def test_metrics_are_served_on_the_metrics_port_only(upstream):
    port = free_port()
    settings = settings_for(upstream.url, metrics_port=port, rate_limit_register="1/minute")
    async with running(settings) as gw, gw.client() as c:
        assert (await c.get("/metrics")).status_code == 404
        await c.get("/api/tickets")
        for _ in range(2):
            await c.post("/api/auth/register")
        async with httpx.AsyncClient() as scraper:
            text = (await scraper.get(f"http://127.0.0.1:{port}/metrics")).text
    assert 'gateway_requests_total{route="/api/tickets",status="200"}' in text
    assert 'gateway_request_duration_seconds_count{route="/api/tickets",status="200"}' in text
    assert 'gateway_requests_total{route="unmatched",status="404"}' in text
    assert 'gateway_rate_limited_total{bucket="register"}' in text


async def test_the_metrics_address_is_loopback_unless_configured(upstream):
    """Containers set GATEWAY_METRICS_HOST=0.0.0.0 so Prometheus, another host, can scrape."""
    assert settings_for(upstream.url).metrics_host == "127.0.0.1"
    port = free_port()
    settings = settings_for(upstream.url, metrics_port=port, metrics_host="0.0.0.0")  # noqa: S104
    async with running(settings) as gw, gw.client() as c:
        await c.get("/api/tickets")
        async with httpx.AsyncClient() as scraper:
            resp = await scraper.get(f"http://127.0.0.1:{port}/metrics")
    assert resp.status_code == 200 and "gateway_requests_total" in resp.text
