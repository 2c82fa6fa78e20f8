"""Comments, and internal notes never reaching a requester: list, history, export, events."""

from __future__ import annotations

from sqlalchemy import text

SECRET = "internal-only: the requester is overreacting"


async def with_note(api) -> dict:
    ticket = await api.create("user_a")
    url = f"/api/tickets/{ticket['id']}/comments"
    public = await api.call("agent_tts", "POST", url, json={"body": "We are on it"})
    assert public.status_code == 201
    note = await api.call("agent_tts", "POST", url, json={"body": SECRET, "internal": True})
    assert note.status_code == 201 and note.json()["internal"] is True
    return ticket


async def test_comments_come_back_oldest_first_with_their_author(api, personas):
    ticket = await api.create("user_a")
    url = f"/api/tickets/{ticket['id']}/comments"
    await api.call("user_a", "POST", url, json={"body": "first"})
    await api.call("agent_tts", "POST", url, json={"body": "second"})
    comments = (await api.call("user_a", "GET", url)).json()
    assert [c["body"] for c in comments] == ["first", "second"]
    assert comments[0]["author_id"] == personas.ids["user_a"]
    assert comments[1]["author_name"] == "agent_tts"


async def test_a_requester_may_not_write_an_internal_note(api):
    ticket = await api.create("user_a")
    url = f"/api/tickets/{ticket['id']}/comments"
    response = await api.call("user_a", "POST", url, json={"body": "x", "internal": True})
    assert response.status_code == 403


async def test_empty_or_extra_fields_are_422(api):
    ticket = await api.create("user_a")
    url = f"/api/tickets/{ticket['id']}/comments"
    for body in ({"body": ""}, {"body": "x", "author_id": "y"}, {"body": "a\x00b"}):
        assert (await api.call("user_a", "POST", url, json=body)).status_code == 422


async def test_internal_notes_are_hidden_from_the_requester_in_the_list(api):
    ticket = await with_note(api)
    url = f"/api/tickets/{ticket['id']}/comments"
    assert [c["body"] for c in (await api.call("user_a", "GET", url)).json()] == ["We are on it"]
    staff = [c["body"] for c in (await api.call("manager_tts", "GET", url)).json()]
    assert staff == ["We are on it", SECRET]


async def test_a_requester_who_is_also_staff_sees_the_notes(api, personas):
    ticket = await with_note(api)
    url = f"/api/tickets/{ticket['id']}/comments"
    headers = personas.headers("user_a", systems={"TTS": "agent"})
    bodies = [c["body"] for c in (await api.client.get(url, headers=headers)).json()]
    assert SECRET in bodies


async def test_internal_notes_are_hidden_from_the_requester_in_the_history(api):
    ticket = await with_note(api)
    url = f"/api/tickets/{ticket['id']}/history"
    requester = (await api.call("user_a", "GET", url)).text
    assert SECRET not in requester and "We are on it" in requester
    assert SECRET in (await api.call("agent_tts", "GET", url)).text


async def test_internal_notes_never_reach_the_export(api):
    ticket = await with_note(api)
    for who in ("user_a", "global_admin"):
        response = await api.call(who, "GET", "/api/export/tickets?columns=comments")
        assert "We are on it" in response.text
        assert SECRET not in response.text, who
    assert ticket


async def test_the_event_of_an_internal_note_carries_no_body(api, conn):
    ticket = await with_note(api)
    rows = await conn.execute(
        text(
            "SELECT payload FROM outbox WHERE type = 'comment.added' "
            "AND payload->'data'->'ticket'->>'id' = :id ORDER BY occurred_at"
        ),
        {"id": str(ticket["id"])},
    )
    public, note = [row.payload["data"] for row in rows]
    assert public["body"] == "We are on it" and public["internal"] is False
    assert note["internal"] is True and "body" not in note
    assert SECRET not in str(note)
