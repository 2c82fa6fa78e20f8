"""Request metrics are labelled by route template, never by raw path."""

import httpx
from fastapi import APIRouter, FastAPI
from prometheus_client import generate_latest

from servicedesk_shared.observability import MetricsMiddleware


def make_app() -> FastAPI:
    app = FastAPI()
    router = APIRouter()

    @router.get("/api/things/{thing_id}")
    async def thing(thing_id: int) -> dict:
        return {"id": thing_id}

    app.include_router(router)
    app.add_middleware(MetricsMiddleware, service="metrics-test")
    return app


async def test_requests_are_counted_by_route_template_and_status():
    transport = httpx.ASGITransport(make_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/api/things/41")).status_code == 200
        assert (await client.get("/api/things/42")).status_code == 200
        assert (await client.get("/nowhere")).status_code == 404
    text = generate_latest().decode()
    assert (
        'http_requests_total{method="GET",route="/api/things/{thing_id}",'
        'service="metrics-test",status="200"} 2.0'
    ) in text
    assert 'route="unmatched",service="metrics-test",status="404"' in text
    assert "/api/things/41" not in text


async def test_a_method_nobody_routes_is_counted_as_other():
    """The method is the client's to choose: each value would be a series kept forever."""
    transport = httpx.ASGITransport(make_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for method in ("BREW", "BREW2", "PROPFIND"):
            await client.request(method, "/api/things/1")
    text = generate_latest().decode()
    assert "BREW" not in text and "PROPFIND" not in text
    assert 'method="other",route="/api/things/{thing_id}",service="metrics-test"' in text
