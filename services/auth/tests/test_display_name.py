"""`display_name`: set by the user (`PATCH /api/users/me`) or an admin, the username while
unset, 1 to 100 characters without control characters."""

import pytest

LONGEST = "Ä" * 100
CONTROL = ["Ada\tLovelace", "Ada\n", "\tAda", "Ada\x7f", "Ada\x85", "\x1b[31mAda"]


async def patch_me(client, pair, **body):
    headers = {"Authorization": f"Bearer {pair['access']}"}
    return await client.patch("/api/users/me", json=body, headers=headers)


async def test_a_new_user_is_shown_by_their_username(client, api, bearer):
    user, pair = await api.signed_in()
    assert user["display_name"] == user["username"]
    me = await client.get("/api/users/me", headers=bearer(pair))
    assert me.json()["display_name"] == user["username"]


async def test_a_user_sets_their_display_name_and_it_shows_everywhere(client, api, bearer):
    user, pair = await api.signed_in()
    response = await patch_me(client, pair, display_name="  Ada Lovelace ")
    assert response.status_code == 200, response.text
    assert response.json()["display_name"] == "Ada Lovelace"
    assert response.json()["id"] == user["id"]
    me = await client.get("/api/users/me", headers=bearer(pair))
    assert me.json()["display_name"] == "Ada Lovelace"
    listed = await client.get(
        "/api/users", params={"q": "ada love"}, headers=bearer(await api.admin())
    )
    assert [u["id"] for u in listed.json()["items"]] == [user["id"]]


async def test_a_display_name_of_100_characters_is_accepted(client, api):
    _, pair = await api.signed_in()
    response = await patch_me(client, pair, display_name=LONGEST)
    assert response.status_code == 200, response.text
    assert response.json()["display_name"] == LONGEST


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
async def test_an_empty_or_too_long_display_name_is_a_422(client, api, name):
    _, pair = await api.signed_in()
    response = await patch_me(client, pair, display_name=name)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "display_name"]


@pytest.mark.parametrize("name", CONTROL)
async def test_a_display_name_with_control_characters_is_a_422_naming_them(client, api, name):
    _, pair = await api.signed_in()
    response = await patch_me(client, pair, display_name=name)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["errors"][0]["type"] == "string_control_character"
    assert "display_name: " in body["detail"] and "control characters" in body["detail"]


@pytest.mark.parametrize("body", [{}, {"display_name": None}, {"is_admin": True}])
async def test_the_own_profile_takes_a_display_name_and_nothing_else(client, api, body):
    _, pair = await api.signed_in()
    assert (await patch_me(client, pair, **body)).status_code == 422


async def test_a_nul_in_a_display_name_is_a_422(client, api):
    _, pair = await api.signed_in()
    response = await patch_me(client, pair, display_name="Ada\x00")
    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "string_control_character"  # NUL is one


async def test_changing_the_display_name_needs_a_signed_in_user(client):
    assert (await client.patch("/api/users/me", json={"display_name": "X"})).status_code == 401


async def test_an_admin_sets_someones_display_name(client, api, bearer):
    user = await api.register()
    root = await api.admin()
    response = await client.patch(
        f"/api/users/{user['id']}", json={"display_name": "Grace Hopper"}, headers=bearer(root)
    )
    assert response.status_code == 200, response.text
    assert response.json()["display_name"] == "Grace Hopper"
    again = await client.get(f"/api/users/{user['id']}", headers=bearer(root))
    assert again.json()["display_name"] == "Grace Hopper"


async def test_an_admin_may_not_set_a_display_name_with_control_characters(client, api, bearer):
    user = await api.register()
    response = await client.patch(
        f"/api/users/{user['id']}", json={"display_name": "G\rH"}, headers=bearer(await api.admin())
    )
    assert response.status_code == 422


async def test_the_users_search_treats_wildcards_literally(client, api, bearer):
    user = await api.register()
    root = await api.admin()
    await client.patch(
        f"/api/users/{user['id']}", json={"display_name": "100% Pure_Name"}, headers=bearer(root)
    )
    found = await client.get("/api/users", params={"q": "0% pure_"}, headers=bearer(root))
    assert [u["id"] for u in found.json()["items"]] == [user["id"]]
    assert found.json()["total"] == 1
    none = await client.get("/api/users", params={"q": "%_%_%_%_%"}, headers=bearer(root))
    assert none.json()["items"] == []
