"""Filing a ticket on the session's own asyncpg connection (`ticketing/filing.py`): the row,
its event, its pending triage, its stored clocks and deadlines and its audit entry commit
together, in the request's one transaction, or none of them does."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import text

from servicedesk_shared.events import TicketCreated, parse
from servicedesk_shared.messaging import relay
from servicedesk_shared.messaging.envelope import Envelope

_OF_TICKET = "SELECT count(*) FROM {} x JOIN tickets t ON t.id = x.ticket_id WHERE t.title = :title"
ROWS = {
    "tickets": "SELECT count(*) FROM tickets WHERE title = :title",
    "outbox": "SELECT count(*) FROM outbox WHERE payload->'data'->'ticket'->>'title' = :title",
    **{table: _OF_TICKET.format(table) for table in ("ai_triage", "ticket_sla", "sla_deadlines")},
    "audit_log": (
        "SELECT count(*) FROM audit_log WHERE action = 'ticket.created' AND object_id IN "
        "(SELECT id::text FROM tickets WHERE title = :title)"
    ),
}


class Relay:
    """Stands in for this process's relays: counts the wake-ups a commit gives them."""

    def __init__(self) -> None:
        self.pokes = 0

    def poke(self) -> None:
        self.pokes += 1


@pytest.fixture
def woken(monkeypatch) -> Relay:
    fake = Relay()
    monkeypatch.setattr(relay, "_running", {fake})
    return fake


async def rows_of(app, title: str) -> dict[str, int]:
    async with app.state.runtime.engine.connect() as conn:
        return {name: await conn.scalar(text(sql), {"title": title}) for name, sql in ROWS.items()}


async def test_a_filed_ticket_commits_with_its_event_triage_clocks_and_audit_entry(
    committing_api, app, woken
):
    title = f"Onestatement {uuid.uuid4()}"
    ticket = await committing_api.create("user_a", title=title, priority="high")
    assert woken.pokes >= 1  # its commit woke the relay (there is no NOTIFY trigger)
    assert await rows_of(app, title) == {
        "tickets": 1,
        "outbox": 1,
        "ai_triage": 1,
        "ticket_sla": 1,
        "sla_deadlines": 4,  # the default policy: warning and breach of both targets
        "audit_log": 1,
    }
    assert ticket["ai_triage"]["status"] == "pending"
    assert ticket["requester"]["id"] == committing_api.personas.ids["user_a"]
    async with app.state.runtime.engine.connect() as conn:
        payload = await conn.scalar(
            text("SELECT payload FROM outbox WHERE payload->'data'->'ticket'->>'title' = :t"),
            {"t": title},
        )
        stored = (
            await conn.execute(
                text(
                    "SELECT next_due_at, first_response_due_at FROM ticket_sla WHERE ticket_id = :i"
                ),
                {"i": ticket["id"]},
            )
        ).one()
    event = parse(Envelope.model_validate(payload))
    assert isinstance(event, TicketCreated)
    shown = {
        k: v for k, v in ticket.items() if k not in ("ai_triage", "sla", "requester", "assignee")
    }
    assert event.ticket.model_dump(mode="json") == shown
    due = ticket["sla"]["first_response"]["due_at"]
    assert stored.first_response_due_at.isoformat().replace("+00:00", "Z") == due
    assert stored.next_due_at == stored.first_response_due_at


async def test_when_the_commit_fails_nothing_of_the_filing_stays(app, personas, monkeypatch):
    """Outside any test transaction: the statements on the session's asyncpg connection are
    inside the request's BEGIN (were they sent on their own, each would have committed)."""

    async def broken_flush(session):
        raise RuntimeError("disk full")

    monkeypatch.setattr("servicedesk_tickets.transaction.flush_pending", broken_flush)
    title = f"Doomed {uuid.uuid4()}"
    transport = httpx.ASGITransport(app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post(
            "/api/tickets",
            json={"title": title, "description": "x"},
            headers=personas.headers("user_a"),
        )
    assert response.status_code == 500
    assert set((await rows_of(app, title)).values()) == {0}


async def test_the_outbox_has_no_notify_trigger(app):
    """A NOTIFY in a transaction takes a cluster-wide lock through its commit's WAL flush
    (every write with an event would commit one at a time): migration 0010 dropped it."""
    async with app.state.runtime.engine.connect() as conn:
        triggers = await conn.scalar(
            text("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'outbox'::regclass")
        )
    assert triggers == 0


async def test_an_unknown_system_files_nothing(committing_api, app):
    title = f"Nowhere {uuid.uuid4()}"
    response = await committing_api.call(
        "user_a",
        "POST",
        "/api/tickets",
        json={"title": title, "description": "x", "system": "NOPE"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_system"
    assert set((await rows_of(app, title)).values()) == {0}
