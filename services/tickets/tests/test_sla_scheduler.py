"""The SLA scheduler on the committing database: a 1-minute target on a 24x7 policy emits
its warning, then its breach, each exactly once, with two schedulers polling at once.
The poll is driven with an injected `now` (no sleeping)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from servicedesk_tickets.sla.scheduler import due_query, poll

ONE_MINUTE = {
    p: {"first_response_minutes": 1, "resolution_minutes": 600}
    for p in ("low", "medium", "high", "urgent")
}
ALWAYS = {
    "timezone": "UTC",
    "working_days": [1, 2, 3, 4, 5, 6, 7],
    "start": "00:00",
    "end": "24:00",
    "holidays": [],
}
EVENTS = text(
    "SELECT type, payload->'data' AS data FROM outbox WHERE type LIKE 'ticket.sla.%' "
    "AND payload->'data'->'ticket'->>'id' = :id ORDER BY occurred_at"
)


async def a_system(app) -> str:
    """A committed system of its own with TTS's workflow (the tests share the database)."""
    code = "SLA_" + uuid.uuid4().hex[:8].upper()
    async with app.state.runtime.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO systems (code, name, initial_state, updated_at) "
                "VALUES (:c, 'SLA test', 'open', now())"
            ),
            {"c": code},
        )
        await conn.execute(
            text(
                "INSERT INTO workflow_states (system, name, terminal, pauses_sla, position) "
                "SELECT :c, name, terminal, pauses_sla, position FROM workflow_states "
                "WHERE system = 'TTS'"
            ),
            {"c": code},
        )
        await conn.execute(
            text(
                "INSERT INTO workflow_transitions (system, from_state, to_state, roles) "
                "SELECT :c, from_state, to_state, roles FROM workflow_transitions "
                "WHERE system = 'TTS'"
            ),
            {"c": code},
        )
    return code


async def a_ticket_on_a_one_minute_system(api, app) -> dict:
    code = await a_system(app)
    policy = await api.call(
        "superuser", "PUT", f"/api/sla/{code}", json={"calendar": ALWAYS, "targets": ONE_MINUTE}
    )
    assert policy.status_code == 200, policy.text
    return await api.create("user_a", system=code)


async def events(app, ticket_id: int) -> list:
    async with app.state.runtime.engine.connect() as conn:
        return list(await conn.execute(EVENTS, {"id": str(ticket_id)}))


async def two_polls(app, now: datetime) -> list:
    sessions = app.state.runtime.sessions
    first, second = await asyncio.gather(poll(sessions, now=now), poll(sessions, now=now))
    return first + second


async def test_warning_then_breach_exactly_once_with_two_schedulers(committing_api, app):
    ticket = await a_ticket_on_a_one_minute_system(committing_api, app)
    created = datetime.fromisoformat(ticket["created_at"])
    mine = lambda emitted: [(e.target, e.kind) for e in emitted if e.ticket_id == ticket["id"]]  # noqa: E731

    assert mine(await two_polls(app, created + timedelta(seconds=30))) == []
    assert mine(await two_polls(app, created + timedelta(seconds=50))) == [
        ("first_response", "warning")
    ]
    assert mine(await two_polls(app, created + timedelta(seconds=55))) == []
    assert mine(await two_polls(app, created + timedelta(seconds=61))) == [
        ("first_response", "breach")
    ]
    assert mine(await two_polls(app, created + timedelta(minutes=5))) == []

    rows = await events(app, ticket["id"])
    assert [r.type for r in rows] == ["ticket.sla.warning", "ticket.sla.breached"]
    warning, breach = rows[0].data, rows[1].data
    assert warning["target"] == "first_response" and warning["ticket"]["id"] == ticket["id"]
    assert datetime.fromisoformat(warning["due_at"]) == created + timedelta(minutes=1)
    assert 0.8 <= warning["elapsed_ratio"] < 1 and breach["elapsed_ratio"] >= 1


async def test_a_reply_before_the_moment_cancels_the_events(committing_api, app):
    ticket = await a_ticket_on_a_one_minute_system(committing_api, app)
    created = datetime.fromisoformat(ticket["created_at"])
    reply = await committing_api.call(
        "superuser", "POST", f"/api/tickets/{ticket['id']}/comments", json={"body": "On it"}
    )
    assert reply.status_code == 201, reply.text
    await two_polls(app, created + timedelta(minutes=5))
    assert await events(app, ticket["id"]) == []


async def test_a_row_due_too_early_moves_to_the_clocks_moment(committing_api, app):
    ticket = await a_ticket_on_a_one_minute_system(committing_api, app)
    created = datetime.fromisoformat(ticket["created_at"])
    async with app.state.runtime.engine.begin() as conn:  # a row that says "due" too early
        await conn.execute(
            text(
                "UPDATE sla_deadlines SET due_at = due_at - interval '1 hour' WHERE ticket_id = :id"
            ),
            {"id": ticket["id"]},
        )
    polled = await poll(app.state.runtime.sessions, now=created + timedelta(seconds=10))
    assert [e for e in polled if e.ticket_id == ticket["id"]] == []
    async with app.state.runtime.engine.connect() as conn:
        due = await conn.scalar(
            text(
                "SELECT due_at FROM sla_deadlines WHERE ticket_id = :id "
                "AND kind = 'breach' AND target = 'first_response'"
            ),
            {"id": ticket["id"]},
        )
    assert due == created + timedelta(minutes=1)


def test_the_due_query_takes_rows_with_skip_locked():
    sql = str(due_query(datetime(2026, 1, 1)).compile(dialect=postgresql.dialect()))
    assert "FOR UPDATE SKIP LOCKED" in sql and "emitted_at IS NULL" in sql


async def test_a_policy_change_moves_the_pending_moments_at_the_next_poll(committing_api, app):
    ticket = await a_ticket_on_a_one_minute_system(committing_api, app)
    created = datetime.fromisoformat(ticket["created_at"])
    hour = {p: {"first_response_minutes": 60, "resolution_minutes": 600} for p in ONE_MINUTE}
    changed = await committing_api.call(
        "superuser",
        "PUT",
        f"/api/sla/{ticket['system']}",
        json={"calendar": ALWAYS, "targets": hour},
    )
    assert changed.status_code == 200, changed.text
    polled = await poll(app.state.runtime.sessions, now=created + timedelta(seconds=61))
    assert [e for e in polled if e.ticket_id == ticket["id"]] == []
    async with app.state.runtime.engine.connect() as conn:
        due = await conn.scalar(
            text(
                "SELECT due_at FROM sla_deadlines WHERE ticket_id = :id "
                "AND kind = 'breach' AND target = 'first_response'"
            ),
            {"id": ticket["id"]},
        )
        stored = await conn.scalar(
            text("SELECT first_response_due_at FROM ticket_sla WHERE ticket_id = :id"),
            {"id": ticket["id"]},
        )
    assert due == stored == created + timedelta(minutes=60)
