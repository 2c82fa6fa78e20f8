"""`POST /api/tickets/bulk` (contract §14): each ticket checked as if changed alone, one
refusal never stops the others, one audit entry and one event per changed ticket."""

from __future__ import annotations

import pytest
from sqlalchemy import text


async def bulk(api, who: str, ids: list[int], action: dict):
    return await api.call(who, "POST", "/api/tickets/bulk", json={"ids": ids, "action": action})


async def results(api, who: str, ids: list[int], action: dict) -> list[dict]:
    response = await bulk(api, who, ids, action)
    assert response.status_code == 200, response.text
    return response.json()["results"]


async def events(conn, ticket_id: int) -> list[str]:
    rows = await conn.execute(
        text(
            "SELECT payload->>'type' AS type FROM outbox "
            "WHERE payload->'data'->'ticket'->>'id' = :id ORDER BY occurred_at"
        ),
        {"id": str(ticket_id)},
    )
    return [row.type for row in rows]


async def actions(api, ticket_id: int) -> list[str]:
    history = await api.call("global_admin", "GET", f"/api/tickets/{ticket_id}/history")
    return [entry["action"] for entry in history.json()]


async def test_bulk_assign_refuses_per_ticket_and_changes_the_others(api, conn, personas):
    first = await api.create("user_a", title="Bulk one")
    second = await api.create("user_b", title="Bulk two")
    hidden = await api.create("user_b", title="In another system", system="HDTS")
    agent = personas.ids["agent_tts"]
    ids = [first["id"], hidden["id"], 987654321, second["id"]]
    found = await results(api, "manager_tts", ids, {"assign": agent})
    assert found == [
        {"id": first["id"], "ok": True},
        {"id": hidden["id"], "ok": False, "code": "not_found", "detail": "Ticket not found"},
        {"id": 987654321, "ok": False, "code": "not_found", "detail": "Ticket not found"},
        {"id": second["id"], "ok": True},
    ]
    for ticket in (first, second):
        shown = (await api.call("manager_tts", "GET", f"/api/tickets/{ticket['id']}")).json()
        assert shown["assignee_id"] == agent
        assert await actions(api, ticket["id"]) == ["ticket.created", "ticket.updated"]
        assert await events(conn, ticket["id"]) == [
            "ticket.created",
            "ticket.updated",
            "ticket.assigned",
        ]
    assert await actions(api, hidden["id"]) == ["ticket.created"]
    assert (await api.call("global_admin", "GET", f"/api/tickets/{hidden['id']}")).json()[
        "assignee_id"
    ] is None


async def test_each_ticket_gets_its_own_role_check(api, personas):
    taken = await api.create("user_a", title="Someone else has it")
    free = await api.create("user_a", title="Free to take")
    await api.call(
        "manager_tts",
        "PATCH",
        f"/api/tickets/{taken['id']}",
        json={"assignee_id": personas.ids["manager_tts"]},
    )
    # an agent may take an unassigned ticket, not one assigned to someone else
    found = await results(
        api, "agent_tts", [taken["id"], free["id"]], {"assign": personas.ids["agent_tts"]}
    )
    assert [(r["ok"], r.get("code")) for r in found] == [(False, "field_forbidden"), (True, None)]


async def test_assigning_someone_who_is_not_staff_is_refused_per_ticket(api, personas):
    ticket = await api.create("user_a")
    found = await results(api, "manager_tts", [ticket["id"]], {"assign": personas.ids["user_b"]})
    assert found[0]["ok"] is False and found[0]["code"] == "assignee_not_staff"


async def test_assign_null_unassigns(api, personas):
    ticket = await api.create("user_a")
    await api.call(
        "manager_tts",
        "PATCH",
        f"/api/tickets/{ticket['id']}",
        json={"assignee_id": personas.ids["agent_tts"]},
    )
    assert (await results(api, "manager_tts", [ticket["id"]], {"assign": None}))[0]["ok"]
    shown = (await api.call("manager_tts", "GET", f"/api/tickets/{ticket['id']}")).json()
    assert shown["assignee_id"] is None


