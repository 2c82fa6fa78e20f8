"""The caller's inbox: list (newest first, unread filter, paging), counts, read, read-all."""

from __future__ import annotations

from .conftest import API_KEYS, user


async def notify(client, user_id: str, title: str) -> dict:
    resp = await client.post(
        "/internal/notifications",
        json={"user_id": user_id, "title": title, "body": f"{title} body"},
        headers={"X-API-Key": API_KEYS[1]},
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


async def test_the_inbox_lists_the_callers_notifications_newest_first(client, token):
    me, other = user(), user()
    first, second = await notify(client, me, "first"), await notify(client, me, "second")
    await notify(client, other, "not yours")
    resp = await client.get("/api/notifications/", headers=token(me))
    assert resp.status_code == 200
    page = resp.json()
    assert [n["id"] for n in page["items"]] == [second["id"], first["id"]]
    assert page["total"] == 2 and page["unread"] == 2
    item = page["items"][0]
    assert set(item) == {
        "id",
        "kind",
        "ticket_id",
        "title",
        "body",
        "event_id",
        "created_at",
        "read_at",
        "updated_at",
        "count",
        "summary",
    }
    assert item["count"] == 1 and item["updated_at"] == item["created_at"]
    assert resp.headers["x-request-id"]


async def test_paging_and_the_unread_filter(client, token):
    me = user()
    made = [await notify(client, me, f"n{i}") for i in range(5)]
    headers = token(me)
    page = (await client.get("/api/notifications?limit=2&offset=1", headers=headers)).json()
    assert [n["title"] for n in page["items"]] == ["n3", "n2"] and page["total"] == 5
    await client.post(f"/api/notifications/{made[4]['id']}/read", headers=headers)
    unread = (await client.get("/api/notifications?unread=true", headers=headers)).json()
    assert [n["title"] for n in unread["items"]] == ["n3", "n2", "n1", "n0"]
    assert unread["total"] == 4 and unread["unread"] == 4


async def test_marking_one_read_returns_it_and_updates_the_count(client, token):
    me = user()
    note = await notify(client, me, "hello")
    headers = token(me)
    assert (await client.get("/api/notifications/unread-count", headers=headers)).json() == {
        "unread": 1
    }
    resp = await client.post(f"/api/notifications/{note['id']}/read", headers=headers)
    assert resp.status_code == 200
    assert resp.json()["id"] == note["id"] and resp.json()["read_at"] is not None
    again = await client.post(f"/api/notifications/{note['id']}/read", headers=headers)
    assert again.json()["read_at"] == resp.json()["read_at"]  # first read is kept
    count = await client.get("/api/notifications/unread-count", headers=headers)
    assert count.json() == {"unread": 0}


async def test_someone_elses_or_an_unknown_notification_is_404(client, token):
    owner, intruder = user(), user()
    note = await notify(client, owner, "private")
    for path in (f"/api/notifications/{note['id']}/read", "/api/notifications/999999999/read"):
        resp = await client.post(path, headers=token(intruder))
        assert resp.status_code == 404 and resp.json()["code"] == "not_found"
    inbox = (await client.get("/api/notifications", headers=token(owner))).json()
    assert inbox["items"][0]["read_at"] is None


async def test_read_all_marks_only_the_callers(client, token):
    me, other = user(), user()
    for i in range(3):
        await notify(client, me, f"mine {i}")
    await notify(client, other, "theirs")
    resp = await client.post("/api/notifications/read-all", headers=token(me))
    assert resp.status_code == 204 and resp.content == b""
    assert (await client.get("/api/notifications", headers=token(me))).json()["unread"] == 0
    assert (await client.get("/api/notifications", headers=token(other))).json()["unread"] == 1


async def test_the_inbox_needs_a_valid_token(client, token):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        resp = await client.get("/api/notifications", headers=headers)
        assert resp.status_code == 401 and resp.json()["code"] in {
            "not_authenticated",
            "invalid_token",
        }
    expired = token(user(), ttl=-60)
    assert (await client.get("/api/notifications", headers=expired)).status_code == 401
