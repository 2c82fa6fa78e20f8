"""AI triage on tickets: pending at creation, stored from `ai.triage.suggested` by the real
consumer (inbox, retries), newest first, never touching the ticket itself."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import aio_pika
import orjson
from sqlalchemy import func, select, text

from servicedesk_devtools.testing import eventually
from servicedesk_shared import reads
from servicedesk_shared.messaging.topology import declare_events_exchange
from servicedesk_tickets.outbox.models import OutboxEvent
from servicedesk_tickets.triage_suggestions import service as triage_service

from .conftest import triage_event

EARLY = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
LATE = EARLY + timedelta(minutes=5)


async def shown(api, ticket_id: int, who: str = "user_a") -> dict:
    response = await api.call(who, "GET", f"/api/tickets/{ticket_id}")
    assert response.status_code == 200, response.text
    return response.json()


async def outbox_count(conn, ticket_id: int) -> int:
    query = select(func.count()).where(
        OutboxEvent.payload["data"]["ticket"]["id"].as_integer() == ticket_id
    )
    return await conn.scalar(query)


async def test_a_new_ticket_shows_a_pending_triage(api):
    ticket = await api.create("user_a", title="Zebrafax will not start")
    assert ticket["ai_triage"]["status"] == "pending"
    assert ticket["ai_triage"]["possible_duplicates"] == []
    assert ticket["ai_triage"]["applied"] == []
    assert (await shown(api, ticket["id"]))["ai_triage"]["status"] == "pending"


async def test_the_list_stays_lean_without_triage(api):
    await api.create("user_a")
    listed = (await api.call("user_a", "GET", "/api/tickets")).json()["items"]
    assert listed and all("ai_triage" not in item for item in listed)


async def test_a_suggestion_is_stored_and_shown_to_whoever_sees_the_ticket(api, deliver):
    ticket = await api.create("user_a")
    assert await deliver(triage_event(ticket["id"])) == "ack"
    for who in ("user_a", "agent_tts"):
        triage = (await shown(api, ticket["id"], who))["ai_triage"]
        assert triage["status"] == "suggested"
        assert (triage["category"], triage["priority"]) == ("network", "urgent")
        assert triage["title"] == "VPN outage on the third floor"
        assert triage["summary"] == "The VPN drops hourly."
        assert (triage["confidence"], triage["model"]) == (0.9, "llama3.2:1b")
        assert triage["error"] is None and triage["applied"] == []
    assert (await api.call("user_b", "GET", f"/api/tickets/{ticket['id']}")).status_code == 404


async def test_a_plain_suggestion_leaves_the_ticket_untouched(api, deliver, conn):
    ticket = await api.create("user_a", priority="low")
    before = await shown(api, ticket["id"])
    events_before = await outbox_count(conn, ticket["id"])
    await deliver(triage_event(ticket["id"]))
    after = await shown(api, ticket["id"])
    assert after["updated_at"] == before["updated_at"] == ticket["updated_at"]
    assert (after["priority"], after["category"]) == ("low", None)
    assert await outbox_count(conn, ticket["id"]) == events_before
    history = (await api.call("user_a", "GET", f"/api/tickets/{ticket['id']}/history")).json()
    assert [entry["action"] for entry in history] == ["ticket.created"]


async def test_a_failure_is_stored_with_its_error(api, deliver):
    ticket = await api.create("user_a")
    failed = triage_event(
        ticket["id"],
        status="failed",
        category=None,
        priority=None,
        title=None,
        summary=None,
        confidence=None,
        error="model unavailable: connection refused",
    )
    assert await deliver(failed) == "ack"
    triage = (await shown(api, ticket["id"]))["ai_triage"]
    assert triage["status"] == "failed"
    assert triage["error"] == "model unavailable: connection refused"
    assert triage["priority"] is None and triage["confidence"] is None


async def test_an_older_event_arriving_late_never_overwrites_a_newer_one(api, deliver):
    ticket = await api.create("user_a")
    await deliver(triage_event(ticket["id"], occurred_at=LATE, priority="high"))
    await deliver(triage_event(ticket["id"], occurred_at=EARLY, priority="low"))
    assert (await shown(api, ticket["id"]))["ai_triage"]["priority"] == "high"
    await deliver(triage_event(ticket["id"], occurred_at=LATE + timedelta(1), priority="medium"))
    assert (await shown(api, ticket["id"]))["ai_triage"]["priority"] == "medium"


async def test_a_failed_rerun_never_erases_a_suggestion(api, deliver):
    ticket = await api.create("user_a")
    await deliver(triage_event(ticket["id"], status="failed", error="timeout", occurred_at=EARLY))
    await deliver(triage_event(ticket["id"], occurred_at=LATE))
    await deliver(
        triage_event(
            ticket["id"], status="failed", error="timeout", occurred_at=LATE + timedelta(hours=1)
        )
    )
    triage = (await shown(api, ticket["id"]))["ai_triage"]
    assert (triage["status"], triage["error"]) == ("suggested", None)


async def test_a_redelivered_event_is_handled_once(api, deliver, conn):
    ticket = await api.create("user_a")
    event = triage_event(ticket["id"])
    assert await deliver(event) == "ack"
    assert await deliver(event) == "ack"
    query = text("SELECT count(*) FROM inbox WHERE consumer = 'tickets' AND event_id = :id")
    assert await conn.scalar(query, {"id": uuid.UUID(event["id"])}) == 1


async def test_an_event_for_an_unknown_ticket_is_acknowledged_and_dropped(deliver, conn):
    assert await deliver(triage_event(9_000_000_001)) == "ack"
    query = text("SELECT count(*) FROM ai_triage WHERE ticket_id = 9000000001")
    assert await conn.scalar(query) == 0


async def test_a_payload_breaking_the_contract_is_retried_not_acknowledged(api, deliver):
    ticket = await api.create("user_a")
    assert await deliver(triage_event(ticket["id"], status="maybe")) == "nack"
    assert await deliver(b"not json") == "reject"
    assert (await shown(api, ticket["id"]))["ai_triage"]["status"] == "pending"


async def test_sloppy_values_are_made_safe_not_refused(api, deliver):
    ticket = await api.create("user_a")
    sloppy = triage_event(
        ticket["id"], priority="critical", confidence=1.7, title="T" * 500, category="net\x00work"
    )
    assert await deliver(sloppy) == "ack"
    triage = (await shown(api, ticket["id"]))["ai_triage"]
    assert triage["priority"] is None and triage["confidence"] == 1.0
    assert len(triage["title"]) == 200 and triage["category"] == "network"


async def test_possible_duplicates_are_found_and_shown_only_where_visible(api, deliver):
    mine = await api.create(
        "user_a",
        title="Grommet scanner jams daily",
        description="The grommet scanner jams on every batch",
    )
    theirs = await api.create(
        "user_b", title="Grommet scanner jams", description="Our grommet scanner jams on each batch"
    )
    await api.create("user_a", title="Coffee machine leaks", description="Water everywhere")
    new = await api.create(
        "user_a",
        title="Grommet scanner jams again",
        description="The grommet scanner jams on every batch again",
    )
    await deliver(triage_event(new["id"]))
    own_view = (await shown(api, new["id"], "user_a"))["ai_triage"]["possible_duplicates"]
    staff_view = (await shown(api, new["id"], "agent_tts"))["ai_triage"]["possible_duplicates"]
    assert own_view == [mine["id"]]
    assert set(staff_view) == {mine["id"], theirs["id"]}


async def test_duplicates_named_by_the_producer_are_kept_when_they_exist(api, deliver):
    other = await api.create("user_a", title="Unrelated wording here", description="Nothing")
    ticket = await api.create("user_a", title="Different words entirely", description="Zilch")
    event = triage_event(ticket["id"], possible_duplicates=[other["id"], 9_000_000_002])
    await deliver(event)
    assert (await shown(api, ticket["id"]))["ai_triage"]["possible_duplicates"] == [other["id"]]


async def test_a_suggestion_published_on_the_broker_reaches_the_ticket(
    app, committing_api, amqp_url
):
    """The lifespan's consumer, its queue bound to `ai.triage.suggested`, end to end."""
    await asyncio.wait_for(app.state.runtime.consumer.ready.wait(), 15)
    ticket = await committing_api.create("user_a", title="Broker-borne triage please")
    connection = await aio_pika.connect_robust(amqp_url)
    try:
        exchange = await declare_events_exchange(await connection.channel())
        body = orjson.dumps(triage_event(ticket["id"]))
        await exchange.publish(aio_pika.Message(body, delivery_mode=2), "ai.triage.suggested")
    finally:
        await connection.close()

    async def triaged() -> str | None:
        status = (await shown(committing_api, ticket["id"]))["ai_triage"]["status"]
        return None if status == "pending" else status

    assert await eventually(triaged) == "suggested"


