"""Per-system roles: who may set them, where, and the audit trail they leave."""

from sqlalchemy import text


async def put_roles(client, pair, user_id, roles, **headers):
    return await client.put(
        f"/api/admin/users/{user_id}/roles",
        json=roles,
        headers={"Authorization": f"Bearer {pair['access']}", **headers},
    )


async def system_admin(client, api, system="TTS"):
    user, pair = await api.signed_in()
    root = await api.admin()
    assert (
        await put_roles(client, root, user["id"], [{"system": system, "role": "admin"}])
    ).status_code == 200
    return user, pair


async def test_everyone_signed_in_lists_the_seeded_systems(client, api, bearer):
    _, pair = await api.signed_in()
    response = await client.get("/api/systems", headers=bearer(pair))
    assert {s["name"] for s in response.json()} >= {"TTS", "HDTS"}
    assert (await client.get("/api/systems")).status_code == 401


async def test_a_superuser_sets_roles_and_they_show_in_me_and_the_token(client, api, bearer):
    user, _ = await api.signed_in()
    root = await api.admin()
    response = await put_roles(client, root, user["id"], [{"system": "TTS", "role": "agent"}])
    assert response.status_code == 200
    assert response.json()["systems"] == {"TTS": "agent"}
    pair = await api.login(user["username"])
    assert (await client.get("/api/users/me", headers=bearer(pair))).json()["systems"] == {
        "TTS": "agent"
    }


async def test_a_system_admin_sets_roles_in_their_system_only(client, api):
    _, admin = await system_admin(client, api, "TTS")
    target = await api.register()
    inside = await put_roles(client, admin, target["id"], [{"system": "TTS", "role": "manager"}])
    assert inside.status_code == 200
    outside = await put_roles(client, admin, target["id"], [{"system": "HDTS", "role": "agent"}])
    assert outside.status_code == 403


async def test_a_system_admin_leaves_roles_in_other_systems_alone(client, api):
    _, admin = await system_admin(client, api, "TTS")
    target = await api.register()
    root = await api.admin()
    await put_roles(client, root, target["id"], [{"system": "HDTS", "role": "manager"}])
    response = await put_roles(client, admin, target["id"], [{"system": "TTS", "role": "agent"}])
    assert response.json()["systems"] == {"HDTS": "manager", "TTS": "agent"}


async def test_plain_users_and_agents_may_not_set_roles(client, api):
    _, pair = await api.signed_in()
    target = await api.register()
    response = await put_roles(client, pair, target["id"], [{"system": "TTS", "role": "admin"}])
    assert response.status_code == 403


async def test_unknown_systems_roles_and_fields_are_422(client, api):
    root = await api.admin()
    target = await api.register()
    for roles in (
        [{"system": "NOPE", "role": "agent"}],
        [{"system": "TTS", "role": "overlord"}],
        [{"system": "TTS", "role": "agent", "extra": 1}],
        [{"system": "TTS", "role": "agent"}, {"system": "TTS", "role": "admin"}],
    ):
        assert (await put_roles(client, root, target["id"], roles)).status_code == 422


async def test_role_changes_are_audited_with_an_outbox_event(client, api, conn):
    target = await api.register()
    root = await api.admin()
    roles = [{"system": "TTS", "role": "agent"}]
    await put_roles(client, root, target["id"], roles, **{"X-Request-ID": "req-roles-000001"})
    audit = await conn.execute(
        text("SELECT old, new, request_id FROM role_changes WHERE target_id = :id"),
        {"id": target["id"]},
    )
    assert audit.all() == [({}, {"TTS": "agent"}, "req-roles-000001")]
    events = await conn.execute(
        text(
            "SELECT payload FROM outbox WHERE type = 'user.roles_changed' "
            "AND payload->'data'->>'user_id' = :id"
        ),
        {"id": target["id"]},
    )
    [payload] = events.scalars().all()
    assert payload["data"]["systems"] == {"TTS": "agent"}
    assert payload["correlation_id"] == "req-roles-000001"


async def test_a_role_demotion_kills_the_users_tokens(client, api, bearer):
    target, _ = await api.signed_in()
    root = await api.admin()
    await put_roles(client, root, target["id"], [{"system": "TTS", "role": "manager"}])
    pair = await api.login(target["username"])
    await put_roles(client, root, target["id"], [{"system": "TTS", "role": "agent"}])
    assert (await client.get("/api/users/me", headers=bearer(pair))).status_code == 401
