"""Every change to who a person is records exactly one event in the outbox, in the same
transaction, with the user as they now are and a directory version that only grows."""

import asyncio

from sqlalchemy import text

from servicedesk_auth import bootstrap
from servicedesk_devtools.testing import unique
from servicedesk_shared.events import EVENTS


async def events_of(conn, user_id):
    rows = await conn.execute(
        text(
            "SELECT type, payload FROM outbox WHERE payload->'data'->>'user_id' = :id "
            "ORDER BY occurred_at"
        ),
        {"id": user_id},
    )
    return [(type_, payload["data"]) for type_, payload in rows.all()]


async def patch_user(client, pair, user_id, **body):
    headers = {"Authorization": f"Bearer {pair['access']}"}
    return await client.patch(f"/api/users/{user_id}", json=body, headers=headers)


async def put_roles(client, pair, user_id, roles):
    headers = {"Authorization": f"Bearer {pair['access']}"}
    return await client.put(f"/api/admin/users/{user_id}/roles", json=roles, headers=headers)


def expected_update(user, version, **changed):
    return {
        "user_id": user["id"],
        "username": user["username"],
        "email": user["email"],
        "display_name": user["username"],
        "is_active": True,
        "is_admin": False,
        "is_superuser": False,
        "version": version,
    } | changed


async def test_registering_records_the_display_name_the_active_flag_and_version_1(
    client, api, conn
):
    user = await api.register()
    assert await events_of(conn, user["id"]) == [
        (
            "user.registered",
            {
                "user_id": user["id"],
                "username": user["username"],
                "email": user["email"],
                "display_name": user["username"],
                "is_active": True,
                "version": 1,
            },
        )
    ]


async def test_changing_the_display_name_records_one_user_updated(client, api, conn):
    user, pair = await api.signed_in()
    headers = {"Authorization": f"Bearer {pair['access']}"}
    response = await client.patch("/api/users/me", json={"display_name": "Ada"}, headers=headers)
    assert response.status_code == 200
    [_, updated] = await events_of(conn, user["id"])
    assert updated == ("user.updated", expected_update(user, 2, display_name="Ada"))


async def test_each_admin_change_records_one_event_with_a_growing_version(client, api, conn):
    user = await api.register()
    root = await api.admin()
    steps = [
        {"email": "new-" + user["email"]},
        {"display_name": "Grace"},
        {"is_active": False},
        {"is_active": True, "is_admin": True},
        {"is_superuser": True},
    ]
    state = {}
    for step in steps:
        assert (await patch_user(client, root, user["id"], **step)).status_code == 200
        state |= step
    events = await events_of(conn, user["id"])
    assert [type_ for type_, _ in events] == ["user.registered"] + ["user.updated"] * len(steps)
    assert [data["version"] for _, data in events] == [1, 2, 3, 4, 5, 6]
    assert events[-1][1] == expected_update(user, 6, **state)
    assert events[3][1]["is_active"] is False and events[2][1]["display_name"] == "Grace"
    me = await client.get(
        f"/api/users/{user['id']}", headers={"Authorization": f"Bearer {root['access']}"}
    )
    assert me.json()["email"] == state["email"]


async def test_a_patch_that_changes_nothing_records_nothing(client, api, conn):
    user = await api.register()
    root = await api.admin()
    same = {"email": user["email"], "is_active": True, "display_name": user["username"]}
    assert (await patch_user(client, root, user["id"], **same)).status_code == 200
    assert [t for t, _ in await events_of(conn, user["id"])] == ["user.registered"]


async def test_a_refused_change_records_nothing(client, api, conn):
    user = await api.register()
    other = await api.register()
    root = await api.admin()
    clash = await patch_user(client, root, user["id"], email=other["email"])
    assert clash.status_code == 409
    assert [t for t, _ in await events_of(conn, user["id"])] == ["user.registered"]


async def test_a_roles_change_records_user_roles_changed_with_the_next_version(client, api, conn):
    user = await api.register()
    root = await api.admin()
    root_id = (
        await client.get("/api/users/me", headers={"Authorization": f"Bearer {root['access']}"})
    ).json()["id"]
    first = await put_roles(client, root, user["id"], [{"system": "TTS", "role": "agent"}])
    assert first.status_code == 200
    await patch_user(client, root, user["id"], display_name="Agent A")
    second = await put_roles(client, root, user["id"], [{"system": "HDTS", "role": "manager"}])
    assert second.status_code == 200
    events = await events_of(conn, user["id"])
    assert [(t, d["version"]) for t, d in events] == [
        ("user.registered", 1),
        ("user.roles_changed", 2),
        ("user.updated", 3),
        ("user.roles_changed", 4),
    ]
    assert events[3][1] == {
        "user_id": user["id"],
        "actor_id": root_id,
        "systems": {"HDTS": "manager"},
        "previous": {"TTS": "agent"},
        "version": 4,
    }


async def test_unchanged_roles_record_nothing(client, api, conn):
    user = await api.register()
    root = await api.admin()
    roles = [{"system": "TTS", "role": "agent"}]
    await put_roles(client, root, user["id"], roles)
    await put_roles(client, root, user["id"], roles)
    assert [t for t, _ in await events_of(conn, user["id"])] == [
        "user.registered",
        "user.roles_changed",
    ]


async def test_every_recorded_payload_parses_as_its_contract_model(client, api, conn):
    user = await api.register()
    root = await api.admin()
    await patch_user(client, root, user["id"], display_name="Parsed")
    await put_roles(client, root, user["id"], [{"system": "TTS", "role": "agent"}])
    for type_, data in await events_of(conn, user["id"]):
        model = EVENTS[type_].model_validate(data)
        assert model.model_dump(by_alias=True) == data


async def test_old_user_events_still_parse_with_defaults():
    registered = EVENTS["user.registered"].model_validate(
        {"user_id": "u", "username": "ada", "email": "a@example.com"}
    )
    assert (registered.display_name, registered.is_active, registered.version) == (None, True, 0)
    roles = EVENTS["user.roles_changed"].model_validate(
        {"user_id": "u", "actor_id": "a", "systems": {}, "previous": {}}
    )
    assert roles.version == 0


async def test_the_bootstrap_superuser_is_published_once_and_a_repromotion_as_an_update(app):
    runtime, name = app.state.runtime, unique("boss")
    admin = (name, f"{name}@example.com", "Tidal-Copper-Orchard-88")
    try:
        ensure = [bootstrap.ensure_admin(runtime.sessions, runtime.hasher, admin) for _ in range(3)]
        await asyncio.gather(*ensure)
        await execute(
            runtime.engine, "UPDATE users SET is_admin = false WHERE username = :u", u=name
        )
        await bootstrap.ensure_admin(runtime.sessions, runtime.hasher, admin)
        await bootstrap.ensure_admin(runtime.sessions, runtime.hasher, admin)
        async with runtime.engine.connect() as connection:
            user_id = await connection.scalar(
                text("SELECT id::text FROM users WHERE username = :u"), {"u": name}
            )
            events = await events_of(connection, user_id)
    finally:  # no other active superuser may outlive the test
        await execute(
            runtime.engine,
            "UPDATE users SET is_superuser = false, is_active = false WHERE username = :u",
            u=name,
        )
    assert [(t, d["version"]) for t, d in events] == [("user.registered", 1), ("user.updated", 2)]
    assert events[1][1]["is_admin"] is True and events[1][1]["is_superuser"] is True


async def execute(engine, sql, **params):
    async with engine.begin() as connection:
        await connection.execute(text(sql), params)