async def test_bulk_transition_follows_the_workflow_per_ticket(api, conn):
    ready = await api.create("user_a", title="Ready to start")
    closed = await api.create("user_a", title="Already closed")
    await api.move("user_a", closed["id"], "closed")
    found = await results(
        api, "agent_tts", [ready["id"], closed["id"]], {"transition": "in_progress"}
    )
    assert found[0] == {"id": ready["id"], "ok": True}
    assert found[1]["ok"] is False and found[1]["code"] == "transition_not_allowed"
    assert await events(conn, ready["id"]) == ["ticket.created", "ticket.status_changed"]
    assert await actions(api, ready["id"]) == ["ticket.created", "ticket.status_changed"]


async def test_a_requester_may_not_start_work_in_bulk(api):
    ticket = await api.create("user_a")
    found = await results(api, "user_a", [ticket["id"]], {"transition": "in_progress"})
    assert found[0]["ok"] is False and found[0]["code"] == "forbidden"


async def test_bulk_priority_recomputes_the_sla(api):
    ticket = await api.create("user_a", priority="low")
    before = ticket["sla"]["resolution"]["due_at"]
    assert (await results(api, "agent_tts", [ticket["id"]], {"priority": "urgent"}))[0]["ok"]
    shown = (await api.call("agent_tts", "GET", f"/api/tickets/{ticket['id']}")).json()
    assert shown["priority"] == "urgent"
    assert shown["sla"]["resolution"]["due_at"] < before


async def test_duplicate_ids_are_handled_once_in_first_seen_order(api, conn):
    a = await api.create("user_a", title="Duplicate a")
    b = await api.create("user_a", title="Duplicate b")
    ids = [b["id"], a["id"], b["id"], b["id"], a["id"]]
    found = await results(api, "agent_tts", ids, {"priority": "high"})
    assert [r["id"] for r in found] == [b["id"], a["id"]]
    assert await actions(api, b["id"]) == ["ticket.created", "ticket.updated"]
    assert await events(conn, b["id"]) == ["ticket.created", "ticket.updated"]


async def test_an_unchanged_ticket_is_ok_without_an_entry(api):
    ticket = await api.create("user_a", priority="high")
    assert (await results(api, "agent_tts", [ticket["id"]], {"priority": "high"}))[0]["ok"]
    assert await actions(api, ticket["id"]) == ["ticket.created"]


async def test_100_ids_are_accepted_and_101_are_422(api):
    assert (
        await bulk(api, "agent_tts", list(range(1, 101)), {"priority": "low"})
    ).status_code == 200
    response = await bulk(api, "agent_tts", list(range(1, 102)), {"priority": "low"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "ids"]


@pytest.mark.parametrize(
    "body",
    [
        {"ids": [], "action": {"priority": "low"}},
        {"ids": [1], "action": {}},
        {"ids": [1], "action": {"priority": "low", "transition": "closed"}},
        {"ids": [1], "action": {"priority": "critical"}},
        {"ids": [1], "action": {"transition": None}},
        {"ids": [1], "action": {"priority": None}},
        {"ids": [1], "action": {"delete": True}},
        {"ids": [0], "action": {"priority": "low"}},
        {"ids": [2**63], "action": {"priority": "low"}},
        {"ids": ["x"], "action": {"priority": "low"}},
        {"ids": [1], "action": {"assign": "a\x00b"}},
        {"ids": [1], "action": {"priority": "low"}, "dry_run": True},
        {"ids": [1]},
    ],
)
async def test_bad_bulk_bodies_are_422(api, body):
    response = await api.call("manager_tts", "POST", "/api/tickets/bulk", json=body)
    assert response.status_code == 422, response.text


async def test_bulk_needs_a_token(client):
    response = await client.post(
        "/api/tickets/bulk", json={"ids": [1], "action": {"priority": "low"}}
    )
    assert response.status_code == 401
