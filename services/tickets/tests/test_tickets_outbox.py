"""Events go to the outbox table in the same transaction as the change (contract §6)."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import text

from servicedesk_shared.events import parse
from servicedesk_shared.messaging.envelope import Envelope


async def events_for(conn, ticket_id: int) -> list[dict]:
    rows = await conn.execute(
        text(
            "SELECT payload FROM outbox WHERE payload->'data'->'ticket'->>'id' = :id "
            "ORDER BY occurred_at"
        ),
        {"id": str(ticket_id)},
    )
    return [row.payload for row in rows]


async def test_each_change_writes_its_event_with_the_contract_envelope(api, conn, personas):
    ticket = await api.create("user_a")
    tid = ticket["id"]
    await api.call(
        "manager_tts",
        "PATCH",
        f"/api/tickets/{tid}",
        json={"assignee_id": personas.ids["agent_tts"], "priority": "high"},
    )
    await api.move("agent_tts", tid, "in_progress")
    await api.call("agent_tts", "POST", f"/api/tickets/{tid}/comments", json={"body": "hi"})
    await api.call("global_admin", "DELETE", f"/api/tickets/{tid}")
    events = await events_for(conn, tid)
    assert [e["type"] for e in events] == [
        "ticket.created",
        "ticket.updated",
        "ticket.assigned",
        "ticket.status_changed",
        "comment.added",
        "ticket.deleted",
    ]
    for event in events:
        assert set(event) == {
            "id",
            "type",
            "version",
            "occurred_at",
            "producer",
            "correlation_id",
            "data",
        }
        assert (event["version"], event["producer"]) == (1, "tickets")
        uuid.UUID(event["id"])
        # Every payload honours the one written contract (servicedesk_shared.events).
        payload = parse(Envelope.model_validate(event))
        assert payload.ticket.id == tid
    assert events[3]["data"]["from"] == "open" and events[3]["data"]["to"] == "in_progress"


async def test_the_correlation_id_is_the_request_id(api, conn):
    response = await api.call(
        "user_a",
        "POST",
        "/api/tickets",
        json={"title": "Correlated", "description": "x"},
        headers={"X-Request-ID": "req-correlate-0001"},
    )
    assert response.headers["x-request-id"] == "req-correlate-0001"
    (event,) = await events_for(conn, response.json()["id"])
    assert event["correlation_id"] == "req-correlate-0001"


async def test_a_failed_request_leaves_no_event_and_no_audit_entry(api, conn):
    ticket = await api.create("user_a")
    before = await conn.scalar(text("SELECT count(*) FROM outbox"))
    audit_before = await conn.scalar(text("SELECT count(*) FROM audit_log"))
    response = await api.move("user_a", ticket["id"], "in_progress")  # 403
    assert response.status_code == 403
    response = await api.call(
        "user_a",
        "PATCH",
        f"/api/tickets/{ticket['id']}",
        json={"title": "Allowed title", "assignee_id": "x"},
    )
    assert response.status_code == 403
    assert await conn.scalar(text("SELECT count(*) FROM outbox")) == before
    assert await conn.scalar(text("SELECT count(*) FROM audit_log")) == audit_before
    current = (await api.call("user_a", "GET", f"/api/tickets/{ticket['id']}")).json()
    assert current["title"] == ticket["title"]


async def test_a_change_that_changes_nothing_writes_nothing(api, conn):
    ticket = await api.create("user_a")
    before = await conn.scalar(text("SELECT count(*) FROM outbox"))
    url = f"/api/tickets/{ticket['id']}"
    response = await api.call("user_a", "PATCH", url, json={"title": ticket["title"]})
    assert response.status_code == 200
    assert await conn.scalar(text("SELECT count(*) FROM outbox")) == before


async def test_when_the_commit_fails_the_change_and_its_event_vanish_together(
    app, conn, personas, monkeypatch
):
    async def broken_flush(session):
        await session.flush()  # the ticket and its outbox row reach the database...
        raise RuntimeError("disk full")  # ...and then the transaction fails

    monkeypatch.setattr("servicedesk_tickets.transaction.flush_pending", broken_flush)
    transport = httpx.ASGITransport(app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post(
            "/api/tickets",
            json={"title": "Doomed ticket", "description": "x"},
            headers=personas.headers("user_a"),
        )
    assert response.status_code == 500
    assert (
        await conn.scalar(text("SELECT count(*) FROM tickets WHERE title = 'Doomed ticket'")) == 0
    )
    orphan = (
        "SELECT count(*) FROM outbox WHERE payload->'data'->'ticket'->>'title' = 'Doomed ticket'"
    )
    assert await conn.scalar(text(orphan)) == 0
