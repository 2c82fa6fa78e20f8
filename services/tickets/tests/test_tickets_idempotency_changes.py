"""`Idempotency-Key` on comments and transitions: a retry replays the first response with
no second comment, history row or event; another request under the same key is 422; a
refused request leaves its key free."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import text


async def comment(api, who: str, ticket_id: int, key: str, body: str = "On it"):
    return await api.call(
        who,
        "POST",
        f"/api/tickets/{ticket_id}/comments",
        json={"body": body},
        headers={"Idempotency-Key": key},
    )


async def move(api, who: str, ticket_id: int, key: str, to: str = "in_progress"):
    return await api.call(
        who,
        "POST",
        f"/api/tickets/{ticket_id}/transitions",
        json={"to": to},
        headers={"Idempotency-Key": key},
    )


async def events(conn, ticket_id: int, type_: str) -> int:
    return await conn.scalar(
        text(
            "SELECT count(*) FROM outbox WHERE type = :type "
            "AND payload->'data'->'ticket'->>'id' = :id"
        ),
        {"type": type_, "id": str(ticket_id)},
    )


async def actions(api, ticket_id: int) -> list[str]:
    history = (await api.call("agent_tts", "GET", f"/api/tickets/{ticket_id}/history")).json()
    return [h["action"] for h in history]


async def test_a_retried_comment_returns_the_first_and_adds_nothing(api, conn):
    ticket = await api.create("user_a")
    key = str(uuid.uuid4())
    first = await comment(api, "user_a", ticket["id"], key)
    again = await comment(api, "user_a", ticket["id"], key)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    listed = (await api.call("user_a", "GET", f"/api/tickets/{ticket['id']}/comments")).json()
    assert [c["id"] for c in listed] == [first.json()["id"]]
    assert await events(conn, ticket["id"], "comment.added") == 1
    assert (await actions(api, ticket["id"])).count("comment.added") == 1


async def test_a_retried_transition_returns_the_first_and_moves_once(api, conn):
    ticket = await api.create("user_a")
    key = str(uuid.uuid4())
    first = await move(api, "agent_tts", ticket["id"], key)
    again = await move(api, "agent_tts", ticket["id"], key)
    assert first.status_code == again.status_code == 200
    assert first.json()["status"] == "in_progress"
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert await events(conn, ticket["id"], "ticket.status_changed") == 1
    assert (await actions(api, ticket["id"])).count("ticket.status_changed") == 1


async def test_a_replayed_transition_is_not_checked_against_the_new_state(api):
    # in_progress -> in_progress is no move (409) if run again; a replay does not run it
    ticket = await api.create("user_a")
    key = str(uuid.uuid4())
    assert (await move(api, "agent_tts", ticket["id"], key)).status_code == 200
    assert (await api.move("agent_tts", ticket["id"], "in_progress")).status_code == 409
    assert (await move(api, "agent_tts", ticket["id"], key)).status_code == 200


async def test_the_same_key_with_another_request_is_422(api):
    ticket, other = await api.create("user_a"), await api.create("user_a")
    key = str(uuid.uuid4())
    assert (await comment(api, "user_a", ticket["id"], key)).status_code == 201
    refused = [
        await comment(api, "user_a", ticket["id"], key, body="Something else"),
        await comment(api, "user_a", other["id"], key),  # the same body on another ticket
        await move(api, "user_a", ticket["id"], key, to="closed"),  # another route
    ]
    for response in refused:
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "idempotency_key_reused"
    listed = (await api.call("user_a", "GET", f"/api/tickets/{ticket['id']}/comments")).json()
    assert len(listed) == 1
    assert (await api.call("user_a", "GET", f"/api/tickets/{ticket['id']}")).json()["status"] == (
        "open"
    )


async def test_a_key_used_to_create_a_ticket_is_not_a_comment(api):
    key = str(uuid.uuid4())
    body = {"title": "Keyboard missing keys", "description": "Q and P are gone"}
    created = await api.call(
        "user_a", "POST", "/api/tickets", json=body, headers={"Idempotency-Key": key}
    )
    assert created.status_code == 201
    response = await comment(api, "user_a", created.json()["id"], key)
    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"


async def test_keys_belong_to_one_user(api):
    ticket = await api.create("user_a")
    key = str(uuid.uuid4())
    mine = await comment(api, "user_a", ticket["id"], key)
    theirs = await comment(api, "agent_tts", ticket["id"], key)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert "idempotent-replayed" not in theirs.headers


async def test_a_refused_request_leaves_its_key_free(api, conn):
    ticket = await api.create("user_a")
    key = str(uuid.uuid4())
    refused = await move(api, "agent_tts", ticket["id"], key, to="resolved")  # open -> resolved
    assert refused.status_code == 409
    forbidden = await move(api, "user_a", ticket["id"], key)  # a requester may not start work
    assert forbidden.status_code == 403
    corrected = await move(api, "agent_tts", ticket["id"], key)
    assert corrected.status_code == 200 and "idempotent-replayed" not in corrected.headers
    assert await events(conn, ticket["id"], "ticket.status_changed") == 1


async def test_a_refused_comment_leaves_its_key_free(api):
    ticket = await api.create("user_a")
    key = str(uuid.uuid4())
    url = f"/api/tickets/{ticket['id']}/comments"
    note = await api.call(
        "user_a",
        "POST",
        url,
        json={"body": "x", "internal": True},
        headers={"Idempotency-Key": key},
    )
    assert note.status_code == 403
    assert (await comment(api, "user_a", ticket["id"], key)).status_code == 201


async def test_without_a_key_every_comment_is_added(api):
    ticket = await api.create("user_a")
    url = f"/api/tickets/{ticket['id']}/comments"
    for _ in range(2):
        assert (await api.call("user_a", "POST", url, json={"body": "On it"})).status_code == 201
    assert len((await api.call("user_a", "GET", url)).json()) == 2


async def test_parallel_retries_add_one_comment_and_one_move(committing_api, app):
    ticket = await committing_api.create("user_a")
    tid, key, move_key = ticket["id"], str(uuid.uuid4()), str(uuid.uuid4())
    comments = await asyncio.gather(
        *(comment(committing_api, "user_a", tid, key) for _ in range(5))
    )
    moves = await asyncio.gather(
        *(move(committing_api, "agent_tts", tid, move_key) for _ in range(5))
    )
    assert [r.status_code for r in comments] == [201] * 5
    assert [r.status_code for r in moves] == [200] * 5
    assert len({r.content for r in comments}) == len({r.content for r in moves}) == 1
    async with app.state.runtime.engine.connect() as conn:
        count = await conn.scalar(
            text("SELECT count(*) FROM comments WHERE ticket_id = :id"), {"id": tid}
        )
        added = await events(conn, tid, "comment.added")
        moved = await events(conn, tid, "ticket.status_changed")
    assert (count, added, moved) == (1, 1, 1)