async def test_a_burst_on_the_broker_is_handled_in_groups_each_event_once(
    app, committing_api, amqp_url
):
    """The lifespan's consumer commits the deliveries waiting together in one transaction
    (TICKETS_CONSUMER_GROUP_SIZE): every triage of a burst is stored, an event delivered
    twice has one inbox row, an event for a missing ticket is dropped, and an event that
    breaks the contract rolls its group back without costing the others their effect."""
    runtime = app.state.runtime
    assert runtime.consumer.group_size == runtime.settings.consumer_group_size == 16
    await asyncio.wait_for(runtime.consumer.ready.wait(), 15)
    tickets = [await committing_api.create("user_a", title=f"Burst triage {n}") for n in range(6)]
    events = [triage_event(t["id"]) for t in tickets]
    bad = triage_event(tickets[0]["id"], status="bogus", occurred_at=LATE)
    burst = [*events[:3], bad, events[1], triage_event(9_000_000_004), *events[3:]]
    connection = await aio_pika.connect_robust(amqp_url)
    try:
        exchange = await declare_events_exchange(await connection.channel())
        for event in burst:
            message = aio_pika.Message(orjson.dumps(event), delivery_mode=2)
            await exchange.publish(message, "ai.triage.suggested")
    finally:
        await connection.close()

    async def all_suggested() -> bool:
        for ticket in tickets:
            if (await shown(committing_api, ticket["id"]))["ai_triage"]["status"] != "suggested":
                return False
        return True

    await eventually(all_suggested, timeout=15)
    query = text("SELECT count(*) FROM inbox WHERE consumer = 'tickets' AND event_id = :id")
    async with runtime.engine.connect() as conn:
        for event in events:
            assert await conn.scalar(query, {"id": uuid.UUID(event["id"])}) == 1
        assert await conn.scalar(query, {"id": uuid.UUID(bad["id"])}) == 0


