"""Security headers on every response, request ids, and what never crosses the gateway."""

from __future__ import annotations

import pytest

from .conftest import bearer, running, settings_for

SECURITY = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
    "x-xss-protection": "0",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "cache-control": "no-store",
}


async def _413(client):
    return await client.post("/api/tickets", content=b"x" * (1024 * 1024 + 1))


async def _429(client):
    for _ in range(3):
        await client.post("/api/auth/register")
    return await client.post("/api/auth/register")


CASES = {
    200: lambda c: c.get("/api/tickets", headers=bearer()),
    400: lambda c: c.get("/api/tickets/%2e%2e/internal"),
    401: lambda c: c.get("/api/users/me?status=401"),
    404: lambda c: c.get("/api/nothing-here"),
    413: _413,
    429: _429,
    500: lambda c: c.get("/api/tickets/boom"),
    503: lambda c: c.get("/api/tickets", headers=bearer()),
    504: lambda c: c.get("/api/tickets/sleep"),
}


@pytest.fixture(scope="module")
async def no_sentinel(upstream):
    async with running(settings_for(upstream.url), denylist_ready=False) as gw:
        yield gw


@pytest.mark.parametrize("status", list(CASES))
async def test_every_response_carries_the_security_headers(gateway, no_sentinel, status):
    harness = no_sentinel if status == 503 else gateway
    async with harness.client() as client:
        response = await CASES[status](client)
    assert response.status_code == status
    for name, value in SECURITY.items():
        assert response.headers.get_list(name) == [value], name
    assert "camera=()" in response.headers["permissions-policy"]
    assert "server" not in response.headers
    assert "strict-transport-security" not in response.headers
    assert len(response.headers["x-request-id"]) >= 8


async def test_errors_are_json_detail_and_code(gw):
    response = await gw.get("/api/nothing-here")
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "Not found", "code": "not_found"}


async def test_hsts_when_behind_tls(upstream):
    async with running(settings_for(upstream.url, behind_tls=True)) as gw, gw.client() as client:
        response = await client.get("/healthz")
        forwarded = await client.get("/api/tickets")
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert ["x-forwarded-proto", "https"] in forwarded.json()["headers"]


async def test_hsts_when_the_request_came_over_https(gw):
    response = await gw.get("https://gateway.test/healthz")
    assert "strict-transport-security" in response.headers


async def test_a_sane_request_id_is_kept_and_forwarded(gw):
    response = await gw.get("/api/tickets", headers={"X-Request-ID": "abc-123.def:456"})
    assert response.headers["x-request-id"] == "abc-123.def:456"
    assert ["x-request-id", "abc-123.def:456"] in response.json()["headers"]


@pytest.mark.parametrize("bad", ["short", "x" * 129, "has space in it", "<script>alert</script>"])
async def test_an_insane_request_id_is_replaced_everywhere(gw, bad):
    response = await gw.get("/api/tickets", headers={"X-Request-ID": bad})
    new = response.headers["x-request-id"]
    assert new != bad
    assert ["x-request-id", new] in response.json()["headers"]


async def test_hop_by_hop_headers_are_stripped_towards_the_upstream(gw):
    response = await gw.get(
        "/api/tickets",
        headers={
            "Connection": "keep-alive, X-Secret-Hop",
            "X-Secret-Hop": "1",
            "Keep-Alive": "timeout=5",
            "TE": "trailers",
            "Proxy-Authorization": "Basic eA==",
            "Upgrade": "websocket",
            "X-Kept": "yes",
        },
    )
    sent = {name for name, _ in response.json()["headers"]}
    assert sent.isdisjoint({"connection", "x-secret-hop", "keep-alive", "te", "upgrade"})
    assert "proxy-authorization" not in sent
    assert "x-kept" in sent


async def test_hop_by_hop_and_upstream_owned_headers_are_stripped_towards_the_client(gw):
    response = await gw.get("/api/tickets")
    assert response.headers["x-upstream"] == "echo"
    for name in ("keep-alive", "proxy-agent", "x-hop", "server", "access-control-allow-origin"):
        assert name not in response.headers, name
    assert response.headers.get_list("x-frame-options") == ["DENY"]


async def test_x_forwarded_for_is_replaced_by_the_peer(gateway):
    async with gateway.client("192.0.2.7") as client:
        response = await client.get(
            "/api/tickets", headers={"X-Forwarded-For": "1.2.3.4", "X-Real-IP": "1.2.3.4"}
        )
    sent = response.json()["headers"]
    assert [v for k, v in sent if k == "x-forwarded-for"] == ["192.0.2.7"]
    assert not [v for k, v in sent if k == "x-real-ip"]
