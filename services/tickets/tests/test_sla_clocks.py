"""SLA clocks on ticket payloads: derived from the history, stored in the change's
transaction, paused in `waiting`, recomputed on a priority change; filters and sorting."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicedesk_tickets.database import utcnow
from servicedesk_tickets.sla import page, service
from servicedesk_tickets.sla.backfill import backfill
from servicedesk_tickets.ticketing.models import Ticket

TARGETS = {
    p: {"first_response_minutes": 60, "resolution_minutes": 600} for p in ("low", "medium", "high")
} | {"urgent": {"first_response_minutes": 10, "resolution_minutes": 120}}
SKEW = timedelta(seconds=2)
ALWAYS = {
    "timezone": "UTC",
    "working_days": [1, 2, 3, 4, 5, 6, 7],
    "start": "00:00",
    "end": "24:00",
    "holidays": [],
}


@pytest.fixture
async def always(api):
    """TTS on a 24x7 calendar: due times are creation + minutes of wall-clock time."""
    response = await api.call(
        "admin_tts", "PUT", "/api/sla/TTS", json={"calendar": ALWAYS, "targets": TARGETS}
    )
    assert response.status_code == 200, response.text


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def get(api, ticket_id: int, who: str = "agent_tts") -> dict:
    response = await api.call(who, "GET", f"/api/tickets/{ticket_id}")
    assert response.status_code == 200, response.text
    return response.json()


async def comment(api, who: str, ticket_id: int, internal: bool = False) -> None:
    response = await api.call(
        who,
        "POST",
        f"/api/tickets/{ticket_id}/comments",
        json={"body": "Looking", "internal": internal},
    )
    assert response.status_code == 201, response.text


async def stored(conn, ticket_id: int):
    return (
        await conn.execute(
            text("SELECT * FROM ticket_sla WHERE ticket_id = :id"), {"id": ticket_id}
        )
    ).one()


async def test_a_new_ticket_carries_both_clocks_from_its_creation(api, always):
    ticket = await api.create("user_a")
    created = ts(ticket["created_at"])
    first, resolution = ticket["sla"]["first_response"], ticket["sla"]["resolution"]
    assert ts(first["due_at"]) - created == timedelta(minutes=60)
    assert ts(resolution["due_at"]) - created == timedelta(minutes=600)
    assert first["met_at"] is None and not first["breached"] and not first["paused"]
    assert 3590 <= first["remaining_seconds"] <= 3600
    assert (await get(api, ticket["id"]))["sla"]["first_response"]["due_at"] == first["due_at"]


async def test_the_default_policy_counts_business_hours(api):
    ticket = await api.create("user_a", priority="urgent")
    due = ts(ticket["sla"]["first_response"]["due_at"])
    assert due.weekday() < 5 and 9 * 60 < due.hour * 60 + due.minute <= 17 * 60


async def test_a_public_reply_by_staff_meets_the_first_response(api, always):
    ticket = await api.create("user_a")
    await comment(api, "user_a", ticket["id"])
    await comment(api, "agent_tts", ticket["id"], internal=True)
    assert (await get(api, ticket["id"]))["sla"]["first_response"]["met_at"] is None
    await comment(api, "agent_tts", ticket["id"])
    first = (await get(api, ticket["id"]))["sla"]["first_response"]
    assert first["met_at"] is not None and not first["breached"] and not first["paused"]


async def test_a_transition_by_staff_meets_the_first_response(api, always):
    ticket = await api.create("user_a")
    response = await api.move("agent_tts", ticket["id"], "in_progress")
    assert response.json()["sla"]["first_response"]["met_at"] is not None


async def test_waiting_pauses_the_clocks_and_moving_on_resumes_them(api, always, conn):
    ticket = await api.create("user_a")
    before = ts(ticket["sla"]["resolution"]["due_at"])
    await api.move("agent_tts", ticket["id"], "in_progress")
    waiting = (await api.move("agent_tts", ticket["id"], "waiting")).json()["sla"]["resolution"]
    assert waiting["paused"] is True and waiting["due_at"] is None
    assert (await stored(conn, ticket["id"])).paused is True
    deadlines = await conn.scalar(
        text("SELECT count(*) FROM sla_deadlines WHERE ticket_id = :id AND target = 'resolution'"),
        {"id": ticket["id"]},
    )
    assert deadlines == 0  # nothing can come due while paused
    resumed = (await api.move("agent_tts", ticket["id"], "in_progress")).json()["sla"]
    assert resumed["resolution"]["paused"] is False
    assert ts(resumed["resolution"]["due_at"]) >= before  # a pause never shortens a clock


async def test_resolving_meets_the_resolution_clock(api, always):
    ticket = await api.create("user_a")
    await api.move("agent_tts", ticket["id"], "in_progress")
    resolved = (await api.move("agent_tts", ticket["id"], "resolved")).json()["sla"]
    assert resolved["resolution"]["met_at"] is not None
    assert resolved["resolution"]["breached"] is False


async def test_a_priority_change_recomputes_the_due_times_from_creation(api, always, conn):
    ticket = await api.create("user_a")
    response = await api.call(
        "agent_tts", "PATCH", f"/api/tickets/{ticket['id']}", json={"priority": "urgent"}
    )
    assert response.status_code == 200, response.text
    first = response.json()["sla"]["first_response"]
    assert ts(first["due_at"]) - ts(ticket["created_at"]) == timedelta(minutes=10)
    due = await conn.scalar(
        text(
            "SELECT due_at FROM sla_deadlines WHERE ticket_id = :id AND "
            "target = 'first_response' AND kind = 'breach'"
        ),
        {"id": ticket["id"]},
    )
    assert due == ts(first["due_at"])


async def test_the_list_shows_the_stored_clocks_and_they_agree_with_the_history(
    api, always, conn, app
):
    ticket = await api.create("user_a")
    await api.move("agent_tts", ticket["id"], "in_progress")
    listed = await api.call("agent_tts", "GET", "/api/tickets", params={"limit": 200})
    item = next(i for i in listed.json()["items"] if i["id"] == ticket["id"])
    detail = await get(api, ticket["id"])
    for target in ("first_response", "resolution"):
        a, b = item["sla"][target], detail["sla"][target]
        assert close(a, b)
    async with AsyncSession(bind=conn) as session:
        row = await session.get(Ticket, ticket["id"])
        shown = (await page.for_page(session, tickets=[row]))[ticket["id"]]
        derived = service.as_payload(await service.derive(session, ticket=row, now=utcnow()))
    assert all(close(shown[t], derived[t]) for t in ("first_response", "resolution"))


async def test_a_new_tickets_stored_clocks_and_deadlines_equal_those_of_its_history(
    api, always, conn
):
    """A create derives the clocks without reading history (nothing of the ticket can be
    committed yet) and writes its deadlines without deleting first: the same as deriving
    from the committed history afterwards, and the same deadline rows."""
    ticket = await api.create("user_a")
    async with AsyncSession(bind=conn) as session:
        row = await session.get(Ticket, ticket["id"])
        derived = await service.derive(session, ticket=row, now=utcnow())
    created = service.as_payload(derived)
    assert all(close(ticket["sla"][t], created[t]) for t in ("first_response", "resolution"))
    due = ts(ticket["sla"]["first_response"]["due_at"])
    stored_row = await stored(conn, ticket["id"])
    assert stored_row.first_response_due_at == due and stored_row.next_due_at == due
    kinds = (
        await conn.execute(
            text("SELECT target, kind FROM sla_deadlines WHERE ticket_id = :id ORDER BY 1, 2"),
            {"id": ticket["id"]},
        )
    ).all()
    expected = [(t, k) for t in ("first_response", "resolution") for k in ("breach", "warning")]
    assert [tuple(k) for k in kinds] == expected


def close(a: dict, b: dict) -> bool:
    """The same clock, up to the milliseconds between a change and its audit entry's commit
    (the stored row is written at the change, the history's time stamped at commit)."""

    def near(x, y):
        return (x is None) == (y is None) and (x is None or abs(ts(x) - ts(y)) < SKEW)

    return (
        (a["breached"], a["paused"]) == (b["breached"], b["paused"])
        and near(a["met_at"], b["met_at"])
        and near(a["due_at"], b["due_at"])
        and abs(a["remaining_seconds"] - b["remaining_seconds"]) <= SKEW.total_seconds()
    )


async def age(conn, ticket_id: int, **columns: timedelta) -> None:
    """Move stored clock moments into the past (the filters read the stored columns)."""
    sets = ", ".join(f"{name} = now() - CAST(:{name} AS interval)" for name in columns)
    await conn.execute(
        text(f"UPDATE ticket_sla SET {sets} WHERE ticket_id = :id"),  # noqa: S608 (names from the test)
        {"id": ticket_id, **columns},
    )


async def listed(api, **params) -> list[int]:
    response = await api.call("agent_tts", "GET", "/api/tickets", params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    return [i["id"] for i in response.json()["items"]]


async def test_the_breached_and_at_risk_filters(api, always, conn):
    calm, risky, late = [(await api.create("user_a"))["id"] for _ in range(3)]
    await age(conn, risky, first_response_warn_at=timedelta(minutes=1))
    await age(
        conn,
        late,
        first_response_warn_at=timedelta(minutes=20),
        first_response_due_at=timedelta(minutes=5),
    )
    breached, at_risk = await listed(api, sla="breached"), await listed(api, sla="at_risk")
    assert late in breached and risky not in breached and calm not in breached
    assert risky in at_risk and late not in at_risk and calm not in at_risk
    item = next(
        i
        for i in (
            await api.call(
                "agent_tts", "GET", "/api/tickets", params={"sla": "breached", "limit": 200}
            )
        ).json()["items"]
        if i["id"] == late
    )
    assert item["sla"]["first_response"]["breached"] is True
    assert item["sla"]["first_response"]["remaining_seconds"] < 0
    assert (
        await api.call("agent_tts", "GET", "/api/tickets", params={"sla": "late"})
    ).status_code == 422


async def test_sort_by_sla_due_puts_the_nearest_first(api, always):
    normal = (await api.create("user_a"))["id"]
    urgent = (await api.create("user_a", priority="urgent"))["id"]
    low = (await api.create("user_a", priority="low"))["id"]
    order = [i for i in await listed(api, sort="sla_due") if i in (normal, urgent, low)]
    assert order[0] == urgent
    response = await api.call("agent_tts", "GET", "/api/tickets", params={"sort": "title"})
    assert response.status_code == 422


async def test_the_backfill_stores_clocks_without_announcing_past_moments(api, always, conn):
    ticket = await api.create("user_a")
    await conn.execute(
        text("DELETE FROM sla_deadlines WHERE ticket_id = :id"), {"id": ticket["id"]}
    )
    await conn.execute(text("DELETE FROM ticket_sla WHERE ticket_id = :id"), {"id": ticket["id"]})
    factory = async_sessionmaker(
        bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    later = ts(ticket["created_at"]) + timedelta(minutes=90)  # first response breached
    assert await backfill(factory, now=later) >= 1
    row = await stored(conn, ticket["id"])
    assert row.first_response_due_at == ts(ticket["created_at"]) + timedelta(minutes=60)
    kinds = dict(
        (
            await conn.execute(
                text(
                    "SELECT kind || ' ' || target, emitted_at IS NOT NULL FROM sla_deadlines "
                    "WHERE ticket_id = :id"
                ),
                {"id": ticket["id"]},
            )
        ).all()
    )
    assert kinds == {
        "warning first_response": True,
        "breach first_response": True,
        "warning resolution": False,
        "breach resolution": False,
    }
    events = await conn.scalar(
        text(
            "SELECT count(*) FROM outbox WHERE type LIKE 'ticket.sla.%' "
            "AND payload->'data'->'ticket'->>'id' = :id"
        ),
        {"id": str(ticket["id"])},
    )
    assert events == 0


async def test_a_ticket_without_stored_clocks_is_listed_with_derived_ones(api, always, conn):
    ticket = await api.create("user_a")
    await conn.execute(text("DELETE FROM ticket_sla WHERE ticket_id = :id"), {"id": ticket["id"]})
    items = (await api.call("agent_tts", "GET", "/api/tickets", params={"limit": 200})).json()
    item = next(i for i in items["items"] if i["id"] == ticket["id"])
    assert close(item["sla"]["first_response"], ticket["sla"]["first_response"])


@pytest.mark.parametrize(
    "path", [["in_progress"], ["in_progress", "waiting"], ["in_progress", "resolved"]]
)
async def test_the_detail_read_in_one_query_equals_the_derivation(api, always, conn, path):
    """`GET /api/tickets/{id}` reads the history and the rules inside its one query
    (`read_named`): its clocks equal `derive` over the same ticket, for a priority change,
    a public reply by staff, a pause and a resolution."""
    ticket = await api.create("user_a")
    await comment(api, "user_a", ticket["id"])
    changed = await api.call(
        "agent_tts", "PATCH", f"/api/tickets/{ticket['id']}", json={"priority": "high"}
    )
    assert changed.status_code == 200, changed.text
    await comment(api, "agent_tts", ticket["id"], internal=True)
    for state in path:
        await api.move("agent_tts", ticket["id"], state)
    shown = (await get(api, ticket["id"]))["sla"]
    async with AsyncSession(bind=conn) as session:
        row = await session.get(Ticket, ticket["id"])
        derived = service.as_payload(await service.derive(session, ticket=row, now=utcnow()))
    assert all(close(shown[t], derived[t]) for t in ("first_response", "resolution"))
    assert shown["resolution"]["paused"] is (path[-1] == "waiting")
    assert (shown["resolution"]["met_at"] is not None) is (path[-1] == "resolved")
