"""`GET /internal/users`: the people directory for the tickets backfill, behind X-API-Key,
in keyset pages by id."""

import uuid

import pytest
from asgi_lifespan import LifespanManager

from servicedesk_auth.main import create_app

from .conftest import API_KEY, http_client

KEY = {"X-API-Key": API_KEY}


async def page(client, **params):
    response = await client.get("/internal/users", params=params, headers=KEY)
    assert response.status_code == 200, response.text
    return response.json()


async def everyone(client, limit):
    """Every user, page by page: full pages, each `next` its last id, until `next` is null."""
    items, after = [], None
    while True:
        body = await page(client, limit=limit, **({"after": after} if after else {}))
        items += body["items"]
        if body["next"] is None:
            assert len(body["items"]) <= limit
            return items
        assert len(body["items"]) == limit and body["next"] == body["items"][-1]["id"]
        after = body["next"]


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}, {"X-API-Key": ""}])
async def test_without_the_right_key_the_directory_is_a_401(client, headers):
    response = await client.get("/internal/users", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_api_key"


async def test_with_no_keys_configured_every_call_is_refused(settings_for):
    app = create_app(settings_for(api_keys=None))
    async with LifespanManager(app), http_client(app) as client:
        response = await client.get("/internal/users", headers=KEY)
    assert response.status_code == 401


@pytest.mark.parametrize("limit", [0, 501, -1, "many"])
async def test_a_limit_outside_1_to_500_is_a_422(client, limit):
    response = await client.get("/internal/users", params={"limit": limit}, headers=KEY)
    assert response.status_code == 422


async def test_an_after_that_is_not_a_uuid_is_a_422(client):
    response = await client.get("/internal/users", params={"after": "42"}, headers=KEY)
    assert response.status_code == 422


async def test_a_user_is_listed_with_name_flags_roles_and_version(client, api, bearer):
    user = await api.register()
    root = await api.admin()
    await client.put(
        f"/api/admin/users/{user['id']}/roles",
        json=[{"system": "TTS", "role": "agent"}],
        headers=bearer(root),
    )
    await client.patch(
        f"/api/users/{user['id']}", json={"display_name": "Agent Ada"}, headers=bearer(root)
    )
    before = str(uuid.UUID(int=uuid.UUID(user["id"]).int - 1))
    [item] = (await page(client, after=before, limit=1))["items"]
    assert item == {
        "id": user["id"],
        "username": user["username"],
        "email": user["email"],
        "display_name": "Agent Ada",
        "is_active": True,
        "is_admin": False,
        "is_superuser": False,
        "systems": {"TTS": "agent"},
        "version": 3,
    }


async def test_pages_follow_on_with_after_in_id_order_without_gaps(client, api):
    created = {(await api.register())["id"] for _ in range(5)}
    whole = await page(client, limit=500)
    assert whole["next"] is None or len(whole["items"]) == 500
    ids = [item["id"] for item in await everyone(client, limit=2)]
    assert ids == sorted(ids, key=uuid.UUID) and len(set(ids)) == len(ids)
    assert created <= set(ids)
    if len(whole["items"]) < 500:
        assert ids == [item["id"] for item in whole["items"]]


async def test_the_last_page_says_there_is_no_next(client, api):
    last_id = (await everyone(client, limit=500))[-1]["id"]
    body = await page(client, after=last_id)
    assert body == {"items": [], "next": None}
