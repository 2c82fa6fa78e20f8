"""The refresher against a real Redis, ai-assist replaced by an httpx mock transport."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from servicedesk_refresh.refresher import Options, Refresher, Summary, version_key
from servicedesk_refresh.tickets import Ticket


def tickets(n: int) -> list[Ticket]:
    at = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    return [Ticket(i, f"T{i}", "d", at) for i in range(1, n + 1)]


async def run(redis, handler, items, **options: Any) -> tuple[Summary, list[str]]:
    client, prefix = redis
    seen: list[str] = []
    opts = Options(
        **({"max_concurrency": 2, "max_retries": 2, "ttl": 60, "backoff": 0.01} | options)
    )
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(handler), base_url="http://ai"
    ) as http:
        refresher = Refresher(opts, client, http, prefix=prefix, report=lambda o, t: seen.append(o))
        return await refresher.run(items), seen


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"status": "suggested"})


async def test_concurrency_is_bounded_and_a_second_run_skips(redis) -> None:
    in_flight = peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        return ok(request)

    items = tickets(6)
    first, _ = await run(redis, handler, items)
    assert (first.total, first.processed, first.skipped, first.errors) == (6, 6, 0, 0)
    assert peak == 2
    second, _ = await run(redis, handler, items)
    assert (second.processed, second.skipped) == (0, 6)


async def test_the_triage_request_is_the_tickets_as_read(redis) -> None:
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return ok(request)

    await run(redis, handler, tickets(1))
    assert bodies == [{"ticket_id": 1, "title": "T1", "description": "d"}]


async def test_an_edited_ticket_is_a_new_version_and_processed_again(redis) -> None:
    items = tickets(3)
    await run(redis, ok, items)
    items[0] = replace(items[0], updated_at=items[0].updated_at + timedelta(seconds=1))
    summary, _ = await run(redis, ok, items)
    assert (summary.processed, summary.skipped) == (1, 2)
    client, prefix = redis
    assert await client.ttl(version_key(prefix, items[0])) > 0  # keys expire (--ttl)


async def test_retries_then_gives_the_key_back(redis) -> None:
    calls = 0

    def flaky(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(503, json={"detail": "model down", "code": "model_unavailable"})

    items = tickets(1)
    summary, seen = await run(redis, flaky, items, max_retries=2)
    assert (summary.errors, calls, seen) == (1, 3, ["error"])
    assert items[0].error == "gave up after 3 attempts: HTTP 503: model down"
    healed, _ = await run(redis, ok, items)
    assert healed.processed == 1  # the key was released


async def test_a_transport_error_is_retried_like_a_503(redis) -> None:
    calls = 0

    def refused_once(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return ok(request)

    summary, _ = await run(redis, refused_once, tickets(1))
    assert (summary.processed, calls) == (1, 2)


async def test_client_errors_are_not_retried(redis) -> None:
    calls = 0

    def refused(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(401, json={"detail": "A valid X-API-Key header is required"})

    items = tickets(1)
    summary, _ = await run(redis, refused, items)
    assert (summary.errors, calls) == (1, 1)
    assert items[0].error == "HTTP 401: A valid X-API-Key header is required"


async def test_a_dry_run_takes_no_key_and_calls_nothing(redis) -> None:
    def never(request: httpx.Request) -> httpx.Response:
        raise AssertionError("a dry run called ai-assist")

    items = tickets(2)
    await run(redis, ok, items[:1])
    summary, _ = await run(redis, never, items, dry_run=True)
    assert (summary.processed, summary.skipped) == (1, 1)
    client, prefix = redis
    assert await client.keys(f"{prefix}*") == [version_key(prefix, items[0]).encode()]
