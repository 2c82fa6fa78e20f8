"""The directory of people: auth's events applied by the real consumer (never over newer
data), names beside every person id, the staff picker, and the staff rule on assignees."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from servicedesk_shared.messaging.envelope import new_event

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def user_event(kind: str, occurred_at: datetime = T0, **data: Any) -> dict[str, Any]:
    return new_event(f"user.{kind}", data, producer="auth", occurred_at=occurred_at)


def updated(user_id: str, version: int, at: datetime = T0, **fields: Any) -> dict[str, Any]:
    data = {
        "user_id": user_id,
        "username": "ada",
        "email": "ada@example.com",
        "display_name": "Ada",
        "is_active": True,
        "is_admin": False,
        "is_superuser": False,
        "version": version,
        **fields,
    }
    return user_event("updated", at, **data)


def roles(user_id: str, systems: dict[str, str], version: int, at: datetime = T0) -> dict:
    data = {
        "user_id": user_id,
        "actor_id": "admin",
        "systems": systems,
        "previous": {},
        "version": version,
    }
    return user_event("roles_changed", at, **data)


async def person(conn, user_id: str) -> dict[str, Any] | None:
    row = await conn.execute(text("SELECT * FROM people WHERE user_id = :id"), {"id": user_id})
    found = row.mappings().first()
    return dict(found) if found else None


async def test_an_older_user_updated_never_overwrites_a_newer_one(deliver, conn):
    uid = str(uuid.uuid4())
    assert await deliver(updated(uid, 3, display_name="Ada Lovelace")) == "ack"
    assert await deliver(updated(uid, 2, T0 + timedelta(hours=1), display_name="Old")) == "ack"
    assert (await person(conn, uid))["display_name"] == "Ada Lovelace"


async def test_an_equal_version_applies_only_when_it_happened_later(deliver, conn):
    uid = str(uuid.uuid4())
    await deliver(updated(uid, 1, T0, display_name="First"))
    await deliver(updated(uid, 1, T0 - timedelta(seconds=1), display_name="Earlier"))
    assert (await person(conn, uid))["display_name"] == "First"
    await deliver(updated(uid, 1, T0 + timedelta(seconds=1), display_name="Later"))
    assert (await person(conn, uid))["display_name"] == "Later"


async def test_a_roles_change_for_a_user_never_seen_is_stored_and_kept(deliver, conn):
    uid = str(uuid.uuid4())
    assert await deliver(roles(uid, {"TTS": "agent"}, 2)) == "ack"
    stored = await person(conn, uid)
    assert stored["systems"] == {"TTS": "agent"} and stored["username"] is None
    registered = {"user_id": uid, "username": "grace", "email": "g@example.com", "version": 1}
    assert await deliver(user_event("registered", **registered)) == "ack"
    stored = await person(conn, uid)
    assert (stored["username"], stored["systems"]) == ("grace", {"TTS": "agent"})


async def test_roles_and_profile_are_versioned_apart(deliver, conn):
    """A late profile (v2) still applies after newer roles (v3): each part keeps its own."""
    uid = str(uuid.uuid4())
    await deliver(roles(uid, {"TTS": "manager"}, 3))
    await deliver(roles(uid, {"TTS": "user"}, 1))
    await deliver(updated(uid, 2, display_name="Late but new"))
    stored = await person(conn, uid)
    assert stored["systems"] == {"TTS": "manager"}
    assert stored["display_name"] == "Late but new"


async def test_a_redelivered_event_is_applied_once(deliver, conn):
    uid = str(uuid.uuid4())
    event = updated(uid, 5, display_name="Once")
    assert await deliver(event) == "ack"
    await conn.execute(
        text("UPDATE people SET display_name = 'Changed' WHERE user_id = :id"), {"id": uid}
    )
    assert await deliver(event) == "ack"
    assert (await person(conn, uid))["display_name"] == "Changed"


# -- names beside ids ------------------------------------------------------------------


def ref(personas, name: str) -> dict[str, str]:
    title = name.replace("_", " ").title()
    return {"id": personas.ids[name], "username": name, "display_name": title}


async def assigned_ticket(api, personas) -> dict[str, Any]:
    ticket = await api.create("user_a")
    body = {"assignee_id": personas.ids["agent_tts"]}
    response = await api.call("manager_tts", "PATCH", f"/api/tickets/{ticket['id']}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def test_tickets_show_requester_and_assignee_by_name(api, personas):
    created = await api.create("user_a")
    assert created["requester"] == ref(personas, "user_a") and created["assignee"] is None
    ticket = await assigned_ticket(api, personas)
    assert ticket["assignee"] == ref(personas, "agent_tts")
    shown = (await api.call("user_a", "GET", f"/api/tickets/{ticket['id']}")).json()
    assert shown["requester"] == ref(personas, "user_a")
    page = (await api.call("global_admin", "GET", "/api/tickets")).json()["items"]
    mine = next(t for t in page if t["id"] == ticket["id"])
    assert (mine["requester"], mine["assignee"]) == (
        ref(personas, "user_a"),
        ref(personas, "agent_tts"),
    )


async def test_someone_not_in_the_directory_shows_with_the_id_only(api, personas):
    stranger = str(uuid.uuid4())
    personas.ids["user_b"] = stranger  # after the directory rows were written
    created = await api.create("user_b")
    assert created["requester"] == {"id": stranger, "username": None, "display_name": None}
    assert created["assignee"] is None


async def test_comments_history_and_attachments_name_their_people(api, personas):
    ticket = await assigned_ticket(api, personas)
    tid = ticket["id"]
    comment = await api.call(
        "agent_tts", "POST", f"/api/tickets/{tid}/comments", json={"body": "On it"}
    )
    assert comment.json()["author"] == ref(personas, "agent_tts")
    comments = (await api.call("user_a", "GET", f"/api/tickets/{tid}/comments")).json()
    assert comments[0]["author"] == ref(personas, "agent_tts")
    history = (await api.call("user_a", "GET", f"/api/tickets/{tid}/history")).json()
    assert [h["actor"] for h in history[:2]] == [
        ref(personas, "user_a"),
        ref(personas, "manager_tts"),
    ]
    uploaded = await api.upload("user_a", tid, b"hello", "note.txt", "text/plain")
    assert uploaded.json()["uploaded_by"] == ref(personas, "user_a")
    listed = (await api.call("user_a", "GET", f"/api/tickets/{tid}/attachments")).json()
    assert listed[0]["uploaded_by"] == ref(personas, "user_a")


async def test_the_audit_log_names_its_actors(api, personas):
    ticket = await assigned_ticket(api, personas)
    params = {"object_id": str(ticket["id"]), "object_type": "ticket"}
    page = (await api.call("global_admin", "GET", "/api/admin/audit", params=params)).json()
    assert {e["actor"]["username"] for e in page["items"]} == {"user_a", "manager_tts"}


async def test_the_csv_export_has_name_columns(api, personas):
    ticket = await assigned_ticket(api, personas)
    response = await api.call("user_a", "GET", "/api/export/tickets")
    (row,) = [r for r in csv.DictReader(io.StringIO(response.text)) if r["id"] == str(ticket["id"])]
    assert (row["requester_name"], row["assignee_name"]) == ("User A", "Agent Tts")


# -- the staff picker ------------------------------------------------------------------


async def test_people_lists_a_systems_staff_with_their_roles(api, personas):
    response = await api.call("agent_tts", "GET", "/api/people", params={"system": "TTS"})
    assert response.status_code == 200
    mine = {
        p["username"]: p["role"]
        for p in response.json()["items"]
        if p["id"] in personas.ids.values()
    }
    assert mine == {
        "agent_tts": "agent",
        "manager_tts": "manager",
        "admin_tts": "admin",
        "global_admin": "admin",
        "superuser": "admin",
    }


async def test_people_matches_q_in_username_or_display_name(api, personas, conn):
    await conn.execute(
        text("UPDATE people SET display_name = 'Zora Quill' WHERE user_id = :id"),
        {"id": personas.ids["manager_tts"]},
    )
    for q in ("zora", "QUIL", "manager_t"):
        params = {"system": "TTS", "q": q}
        items = (await api.call("admin_tts", "GET", "/api/people", params=params)).json()["items"]
        assert [p["username"] for p in items] == ["manager_tts"], q


async def test_people_leaves_out_the_inactive(api, personas, conn):
    await conn.execute(
        text("UPDATE people SET is_active = false WHERE user_id = :id"),
        {"id": personas.ids["agent_tts"]},
    )
    params = {"system": "TTS", "q": "agent_tts"}
    assert (await api.call("admin_tts", "GET", "/api/people", params=params)).json() == {
        "items": []
    }


@pytest.mark.parametrize("who", ["user_a", "agent_hdts"])
async def test_people_is_for_the_systems_staff_only(api, who):
    response = await api.call(who, "GET", "/api/people", params={"system": "TTS"})
    assert response.status_code == 403


async def test_people_of_an_unknown_system_is_404_and_system_is_required(api):
    response = await api.call("global_admin", "GET", "/api/people", params={"system": "NOPE"})
    assert response.status_code == 404
    assert (await api.call("global_admin", "GET", "/api/people")).status_code == 422


# -- assignees must be staff -----------------------------------------------------------


@pytest.mark.parametrize("assignee", ["user_b", "agent_hdts", "unknown"])
async def test_assigning_someone_not_staff_in_the_system_is_422(api, personas, assignee):
    ticket = await api.create("user_a")
    target = personas.ids.get(assignee, str(uuid.uuid4()))
    response = await api.call(
        "manager_tts", "PATCH", f"/api/tickets/{ticket['id']}", json={"assignee_id": target}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "assignee_not_staff"


async def test_a_deactivated_agent_cannot_be_assigned(api, personas, deliver):
    uid = personas.ids["agent_tts"]
    await deliver(updated(uid, 9, username="agent_tts", is_active=False))
    ticket = await api.create("user_a")
    response = await api.call(
        "manager_tts", "PATCH", f"/api/tickets/{ticket['id']}", json={"assignee_id": uid}
    )
    assert response.status_code == 422


# -- orphaned assignments --------------------------------------------------------------


async def test_losing_the_role_lists_the_open_assignments(api, personas, deliver):
    ticket = await assigned_ticket(api, personas)
    url = "/api/admin/orphaned-assignments"
    ours = lambda body: [i for i in body["items"] if i["ticket_id"] == ticket["id"]]  # noqa: E731
    assert ours((await api.call("global_admin", "GET", url)).json()) == []
    await deliver(roles(personas.ids["agent_tts"], {"TTS": "user"}, 7))
    response = await api.call("global_admin", "GET", url)
    expected = {
        "ticket_id": ticket["id"],
        "system": "TTS",
        "status": "open",
        "assignee": ref(personas, "agent_tts"),
    }
    assert ours(response.json()) == [expected]
    assert (await api.call("manager_tts", "GET", url)).status_code == 403
