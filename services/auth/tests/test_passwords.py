"""Changing one's password, the history of five, and Argon2id with the real parameters."""

import asyncio

from servicedesk_auth.config import Settings
from servicedesk_auth.passwords.hashing import PasswordHasher
from servicedesk_shared.redis import Keys

PASSWORD = "violet-harbour-lantern"
NEW = [f"amber-quarry-{n}-whistle" for n in range(6)]


async def change(client, pair, current, new):
    return await client.post(
        "/api/users/me/password",
        json={"current_password": current, "new_password": new},
        headers={"Authorization": f"Bearer {pair['access']}"},
    )


async def test_changing_the_password_kills_every_old_token(client, api, app):
    user, pair = await api.signed_in()
    other_session = await api.login(user["username"])
    assert (await change(client, pair, PASSWORD, NEW[0])).status_code == 204
    for old in (pair, other_session):
        assert (
            await client.get("/api/users/me", headers={"Authorization": f"Bearer {old['access']}"})
        ).status_code == 401
        assert (
            await client.post("/api/token/refresh", json={"refresh": old["refresh"]})
        ).status_code == 401
    keys = Keys(app.state.settings.redis_key_prefix)
    assert await app.state.runtime.redis.get(keys.token_version(user["id"])) == b"1"
    assert (
        await client.post("/api/token", json={"username": user["username"], "password": PASSWORD})
    ).status_code == 401
    assert (await api.login(user["username"], NEW[0]))["access"]


async def test_a_wrong_current_password_is_a_422(client, api):
    _, pair = await api.signed_in()
    response = await change(client, pair, "not-my-password", NEW[0])
    assert response.status_code == 422
    assert response.json()["code"] == "wrong_password"


async def test_a_weak_new_password_lists_the_rules_it_breaks(client, api):
    _, pair = await api.signed_in()
    response = await change(client, pair, PASSWORD, "1234")
    assert response.status_code == 422
    assert {e["rule"] for e in response.json()["errors"]} == {"min_length", "common", "numeric"}


async def test_the_last_five_passwords_cannot_be_reused(client, api):
    user, pair = await api.signed_in()
    current = PASSWORD
    for new in NEW[:4]:
        assert (await change(client, pair, current, new)).status_code == 204
        current, pair = new, await api.login(user["username"], new)
    for old in (PASSWORD, NEW[0], NEW[3]):
        response = await change(client, pair, current, old)
        assert response.status_code == 422
        assert response.json()["code"] == "password_reused"
    assert (await change(client, pair, current, NEW[4])).status_code == 204
    pair = await api.login(user["username"], NEW[4])
    assert (await change(client, pair, NEW[4], PASSWORD)).status_code == 204


async def test_argon2id_with_the_real_parameters_runs_off_the_event_loop():
    defaults = Settings(jwt_secret_keys="t:" + "k" * 64, environment="test")
    hasher = PasswordHasher(
        memory_cost=defaults.argon2_memory_cost,
        time_cost=defaults.argon2_time_cost,
        parallelism=defaults.argon2_parallelism,
        workers=2,
    )
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.001)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        encoded = await hasher.hash(PASSWORD)
        assert await hasher.verify(encoded, PASSWORD)
        assert not await hasher.verify(encoded, PASSWORD + "x")
    finally:
        task.cancel()
        hasher.close()
    assert encoded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert not hasher.needs_rehash(encoded)
    assert ticks > 3
