"""Notifications end to end through the real gateway: the inbox, the boundaries
(`/internal/*` unreachable, API keys required on the service's own port, webhooks for
admins only with SSRF refusals), and a burst of changes to a ticket reaching the
requester as one grouped inbox entry.

The life-cycle tests need the tickets service to publish its events (outbox relay); on a
stack where it does not yet, they skip with that reason instead of failing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import aio_pika
import httpx
import pytest

from servicedesk_devtools import testing
from servicedesk_shared.messaging.topology import declare_events_exchange

from .conftest import ADMIN, bearer, events_drained, free_port, login, next_ip, register_and_login

pytestmark = pytest.mark.e2e


@asynccontextmanager
async def signed_in_admin(stack) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"X-Forwarded-For": next_ip()}
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers=headers) as client:
        client.headers.update(bearer(await login(client, ADMIN["username"], ADMIN["password"])))
        yield client


# Awaits `check()` until truthy; fails (TimeoutError) after 30 s.
eventually = partial(testing.eventually, timeout=30, every=0.2)


async def test_a_new_user_has_an_empty_inbox_through_the_gateway(client):
    _, _, tokens = await register_and_login(client)
    resp = await client.get("/api/notifications/", headers=bearer(tokens))
    assert resp.status_code == 200
    assert resp.json() == {"items": [], "total": 0, "unread": 0}
    assert resp.headers["cache-control"] == "no-store"
    assert resp.headers["x-content-type-options"] == "nosniff"
    count = await client.get("/api/notifications/unread-count", headers=bearer(tokens))
    assert count.json() == {"unread": 0}
    assert (await client.get("/api/notifications")).status_code == 401


async def test_internal_routes_are_not_reachable_through_the_gateway(client):
    for path in ("/internal/notifications", "/api/notifications/../../internal/notifications"):
        resp = await client.post(path, json={"user_id": "x", "title": "t"})
        assert resp.status_code == 404, path


async def test_the_internal_api_on_its_own_port_refuses_without_configured_keys(stack):
    """The stack sets no NOTIFICATION_API_KEYS: every internal call is refused (§1)."""
    url = f"{stack.service('notifications')}/internal/notifications"
    async with httpx.AsyncClient(timeout=10) as direct:
        for headers in ({}, {"X-API-Key": "guess"}):
            resp = await direct.post(url, json={"user_id": "x", "title": "t"}, headers=headers)
            assert resp.status_code == 401 and resp.json()["code"] == "invalid_api_key"


async def test_webhooks_are_for_admins_and_refuse_internal_targets(client, stack):
    _, _, tokens = await register_and_login(client)
    body = {"url": "https://hooks.example.com/desk", "event_types": ["ticket.created"]}
    resp = await client.post("/api/notifications/webhooks", json=body, headers=bearer(tokens))
    assert resp.status_code == 403
    async with signed_in_admin(stack) as admin:
        for url in ("http://127.0.0.1:8000/", "http://169.254.169.254/", "http://localhost/"):
            resp = await admin.post("/api/notifications/webhooks", json={**body, "url": url})
            assert resp.status_code == 422 and resp.json()["code"] == "unsafe_url", url
        listed = await admin.get("/api/notifications/webhooks")
        assert listed.status_code == 200


async def test_the_gateway_openapi_documents_the_inbox(client):
    spec = (await client.get("/openapi.json")).json()
    assert "/api/notifications" in spec["paths"]
    assert "/api/notifications/{notification_id}/read" in spec["paths"]
    assert not [p for p in spec["paths"] if p.startswith("/internal")]


@pytest.fixture
async def ticket_events(stack):
    """Tickets' events reach the exchange on this stack (the outbox relay runs)."""
    connection = await aio_pika.connect_robust(stack.env["AMQP_URL"])
    channel = await connection.channel()
    queue = await channel.declare_queue(exclusive=True)
    await queue.bind(await declare_events_exchange(channel), routing_key="ticket.created")
    probe = httpx.AsyncClient(base_url=stack.gateway, headers={"X-Forwarded-For": next_ip()})
    async with probe:
        _, _, tokens = await register_and_login(probe)
        await file_ticket(probe, tokens, "Probe: do ticket events flow?")
    try:
        await eventually(lambda: queue.get(fail=False), timeout=15)
    except TimeoutError:
        pytest.fail("tickets' events do not reach servicedesk.events within 15 s")
    finally:
        await connection.close()


