"""Per-system roles: who may set them, where, and the audit trail they leave."""

import uuid

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


async def create_system(client, pair, **body):
    return await client.post(
        "/api/systems", json=body, headers={"Authorization": f"Bearer {pair['access']}"}
    )


def new_code() -> str:
    return "S" + uuid.uuid4().hex[:10].upper()


async def test_a_superuser_creates_a_system_and_it_is_listed(client, api, bearer):
    root = await api.admin()
    code = new_code()
    response = await create_system(client, root, code=code, name="  Human resources ")
    assert response.status_code == 201, response.text
    assert response.json() == {"code": code, "name": "Human resources"}
    listed = (await client.get("/api/systems", headers=bearer(root))).json()
    assert {"name": code, "description": "Human resources"} in listed


async def test_a_taken_system_code_is_409(client, api):
    root = await api.admin()
    for code in ("TTS", "HDTS"):
        response = await create_system(client, root, code=code, name="Again")
        assert response.status_code == 409
        assert response.json()["code"] == "system_exists"


async def test_only_superusers_create_systems(client, api):
    _, pair = await api.signed_in()
    assert (await create_system(client, pair, code=new_code(), name="X")).status_code == 403
    _, admin = await system_admin(client, api, "TTS")
    assert (await create_system(client, admin, code=new_code(), name="X")).status_code == 403
    assert (await client.post("/api/systems", json={"code": "AB", "name": "X"})).status_code == 401


async def test_bad_system_codes_and_names_are_422(client, api):
    root = await api.admin()
    for body in (
        {"code": "A", "name": "Too short"},
        {"code": "A" * 17, "name": "Too long"},
        {"code": "hr", "name": "Lower case"},
        {"code": "H-R", "name": "A dash"},
        {"code": "HR ", "name": "A space"},
        {"code": "HR", "name": ""},
        {"code": "HR", "name": "   "},
        {"code": "HR", "name": "x" * 101},
        {"code": "HR"},
        {"code": "HR", "name": "HR", "workflow": {}},
    ):
        assert (await create_system(client, root, **body)).status_code == 422, body


async def test_a_new_system_records_one_system_created_event(client, api, conn):
    root = await api.admin()
    me = await client.get("/api/users/me", headers={"Authorization": f"Bearer {root['access']}"})
    code = new_code()
    await create_system(client, root, code=code, name="Facilities")
    events = await conn.execute(
        text(
            "SELECT payload FROM outbox WHERE type = 'system.created' "
            "AND payload->'data'->>'code' = :code"
        ),
        {"code": code},
    )
    [payload] = events.scalars().all()
    assert payload["data"] == {"code": code, "name": "Facilities", "actor_id": me.json()["id"]}
    assert payload["producer"] == "auth"


async def test_a_taken_code_records_no_event(client, api, conn):
    root = await api.admin()
    await create_system(client, root, code="TTS", name="Again")
    count = await conn.scalar(
        text(
            "SELECT count(*) FROM outbox WHERE type = 'system.created' "
            "AND payload->'data'->>'code' = 'TTS'"
        )
    )
    assert count == 0


async def test_roles_may_be_given_in_a_new_system(client, api):
    root = await api.admin()
    code = new_code()
    assert (await create_system(client, root, code=code, name="Legal")).status_code == 201
    target = await api.register()
    response = await put_roles(client, root, target["id"], [{"system": code, "role": "agent"}])
    assert response.status_code == 200, response.text
    assert response.json()["systems"] == {code: "agent"}
