"""Refresh rotation and reuse, logout, and the auth service's own token checks."""

import time

from sqlalchemy import text

from servicedesk_devtools.testing import eventually, make_access_token
from servicedesk_shared import tokens
from servicedesk_shared.redis import Keys


async def me(client, access: str):
    return await client.get("/api/users/me", headers={"Authorization": f"Bearer {access}"})


async def refresh(client, token: str):
    return await client.post("/api/token/refresh", json={"refresh": token})


async def test_me_returns_the_caller_with_roles(client, api, bearer):
    user, pair = await api.signed_in()
    response = await client.get("/api/users/me", headers=bearer(pair))
    assert response.status_code == 200
    assert response.json()["id"] == user["id"]
    assert response.json()["roles"] == ["user"]


async def test_no_token_or_a_garbage_token_is_401(client):
    assert (await client.get("/api/users/me")).status_code == 401
    assert (await me(client, "not.a.token")).status_code == 401
    assert (await me(client, "not.a.token")).json()["code"] == "token_invalid"


async def test_a_refresh_token_is_not_an_access_token(client, api):
    _, pair = await api.signed_in()
    assert (await me(client, pair["refresh"])).status_code == 401


async def test_an_access_token_is_not_a_refresh_token(client, api):
    _, pair = await api.signed_in()
    assert (await refresh(client, pair["access"])).status_code == 401


async def test_a_well_signed_token_for_a_stale_token_version_is_refused(client, api, settings):
    user, _ = await api.signed_in()
    forged = make_access_token(settings.token_settings, sub=user["id"], tv=-1)
    assert (await me(client, forged)).status_code == 401


async def test_a_token_accepted_once_is_refused_when_it_expires(client, api, settings):
    """Auth remembers a verified token (`runtime.access`) but checks its `exp` each time."""
    user, _ = await api.signed_in()
    short = make_access_token(settings.token_settings, sub=user["id"], ttl=1)
    assert (await me(client, short)).status_code == 200
    exp = tokens.verify_access(settings.token_settings, short).exp

    async def refused() -> bool:
        return (await me(client, short)).status_code == 401

    assert await eventually(refused, timeout=5)
    assert time.time() >= exp


async def test_refreshing_rotates_the_refresh_token(client, api):
    _, pair = await api.signed_in()
    response = await refresh(client, pair["refresh"])
    assert response.status_code == 200
    rotated = response.json()
    assert rotated["refresh"] != pair["refresh"]
    assert (await me(client, rotated["access"])).status_code == 200
    assert (await refresh(client, rotated["refresh"])).status_code == 200


async def test_reusing_a_refresh_token_revokes_the_whole_family(client, api):
    _, pair = await api.signed_in()
    rotated = (await refresh(client, pair["refresh"])).json()
    reused = await refresh(client, pair["refresh"])
    assert reused.status_code == 401
    assert (await refresh(client, rotated["refresh"])).status_code == 401


async def test_reuse_revocation_is_committed_although_the_request_fails(
    committing_client, committing_api, app
):
    _, pair = await committing_api.signed_in()
    rotated = (await refresh(committing_client, pair["refresh"])).json()
    assert (await refresh(committing_client, pair["refresh"])).status_code == 401
    async with app.state.runtime.engine.connect() as conn:
        revoked = await conn.scalar(
            text(
                "SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NOT NULL AND family = "
                "(SELECT family FROM refresh_tokens WHERE jti = :jti)"
            ),
            {"jti": _jti(rotated["refresh"])},
        )
    assert revoked == 2


def _jti(token: str) -> str:
    import jwt

    return jwt.decode(token, options={"verify_signature": False})["jti"]


async def test_logout_revokes_the_access_and_the_refresh_token(client, api, app, bearer):
    _, pair = await api.signed_in()
    response = await client.post(
        "/api/auth/logout", json={"refresh": pair["refresh"]}, headers=bearer(pair)
    )
    assert response.status_code == 204
    assert (await me(client, pair["access"])).status_code == 401
    assert (await refresh(client, pair["refresh"])).status_code == 401
    keys = Keys(app.state.settings.redis_key_prefix)
    ttl = await app.state.runtime.redis.ttl(keys.deny_jti(_jti(pair["access"])))
    assert 0 < ttl <= 901


async def test_logout_needs_the_access_token(client, api):
    _, pair = await api.signed_in()
    response = await client.post("/api/auth/logout", json={"refresh": pair["refresh"]})
    assert response.status_code == 401


async def test_logout_refuses_someone_elses_refresh_token(client, api, bearer):
    _, mine = await api.signed_in()
    _, theirs = await api.signed_in()
    response = await client.post(
        "/api/auth/logout", json={"refresh": theirs["refresh"]}, headers=bearer(mine)
    )
    assert response.status_code == 401
    assert (await refresh(client, theirs["refresh"])).status_code == 200


async def test_logout_everywhere_ends_every_session_of_the_caller_only(client, api, app, bearer):
    user, laptop = await api.signed_in()
    phone = await api.login(user["username"])
    _, someone_else = await api.signed_in()
    response = await client.post("/api/auth/logout-all", headers=bearer(phone))
    assert response.status_code == 204
    for pair in (laptop, phone):
        assert (await me(client, pair["access"])).status_code == 401
        assert (await refresh(client, pair["refresh"])).status_code == 401
    keys = Keys(app.state.settings.redis_key_prefix)
    assert await app.state.runtime.redis.get(keys.token_version(user["id"])) is not None
    assert (await me(client, someone_else["access"])).status_code == 200
    fresh = await api.login(user["username"])  # signing in again works
    assert (await me(client, fresh["access"])).status_code == 200
    assert (await client.post("/api/auth/logout-all")).status_code == 401