async def file_ticket(client, tokens, title: str) -> dict:
    resp = await client.post(
        "/api/tickets", headers=bearer(tokens), json={"title": title, "description": "e2e"}
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


async def inbox_for(client, tokens, ticket_id: int) -> list[dict]:
    resp = await client.get("/api/notifications", headers=bearer(tokens))
    return [n for n in resp.json()["items"] if n["ticket_id"] == ticket_id]


async def change(admin: httpx.AsyncClient, ticket: dict, *, to=None, comment=None, internal=False):
    """One change by the admin: a transition (`to`) or a comment."""
    if to is not None:
        resp = await admin.post(f"/api/tickets/{ticket['id']}/transitions", json={"to": to})
        assert resp.status_code == 200, resp.text
    else:
        body = {"body": comment, "internal": internal}
        resp = await admin.post(f"/api/tickets/{ticket['id']}/comments", json=body)
        assert resp.status_code == 201, resp.text


async def test_a_burst_of_changes_reaches_the_requester_as_one_grouped_entry(
    client, stack, ticket_events
):
    """Status changes and public comments, never internal notes, gathered into one entry
    that lists them with state labels; reading it ends the burst."""
    _, _, tokens = await register_and_login(client)
    ticket = await file_ticket(client, tokens, "Monitor flickers at 60 Hz")
    async with signed_in_admin(stack) as admin:
        await change(admin, ticket, to="in_progress")
        await change(admin, ticket, comment="internal=True", internal=True)
        await change(admin, ticket, comment="internal=False")
        await change(admin, ticket, to="waiting")
        await change(admin, ticket, comment="Try another cable")

    async def gathered() -> list[dict] | None:
        found = await inbox_for(client, tokens, ticket["id"])
        return found if found and found[0]["count"] >= 4 else None

    await eventually(gathered)
    await eventually(lambda: events_drained(stack))  # the internal note's event handled too
    [entry] = await inbox_for(client, tokens, ticket["id"])
    assert entry["count"] == 4 and entry["read_at"] is None
    assert entry["title"] == (
        f"Ticket #{ticket['id']} “Monitor flickers at 60 Hz”:"
        " status Open → In progress → Waiting; 2 comments"
    )
    lines = entry["body"].splitlines()
    assert len(lines) == 4 and lines[0].endswith(f"moved #{ticket['id']} to In progress")
    assert lines[1].endswith(": internal=False") and lines[3].endswith(": Try another cable")
    assert "internal=True" not in entry["body"] and "_" not in entry["title"]
    assert entry["updated_at"] >= entry["created_at"]

    read = await client.post(f"/api/notifications/{entry['id']}/read", headers=bearer(tokens))
    assert read.status_code == 200 and read.json()["read_at"] and read.json()["count"] == 4
    _, _, stranger = await register_and_login(client)
    other = await client.post(f"/api/notifications/{entry['id']}/read", headers=bearer(stranger))
    assert other.status_code == 404

    async with signed_in_admin(stack) as admin:
        await change(admin, ticket, to="in_progress")

    async def two() -> list[dict] | None:
        found = await inbox_for(client, tokens, ticket["id"])
        return found if len(found) == 2 else None

    newest, older = await eventually(two)
    assert (newest["count"], newest["read_at"], older["id"]) == (1, None, entry["id"])
    assert newest["title"].endswith(f"#{ticket['id']} to In progress")


def start_without(**env: str) -> subprocess.CompletedProcess:
    base = {**os.environ, "DESK_ENV": "test", "JWT_SECRET_KEYS": "t:" + "x" * 64}
    base.update(NOTIFICATIONS_PORT=str(free_port()), **env)
    return subprocess.run(
        [sys.executable, "-m", "servicedesk_notifications"],
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "words"),
    [
        (
            {"NOTIFICATIONS_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:1/x"},
            ("PostgreSQL", "NOTIFICATIONS_DATABASE_URL"),
        ),
        (
            {
                "NOTIFICATIONS_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
                "AMQP_URL": "amqp://guest:guest@127.0.0.1:1/",
            },
            ("RabbitMQ", "AMQP_URL"),
        ),
    ],
    ids=["no-postgres", "no-rabbitmq"],
)
def test_a_missing_dependency_at_start_is_one_line_naming_it(env, words):
    result = start_without(**env)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1 and len(lines) == 1, result.stderr
    assert all(word in lines[0] for word in words), lines[0]
