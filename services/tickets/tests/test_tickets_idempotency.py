"""`Idempotency-Key` on ticket creation: replays, reuse with another body, and races."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import text

BODY = {"title": "Keyboard missing keys", "description": "Q and P are gone"}


async def post(api, who: str, key: str, body: dict = BODY):
    return await api.call(who, "POST", "/api/tickets", json=body, headers={"Idempotency-Key": key})


async def test_a_retry_with_the_same_key_returns_the_same_ticket(api):
    key = str(uuid.uuid4())
    first = await post(api, "user_a", key)
    again = await post(api, "user_a", key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    listing = (await api.call("user_a", "GET", "/api/tickets")).json()
    assert listing["total"] == 1


async def test_the_same_key_with_another_body_is_422(api):
    key = str(uuid.uuid4())
    assert (await post(api, "user_a", key)).status_code == 201
    response = await post(api, "user_a", key, {**BODY, "priority": "urgent"})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"


async def test_keys_belong_to_one_user(api):
    key = str(uuid.uuid4())
    mine = (await post(api, "user_a", key)).json()
    theirs = (await post(api, "user_b", key)).json()
    assert mine["id"] != theirs["id"]


async def test_without_a_key_every_post_creates(api):
    await api.create("user_a")
    await api.create("user_a")
    assert (await api.call("user_a", "GET", "/api/tickets")).json()["total"] == 2


async def test_malformed_keys_are_422(api):
    for key in ("", "x" * 256, "has space"):
        assert (await post(api, "user_a", key)).status_code == 422, key


async def test_parallel_posts_with_one_key_create_one_ticket(committing_api, app, personas):
    key = str(uuid.uuid4())
    responses = await asyncio.gather(*(post(committing_api, "user_a", key) for _ in range(5)))
    assert [r.status_code for r in responses] == [201] * 5
    assert len({r.text for r in responses}) == 1
    async with app.state.runtime.engine.connect() as conn:
        count = await conn.scalar(
            text("SELECT count(*) FROM tickets WHERE requester_id = :u"),
            {"u": personas.ids["user_a"]},
        )
        events = await conn.scalar(
            text(
                "SELECT count(*) FROM outbox WHERE type = 'ticket.created' "
                "AND payload->'data'->'ticket'->>'requester_id' = :u"
            ),
            {"u": personas.ids["user_a"]},
        )
    assert (count, events) == (1, 1)


async def test_parallel_posts_with_one_key_and_different_bodies(committing_api):
    key = str(uuid.uuid4())
    bodies = [BODY, {**BODY, "priority": "high"}]
    responses = await asyncio.gather(*(post(committing_api, "user_a", key, b) for b in bodies))
    assert sorted(r.status_code for r in responses) == [201, 422]
