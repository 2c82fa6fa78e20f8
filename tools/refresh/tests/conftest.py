"""Fakes for the refresh's two HTTP neighbours, served through `httpx.MockTransport`, and a
key prefix of the test's own in a real Redis."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis

from servicedesk_devtools.testing import REDIS_URL, delete_redis_prefix, unique

TICKETS_KEY = "tickets-test-key"
AI_KEY = "ai-test-key"
AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@dataclass
class FakeTickets:
    """tickets' `GET /internal/tickets`: open tickets by id, keyset pages, the filters."""

    tickets: list[dict[str, Any]] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)  # statuses answered first, in order

    def add(self, n: int, *, system: str = "TTS", at: datetime = AT) -> list[dict[str, Any]]:
        first = len(self.tickets) + 1
        new = [
            {
                "id": i,
                "title": f"Ticket number {i}",
                "description": "d",
                "system": system,
                "updated_at": at.isoformat().replace("+00:00", "Z"),
            }
            for i in range(first, first + n)
        ]
        self.tickets += new
        return new

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("X-API-Key") != TICKETS_KEY:
            return httpx.Response(
                401,
                json={"detail": "A valid X-API-Key header is required", "code": "invalid_api_key"},
            )
        if self.failures:
            return httpx.Response(self.failures.pop(0), json={"detail": "overloaded"})
        query = request.url.params
        limit, after = int(query.get("limit", 100)), int(query.get("after", 0))
        since = query.get("updated_since")
        scope = [
            t
            for t in self.tickets
            if t["id"] > after
            and query.get("system", t["system"]) == t["system"]
            and (since is None or parse(t["updated_at"]) >= parse(since))
        ]
        page = scope[: limit + 1]
        items = [
            {k: t[k] for k in ("id", "title", "description", "updated_at")} for t in page[:limit]
        ]
        return httpx.Response(
            200, json={"items": items, "next": items[-1]["id"] if len(page) > limit else None}
        )


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


@dataclass
class FakeAi:
    """ai-assist's `POST /internal/triage`: answers with `reply(request)` (200 by default)."""

    reply: Callable[[httpx.Request], httpx.Response] = lambda r: httpx.Response(200, json={})
    bodies: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("X-API-Key") != AI_KEY:
            return httpx.Response(401, json={"detail": "A valid X-API-Key header is required"})
        self.bodies.append(json.loads(request.content))
        return self.reply(request)


def routed(tickets: FakeTickets, ai: FakeAi) -> httpx.MockTransport:
    """One transport for both clients: http://tickets and http://ai."""

    def handle(request: httpx.Request) -> httpx.Response:
        return tickets(request) if request.url.host == "tickets" else ai(request)

    return httpx.MockTransport(handle)


@pytest.fixture
async def redis() -> AsyncIterator[tuple[aioredis.Redis, str]]:
    """A Redis client and a key prefix no other test uses (its keys deleted after)."""
    prefix = unique("refresh-test") + ":"
    client = aioredis.from_url(REDIS_URL)
    yield client, prefix
    await client.aclose()
    await delete_redis_prefix(prefix)
