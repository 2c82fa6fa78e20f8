"""`/api/admin/ai-settings` and auto-apply: off by default; when on, a confident suggestion
sets priority and category like a PATCH would, audited under the actor "ai-assist"."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from servicedesk_tickets.outbox.models import OutboxEvent

from .conftest import triage_event

URL = "/api/admin/ai-settings"


async def turn_on(api, min_confidence: float = 0.8) -> None:
    body = {"auto_apply": True, "min_confidence": min_confidence}
    response = await api.call("global_admin", "PUT", URL, json=body)
    assert response.status_code == 200, response.text


async def ticket_view(api, ticket_id: int) -> dict:
    return (await api.call("user_a", "GET", f"/api/tickets/{ticket_id}")).json()


async def updates_of(conn, ticket_id: int) -> list[dict]:
    query = select(OutboxEvent.payload).where(OutboxEvent.type == "ticket.updated")
    payloads = (await conn.scalars(query)).all()
    return [p for p in payloads if p["data"]["ticket"]["id"] == ticket_id]


async def test_auto_apply_is_off_by_default(api):
    response = await api.call("global_admin", "GET", URL)
    assert response.status_code == 200
    body = response.json()
    assert (body["auto_apply"], body["min_confidence"]) == (False, 0.8)


@pytest.mark.parametrize("who", ["user_a", "agent_tts", "manager_tts", "admin_tts"])
async def test_only_global_admins_see_or_change_the_settings(api, who):
    assert (await api.call(who, "GET", URL)).status_code == 403
    body = {"auto_apply": True, "min_confidence": 0.5}
    assert (await api.call(who, "PUT", URL, json=body)).status_code == 403
    assert (await api.call("superuser", "GET", URL)).json()["auto_apply"] is False


@pytest.mark.parametrize(
    "body",
    [
        {"auto_apply": True, "min_confidence": 1.5},
        {"auto_apply": True},
        {"auto_apply": True, "min_confidence": 0.5, "model": "x"},
        {"auto_apply": "perhaps", "min_confidence": 0.5},
    ],
)
async def test_invalid_settings_are_refused(api, body):
    assert (await api.call("global_admin", "PUT", URL, json=body)).status_code == 422


async def test_every_change_is_audited(api, personas):
    await turn_on(api, 0.65)
    body = (await api.call("global_admin", "GET", URL)).json()
    assert (body["auto_apply"], body["min_confidence"]) == (True, 0.65)
    assert body["updated_by"] == personas.ids["global_admin"]
    params = {"action": "ai_settings.updated"}
    [entry] = (await api.call("global_admin", "GET", "/api/admin/audit", params=params)).json()[
        "items"
    ]
    assert entry["actor_id"] == personas.ids["global_admin"]
    assert entry["old"] == {"auto_apply": False, "min_confidence": 0.8}
    assert entry["new"] == {"auto_apply": True, "min_confidence": 0.65}
    await turn_on(api, 0.65)  # no change, no entry
    again = await api.call("global_admin", "GET", "/api/admin/audit", params=params)
    assert again.json()["total"] == 1


async def test_with_auto_apply_off_nothing_is_applied(api, deliver, conn):
    ticket = await api.create("user_a", priority="low")
    await deliver(triage_event(ticket["id"], confidence=1.0))
    shown = await ticket_view(api, ticket["id"])
    assert (shown["priority"], shown["category"]) == ("low", None)
    assert shown["ai_triage"]["applied"] == [] and await updates_of(conn, ticket["id"]) == []


async def test_a_confident_suggestion_is_applied_audited_and_published(api, deliver, conn):
    await turn_on(api, 0.8)
    ticket = await api.create("user_a", priority="low", description="Keeps dropping")
    await deliver(triage_event(ticket["id"], confidence=0.8, title="Other", summary="S"))
    shown = await ticket_view(api, ticket["id"])
    assert (shown["priority"], shown["category"]) == ("urgent", "network")
    assert (shown["title"], shown["description"]) == (ticket["title"], "Keeps dropping")
    assert shown["updated_at"] > ticket["updated_at"]
    assert shown["ai_triage"]["applied"] == ["category", "priority"]
    history = (await api.call("user_a", "GET", f"/api/tickets/{ticket['id']}/history")).json()
    entry = history[-1]
    assert (entry["action"], entry["actor_id"], entry["actor_name"]) == (
        "ticket.updated",
        "ai-assist",
        "ai-assist",
    )
    assert entry["old"] == {"priority": "low", "category": None}
    assert entry["new"] == {"priority": "urgent", "category": "network"}
    [event] = await updates_of(conn, ticket["id"])
    assert event["data"]["changes"] == {
        "priority": {"old": "low", "new": "urgent"},
        "category": {"old": None, "new": "network"},
    }
    assert event["data"]["ticket"]["updated_at"] == shown["updated_at"]
    verify = (await api.call("global_admin", "GET", "/api/admin/audit/verify")).json()
    assert verify["valid"] is True


async def test_a_suggestion_below_the_threshold_is_only_shown(api, deliver, conn):
    await turn_on(api, 0.9)
    ticket = await api.create("user_a", priority="low")
    await deliver(triage_event(ticket["id"], confidence=0.89))
    shown = await ticket_view(api, ticket["id"])
    assert shown["priority"] == "low" and shown["updated_at"] == ticket["updated_at"]
    assert await updates_of(conn, ticket["id"]) == []


async def test_a_ticket_a_person_changed_is_never_overridden(api, deliver, conn):
    await turn_on(api, 0.5)
    ticket = await api.create("user_a", priority="low")
    patched = await api.call(
        "user_a", "PATCH", f"/api/tickets/{ticket['id']}", json={"priority": "high"}
    )
    assert patched.status_code == 200
    await deliver(triage_event(ticket["id"], confidence=0.99))
    shown = await ticket_view(api, ticket["id"])
    assert shown["priority"] == "high" and shown["ai_triage"]["applied"] == []
    assert len(await updates_of(conn, ticket["id"])) == 1  # the person's own


async def test_the_model_changes_a_ticket_at_most_once(api, deliver, conn):
    await turn_on(api, 0.5)
    ticket = await api.create("user_a", priority="low")
    await deliver(triage_event(ticket["id"], priority="high"))
    await deliver(triage_event(ticket["id"], priority="medium"))
    shown = await ticket_view(api, ticket["id"])
    assert shown["priority"] == "high" and shown["ai_triage"]["priority"] == "medium"
    assert len(await updates_of(conn, ticket["id"])) == 1


async def test_a_failure_or_a_redelivery_applies_nothing_more(api, deliver, conn):
    await turn_on(api, 0.5)
    ticket = await api.create("user_a", priority="low")
    failed = triage_event(ticket["id"], status="failed", error="timeout", confidence=1.0)
    await deliver(failed)
    assert (await ticket_view(api, ticket["id"]))["priority"] == "low"
    event = triage_event(ticket["id"])
    await deliver(event)
    await deliver(event)
    assert len(await updates_of(conn, ticket["id"])) == 1
    history = (await api.call("user_a", "GET", f"/api/tickets/{ticket['id']}/history")).json()
    assert [e["actor_id"] for e in history].count("ai-assist") == 1