async def test_storing_a_triage_locks_its_ticket_until_the_consumer_commits(app, committing_api):
    """The consumer's first statement locks the ticket (asyncpg, on the session's own
    transaction): a person's edit waits for the triage, so auto-apply's "untouched since
    filed" test and the edit never interleave."""
    ticket = await committing_api.create("user_a", priority="low")
    url = f"/api/tickets/{ticket['id']}"
    engine = app.state.runtime.engine
    async with app.state.runtime.sessions() as session:
        async with reads.transactional(session) as conn:
            row = await triage_service.locked(conn, ticket_id=ticket["id"])
            holder = await conn.fetchval("SELECT pg_backend_pid()")
        assert row["updated_at"] == row["created_at"] and row["words"]
        edit = asyncio.create_task(
            committing_api.call("user_a", "PATCH", url, json={"priority": "high"})
        )

        async def blocked() -> bool:
            query = text(
                "SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"
            )
            async with engine.connect() as other:
                return await other.scalar(query, {"pid": holder}) > 0

        await eventually(blocked, timeout=5, every=0.02)
        assert not edit.done()  # the edit waits on the ticket's row lock
        await session.commit()
    assert (await asyncio.wait_for(edit, 10)).status_code == 200
    async with app.state.runtime.sessions() as session, reads.transactional(session) as conn:
        assert await triage_service.locked(conn, ticket_id=0) is None
