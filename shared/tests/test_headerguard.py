"""One value per security-relevant header (contract §15): what is ambiguous, what is not."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI, Header

from servicedesk_shared.headerguard import SingleHeaders, ambiguity


def h(*pairs: tuple[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode(), v.encode()) for k, v in pairs]


@pytest.mark.parametrize(
    "headers",
    [
        h(("Authorization", "Bearer a"), ("Authorization", "x")),
        h(("Authorization", "Bearer a, Bearer b")),
        h(("Authorization", "Bearer a Basic Yjpj")),
        h(("Host", "a"), ("Host", "b")),
        h(("Content-Length", "1"), ("Content-Length", "1")),
        h(("Content-Length", "1"), ("Transfer-Encoding", "chunked")),
        h(("Content-Type", "application/json"), ("Content-Type", "text/plain")),
        h(("Idempotency-Key", "a"), ("Idempotency-Key", "a")),
        h(("X-API-Key", "a"), ("X-API-Key", "b")),
    ],
)
def test_ambiguous_requests_are_named(headers):
    assert ambiguity(headers) is not None


@pytest.mark.parametrize(
    "headers",
    [
        h(("Authorization", "Bearer a.b.c")),
        h(("Authorization", "Basic Yjpj")),
        h(("Authorization", "Bearer")),
        h(("Authorization", "nonsense")),
        h(("Accept", "a"), ("Accept", "b"), ("X-Forwarded-For", "1"), ("X-Forwarded-For", "2")),
        h(),
    ],
)
def test_single_or_harmless_headers_are_not_ambiguous(headers):
    assert ambiguity(headers) is None


async def test_a_service_answers_400_before_routing():
    app = FastAPI()
    reached = []

    @app.get("/who")
    async def who(authorization: str = Header()) -> dict:
        reached.append(authorization)
        return {"authorization": authorization}

    transport = httpx.ASGITransport(SingleHeaders(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        two = [("Authorization", "Bearer revoked"), ("Authorization", "x")]
        resp = await client.get("/who", headers=two)
        assert resp.status_code == 400
        assert resp.json() == {
            "detail": "More than one authorization header",
            "code": "ambiguous_request",
        }
        assert (await client.get("/who", headers={"Authorization": "x"})).status_code == 200
    assert reached == ["x"]
