"""Forwarding: paths, bodies, limits, streaming, and upstream failures."""

from __future__ import annotations

import pytest

from .conftest import running, settings_for
from .upstream import free_port

MiB = 1024 * 1024


async def test_the_trailing_slash_is_the_same_resource_without_a_redirect(gw):
    response = await gw.get("/api/tickets/")
    assert response.status_code == 200
    assert response.json()["path"] == "/api/tickets"


async def test_the_prefix_is_forwarded_in_its_canonical_case_and_the_rest_as_written(gw):
    response = await gw.put("http://gateway.test//API/Workflows//TTS/?x=%20y")
    assert response.json()["path"] == "/api/workflows/TTS"
    assert response.json()["query"] == "x=%20y"


async def test_encoded_characters_survive_the_trip(gw):
    response = await gw.get("/api/tickets/caf%C3%A9%20x")
    assert response.json()["raw_path"] == "/api/tickets/caf%C3%A9%20x"


@pytest.mark.parametrize(
    "path",
    [
        "/internal/x",
        "/internal/notifications",
        "/api/auth/metrics",
        "/api/tickets/metrics/",
        "/metrics",
        "/api/tickets/internal/x",
        "/api/tickets/readyz",
        "/api",
        "/api/unknown",
        "/apitoken",
    ],
)
async def test_private_and_unknown_paths_are_404(gw, path):
    response = await gw.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "path", ["/api/tickets/%2e%2e/%2e%2e/internal/x", "/api/tickets%2F..%2Finternal", "/api/a%5cb"]
)
async def test_encoded_traversal_is_refused(gw, path):
    response = await gw.get(path)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_path"


async def test_a_body_is_forwarded_whole(gw):
    response = await gw.post("/api/tickets", content=b"x" * (3 * 64 * 1024))
    assert response.json()["body_length"] == 3 * 64 * 1024


async def test_a_json_body_over_1_mib_is_413_by_content_length(gw):
    response = await gw.post("/api/tickets", content=b"x" * (MiB + 1))
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


async def test_a_chunked_body_over_1_mib_is_413_while_streaming(gw):
    async def chunks():
        for _ in range(20):
            yield b"x" * 100_000

    response = await gw.post("/api/tickets", content=chunks())
    assert response.status_code == 413


async def test_a_chunked_body_under_the_limit_is_streamed_through(gw):
    async def chunks():
        for _ in range(5):
            yield b"x" * 100_000

    response = await gw.post("/api/tickets", content=chunks())
    assert response.json()["body_length"] == 500_000


async def test_attachments_get_the_attachment_limit(gw):
    body = b"x" * (2 * MiB)
    response = await gw.post("/api/tickets/7/attachments", content=body)
    assert response.json()["body_length"] == 2 * MiB
    too_big = await gw.post("/api/tickets/7/attachments", content=b"x" * (11 * MiB))
    assert too_big.status_code == 413


async def test_a_large_response_is_streamed_back(gw):
    response = await gw.get("/api/tickets/stream")
    assert response.status_code == 200
    assert len(response.content) == 300_000


async def test_upstream_errors_pass_through(gw):
    response = await gw.get("/api/tickets/boom")
    assert response.status_code == 500
    assert response.json()["detail"] == "boom"


async def test_a_slow_upstream_is_504(gw):
    response = await gw.get("/api/tickets/sleep")
    assert response.status_code == 504
    assert response.json()["code"] == "upstream_timeout"
    assert response.headers["retry-after"] == "5"


async def test_an_upstream_that_is_down_is_503(upstream):
    dead = f"http://127.0.0.1:{free_port()}"
    async with running(settings_for(upstream.url, tickets_url=dead)) as gw, gw.client() as c:
        response = await c.get("/api/tickets")
        ready = await c.get("/readyz")
        auth = await c.get("/api/users/me")
    assert response.status_code == 503
    assert response.json() == {
        "detail": "The upstream service is unavailable",
        "code": "upstream_unavailable",
    }
    assert response.headers["retry-after"] == "5"
    assert ready.status_code == 503
    assert ready.json()["dependencies"]["tickets"].startswith("down")
    assert auth.status_code == 200


async def test_readyz_lists_every_dependency(gw):
    response = await gw.get("/readyz/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "dependencies": {
            "auth": "ok",
            "tickets": "ok",
            "notifications": "ok",
            "ai-assist": "ok",
            "redis": "ok",
        },
    }


async def test_healthz(gw):
    response = await gw.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_the_upstream_never_sees_compression_it_was_not_asked_for(gateway):
    async with gateway.client() as client:
        client.headers.pop("accept-encoding")
        client.headers.pop("user-agent")
        response = await client.get("/api/tickets")
    sent = {name for name, _ in response.json()["headers"]}
    assert "accept-encoding" not in sent
    assert "user-agent" not in sent
