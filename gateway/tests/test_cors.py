"""CORS: only the exact allow-listed origin is echoed; everything else gets nothing."""

from __future__ import annotations

import pytest

ALLOWED = "http://localhost:5173"
STRANGERS = [
    "https://evil.com",
    "null",
    "http://localhost:5173.evil.com",
    "http://evil-localhost:5173",
    "https://localhost:5173",
    "http://localhost:5174",
    "http://LOCALHOST:5173",
]


def preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }


async def test_an_allowed_origin_is_echoed_with_credentials(gw):
    response = await gw.get("/api/tickets", headers={"Origin": ALLOWED})
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "X-Request-ID" in response.headers["access-control-expose-headers"]
    assert "Origin" in response.headers.get_list("vary")


@pytest.mark.parametrize("origin", STRANGERS)
async def test_other_origins_get_no_cors_headers(gw, origin):
    response = await gw.get("/api/tickets", headers={"Origin": origin})
    assert response.status_code == 200
    assert not [h for h in response.headers if h.startswith("access-control-")]
    assert "Origin" in response.headers.get_list("vary")


async def test_a_preflight_from_an_allowed_origin_gets_204(gw):
    response = await gw.options("/api/tickets/7/comments", headers=preflight(ALLOWED))
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "PATCH" in response.headers["access-control-allow-methods"]
    allowed_headers = response.headers["access-control-allow-headers"]
    for name in ("Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"):
        assert name in allowed_headers
    assert int(response.headers["access-control-max-age"]) > 0
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("origin", STRANGERS)
async def test_a_preflight_from_another_origin_is_refused(gw, origin):
    response = await gw.options("/api/tickets", headers=preflight(origin))
    assert response.status_code == 403
    assert response.json()["code"] == "cors_forbidden"
    assert "access-control-allow-origin" not in response.headers


async def test_a_default_port_in_the_allow_list_matches_the_bare_origin(upstream):
    from .conftest import running, settings_for

    settings = settings_for(upstream.url, cors_allowed_origins="https://desk.example:443")
    async with running(settings) as gw, gw.client() as client:
        response = await client.get("/healthz", headers={"Origin": "https://desk.example"})
    assert response.headers["access-control-allow-origin"] == "https://desk.example"
