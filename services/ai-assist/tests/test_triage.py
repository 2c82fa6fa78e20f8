"""Background triage over the real broker, and `POST /internal/triage`."""

from __future__ import annotations

import uuid
from typing import Any

import aio_pika
import orjson

from servicedesk_devtools.testing import eventually

from .conftest import API_KEY, publish_created, scalar, standin, ticket_id


def ticket(**fields: Any) -> dict[str, Any]:
    return {
        "id": ticket_id(),
        "title": "Wi-Fi keeps dropping",
        "status": "open",
        "description": f"Since Monday the wifi drops every hour (ref {uuid.uuid4().hex[:6]})",
        "priority": "medium",
        "category": None,
        "system": "TTS",
        "requester_id": "u1",
        "assignee_id": None,
        "created_at": "2026-11-23T10:00:00+00:00",
        "updated_at": "2026-11-23T10:00:00+00:00",
        **fields,
    }


def triage_for(received: list[dict[str, Any]], tid: int) -> list[dict[str, Any]]:
    return [e for e in received if e["data"]["ticket_id"] == tid]


async def test_a_new_ticket_is_triaged_and_published(app, events) -> None:
    exchange, received = events
    created = await publish_created(exchange, ticket(title="Outage: mail server is down"))
    tid = created["data"]["ticket"]["id"]
    [event] = await eventually(lambda: triage_for(received, tid))
    assert event["type"] == "ai.triage.suggested" and event["producer"] == "ai-assist"
    assert event["correlation_id"] == created["correlation_id"]
    data = event["data"]
    assert data["status"] == "suggested" and data["priority"] == "urgent"
    assert data["model"] == standin.DEFAULT_MODEL and 0 <= data["confidence"] <= 1


async def test_a_redelivered_event_is_triaged_once(app, events) -> None:
    exchange, received = events
    created = await publish_created(exchange, ticket())
    tid = created["data"]["ticket"]["id"]
    await exchange.publish(
        aio_pika.Message(orjson.dumps(created), delivery_mode=2), routing_key="ticket.created"
    )
    await eventually(lambda: triage_for(received, tid))
    seen = "SELECT count(*) = 1 FROM inbox WHERE event_id = :id"
    await eventually(lambda: scalar(app, seen, id=uuid.UUID(created["id"])))
    rows = await scalar(
        app, "SELECT count(*) FROM outbox WHERE (payload->'data'->>'ticket_id')::bigint = :t", t=tid
    )
    assert rows == 1


async def test_a_model_failure_is_published_as_failed_never_missing(app, events, ollama) -> None:
    exchange, received = events
    ollama.state.mode = standin.Mode(status=500, times=2)  # both attempts fail
    created = await publish_created(exchange, ticket())
    tid = created["data"]["ticket"]["id"]
    [event] = await eventually(lambda: triage_for(received, tid))
    assert event["data"]["status"] == "failed"
    assert event["data"]["error"] and event["data"]["priority"] is None


async def test_one_failure_is_retried_within_the_attempts(app, events, ollama) -> None:
    exchange, received = events
    ollama.state.mode = standin.Mode(reply="malformed", times=1)
    created = await publish_created(exchange, ticket())
    tid = created["data"]["ticket"]["id"]
    [event] = await eventually(lambda: triage_for(received, tid))
    assert event["data"]["status"] == "suggested"


async def test_internal_triage_needs_the_key_and_records_the_event(app, client, events) -> None:
    body = {"ticket_id": ticket_id(), "title": "Password reset", "description": "locked out"}
    assert (await client.post("/internal/triage", json=body)).status_code == 401
    bad = await client.post("/internal/triage", json=body, headers={"X-API-Key": "nope"})
    assert bad.status_code == 401
    resp = await client.post("/internal/triage", json=body, headers={"X-API-Key": API_KEY})
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "suggested" and resp.json()["category"] == "access"
    _, received = events
    await eventually(lambda: triage_for(received, body["ticket_id"]))


async def test_internal_triage_with_the_model_down_records_nothing(app, client, ollama) -> None:
    ollama.state.mode = standin.Mode(status=503)
    body = {"ticket_id": ticket_id(), "title": "Printer", "description": "paper jam"}
    resp = await client.post("/internal/triage", json=body, headers={"X-API-Key": API_KEY})
    assert resp.status_code == 503
    rows = await scalar(
        app,
        "SELECT count(*) FROM outbox WHERE (payload->'data'->>'ticket_id')::bigint = :t",
        t=body["ticket_id"],
    )
    assert rows == 0


async def test_readiness_does_not_depend_on_the_model(client, ollama) -> None:
    ollama.state.mode = standin.Mode(status=503)
    resp = await client.get("/readyz")
    assert resp.status_code == 200


async def test_no_transaction_waits_on_the_model(app, events, ollama) -> None:
    """The model is asked before the delivery's transaction (the consumer's `prepare`
    step): while it thinks, no connection of ours sits in a transaction holding the
    event's inbox claim (before, one did, for as long as the model took)."""
    exchange, received = events
    calls = ollama.state.calls
    ollama.state.mode = standin.Mode(delay=1.0, times=1)
    created = await publish_created(exchange, ticket())
    await eventually(lambda: ollama.state.calls > calls)  # the model is thinking now
    waiting = await scalar(
        app,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND state = 'idle in transaction' AND query LIKE 'INSERT INTO inbox%'",
    )
    assert waiting == 0
    tid = created["data"]["ticket"]["id"]
    [event] = await eventually(lambda: triage_for(received, tid))
    assert event["data"]["status"] == "suggested"
