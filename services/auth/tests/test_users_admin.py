"""User administration: admins only, superuser-only flags, the last superuser, deactivation."""

import pytest
from sqlalchemy import text


async def promote(client, api, user_id, **flags):
    root = await api.admin()
    response = await client.patch(
        f"/api/users/{user_id}", json=flags, headers={"Authorization": f"Bearer {root['access']}"}
    )
    assert response.status_code == 200, response.text
    return response.json()


async def admin_session(client, api):
    user, _ = await api.signed_in()
    await promote(client, api, user["id"], is_admin=True)
    return user, await api.login(user["username"])


async def test_plain_users_may_not_list_users(client, api, bearer, caplog):
    _, pair = await api.signed_in()
    response = await client.get("/api/users", headers=bearer(pair))
    assert response.status_code == 403
    assert any(r.msg == "access_denied" for r in caplog.records)


async def test_admins_list_users_with_a_total(client, api, bearer):
    _, pair = await admin_session(client, api)
    response = await client.get("/api/users?limit=1&offset=0", headers=bearer(pair))
    assert response.status_code == 200
    assert len(response.json()["items"]) == 1
    assert response.json()["total"] >= 2


async def test_admins_get_one_user_or_404(client, api, bearer):
    user, pair = await admin_session(client, api)
    assert (await client.get(f"/api/users/{user['id']}", headers=bearer(pair))).status_code == 200
    missing = "00000000-0000-4000-8000-000000000000"
    assert (await client.get(f"/api/users/{missing}", headers=bearer(pair))).status_code == 404


async def test_an_admin_may_not_grant_admin(client, api, bearer):
    _, pair = await admin_session(client, api)
    target = await api.register()
    for flags in ({"is_admin": True}, {"is_superuser": True}):
        response = await client.patch(
            f"/api/users/{target['id']}", json=flags, headers=bearer(pair)
        )
        assert response.status_code == 403


async def test_a_superuser_grants_admin(client, api):
    target = await api.register()
    assert (await promote(client, api, target["id"], is_admin=True))["roles"] == ["user", "admin"]


@pytest.mark.parametrize("body", [{"password_hash": "x"}, {"id": "x"}, {"is_active": None}])
async def test_patch_refuses_unknown_fields_and_nulls(client, api, bearer, body):
    _, pair = await admin_session(client, api)
    target = await api.register()
    response = await client.patch(f"/api/users/{target['id']}", json=body, headers=bearer(pair))
    assert response.status_code == 422


async def test_deactivation_kills_the_users_tokens(client, api, bearer):
    user, pair = await api.signed_in()
    _, admin = await admin_session(client, api)
    response = await client.patch(
        f"/api/users/{user['id']}", json={"is_active": False}, headers=bearer(admin)
    )
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert (await client.get("/api/users/me", headers=bearer(pair))).status_code == 401
    refreshed = await client.post("/api/token/refresh", json={"refresh": pair["refresh"]})
    assert refreshed.status_code == 401
    login = await client.post(
        "/api/token", json={"username": user["username"], "password": "violet-harbour-lantern"}
    )
    assert login.json()["code"] == "invalid_credentials"


async def test_demoting_an_admin_kills_their_admin_tokens(client, api, bearer):
    user, pair = await admin_session(client, api)
    await promote(client, api, user["id"], is_admin=False)
    assert (await client.get("/api/users", headers=bearer(pair))).status_code == 401


async def test_an_admin_may_not_touch_a_superuser(client, api, bearer, conn):
    _, pair = await admin_session(client, api)
    root_id = (
        await conn.execute(text("SELECT id FROM users WHERE username = 'root'"))
    ).scalar_one()
    response = await client.patch(
        f"/api/users/{root_id}", json={"is_active": False}, headers=bearer(pair)
    )
    assert response.status_code == 403


async def test_the_last_superuser_cannot_deactivate_or_demote_themselves(client, api, bearer, conn):
    root = await api.admin()
    root_id = (
        await conn.execute(text("SELECT id FROM users WHERE username = 'root'"))
    ).scalar_one()
    for flags in ({"is_active": False}, {"is_superuser": False}):
        response = await client.patch(f"/api/users/{root_id}", json=flags, headers=bearer(root))
        assert response.status_code == 409
        assert response.json()["code"] == "last_superuser"


async def test_email_changes_must_stay_unique(client, api, bearer):
    _, pair = await admin_session(client, api)
    first, second = await api.register(), await api.register()
    response = await client.patch(
        f"/api/users/{second['id']}", json={"email": first["email"].upper()}, headers=bearer(pair)
    )
    assert response.status_code == 409
