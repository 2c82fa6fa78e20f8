"""POST /internal/notifications: X-API-Key from NOTIFICATION_API_KEYS, two valid at once."""

from __future__ import annotations

import pytest

from servicedesk_shared.apikeys import ApiKeys

from .conftest import API_KEYS, user

URL = "/internal/notifications"


def body(user_id: str, **extra) -> dict:
    return {"user_id": user_id, "title": "Backup finished", "body": "All green.", **extra}


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-API-Key": ""}, {"X-API-Key": "wrong-key"}, {"X-API-Key": API_KEYS[0] + "x"}],
    ids=["missing", "empty", "wrong", "prefix-of-a-real-one"],
)
async def test_a_missing_or_wrong_key_is_401_json(client, headers):
    resp = await client.post(URL, json=body(user()), headers=headers)
    assert resp.status_code == 401
    assert resp.json() == {
        "detail": "A valid X-API-Key header is required",
        "code": "invalid_api_key",
    }


async def test_a_bad_body_without_a_key_is_still_401(client):
    resp = await client.post(URL, json={"nonsense": True})
    assert resp.status_code == 401


@pytest.mark.parametrize("key", API_KEYS, ids=["first-key", "second-key"])
async def test_either_key_creates_a_notification_the_user_then_sees(client, token, key):
    recipient = user()
    resp = await client.post(
        URL, json=body(recipient, ticket_id=42, kind="backup.done"), headers={"X-API-Key": key}
    )
    assert resp.status_code == 201, resp.text
    created = resp.json()
    assert created["kind"] == "backup.done" and created["ticket_id"] == 42
    assert created["read_at"] is None and created["event_id"] is None
    inbox = (await client.get("/api/notifications", headers=token(recipient))).json()
    assert [n["id"] for n in inbox["items"]] == [created["id"]]


async def test_invalid_bodies_are_422(client):
    headers = {"X-API-Key": API_KEYS[0]}
    for bad in (
        {"title": "no user"},
        body(user(), title=""),
        body(user(), kind="Has Spaces"),
        body(user(), is_admin=True),
    ):
        resp = await client.post(URL, json=bad, headers=headers)
        assert resp.status_code == 422, bad


def test_only_digests_are_kept_and_no_keys_refuse_everything():
    keys = ApiKeys(["k1-secret", "k2-secret"])
    assert "k1-secret" not in repr(vars(keys))
    assert keys.verify("k1-secret") and keys.verify("k2-secret")
    assert not keys.verify("k3-secret") and not keys.verify(None) and not keys.verify("")
    assert not ApiKeys([]).verify("anything")
