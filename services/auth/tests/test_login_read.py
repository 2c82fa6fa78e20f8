"""Signing in on asyncpg (`sessions/login.py`): the account read as the entity reads it,
no pooled connection held while the password is verified, and the writes of a sign-in in
one transaction that keeps nothing when the TOTP code is refused."""

import base64
import hashlib
import time
import uuid

import jwt
import pyotp
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_auth.sessions import login as sign_in
from servicedesk_auth.sessions.models import RefreshToken
from servicedesk_auth.sessions.tokens import access_claims_for
from servicedesk_auth.users.models import User
from servicedesk_shared import reads

PASSWORD = "violet-harbour-lantern"  # conftest.PASSWORD


def code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


async def enabled_user(client, api, bearer) -> tuple[dict, str]:
    """A user with TOTP on, and its secret (the current step's code used to confirm)."""
    user, pair = await api.signed_in()
    secret = (await client.post("/api/users/me/mfa/totp", headers=bearer(pair))).json()["secret"]
    confirm = await client.post(
        "/api/users/me/mfa/totp/verify", json={"otp": code(secret)}, headers=bearer(pair)
    )
    assert confirm.status_code == 200
    return user, secret


async def login(client, user, **extra):
    body = {"username": user["username"], "password": PASSWORD, **extra}
    return await client.post("/api/token", json=body)


async def _entity(conn, user_id: str) -> User:
    async with AsyncSession(bind=conn) as session:
        return await session.scalar(select(User).where(User.id == uuid.UUID(user_id)))


async def _refresh_tokens(conn, user_id: str) -> int:
    query = select(func.count()).where(RefreshToken.user_id == uuid.UUID(user_id))
    return (await conn.execute(query)).scalar_one()


async def test_the_account_is_read_as_the_entity_reads_it(api, conn, grant):
    user = await api.register()
    await grant(user["id"], TTS="agent", HDTS="manager")
    await conn.execute(text("UPDATE users SET is_admin = true WHERE id = :u"), {"u": user["id"]})
    entity = await _entity(conn, user["id"])
    for typed in (user["username"].upper(), f"  {user['email']} "):
        account = await sign_in.read_account(await reads.driver(conn), login=typed)
        assert access_claims_for(account) == access_claims_for(entity)
        assert (account.password_hash, account.is_active) == (entity.password_hash, True)
        assert list(account.systems) == ["HDTS", "TTS"]
        assert account.totp is None


async def test_an_unknown_name_reads_no_account(conn):
    assert await sign_in.read_account(await reads.driver(conn), login="nobody-at-all") is None


async def test_a_username_match_wins_over_another_users_email(api, conn):
    """`login` may be one user's username and another's e-mail: the username wins."""
    first, second = await api.register(), await api.register()
    await conn.execute(
        text("UPDATE users SET email = :e WHERE id = :u"),
        {"e": first["username"], "u": second["id"]},
    )
    account = await sign_in.read_account(await reads.driver(conn), login=first["username"])
    assert str(account.id) == first["id"]


async def test_claims_of_a_sign_in_carry_the_systems_granted(client, api, conn, settings, grant):
    user = await api.register()
    await grant(user["id"], TTS="agent")
    pair = await api.login(user["username"])
    claims = jwt.decode(pair["access"], options={"verify_signature": False})
    assert claims["systems"] == {"TTS": "agent"}
    assert claims["roles"] == ["user"]


async def test_only_a_confirmed_device_asks_for_a_code(client, api, bearer, conn):
    user, pair = await api.signed_in()
    response = await client.post("/api/users/me/mfa/totp", headers=bearer(pair))
    assert response.status_code == 200  # enrolled, not confirmed
    account = await sign_in.read_account(await reads.driver(conn), login=user["username"])
    assert account.totp is None
    assert (await login(client, user)).status_code == 200


async def test_a_refused_code_keeps_nothing_and_a_good_one_stores_one_refresh_token(
    client, api, bearer, conn
):
    user, secret = await enabled_user(client, api, bearer)
    before = await _refresh_tokens(conn, user["id"])
    wrong = "123456" if code(secret, 1) != "123456" else "654321"
    assert (await login(client, user, otp=wrong)).json()["code"] == "mfa_invalid"
    assert (await login(client, user)).json()["code"] == "mfa_required"
    assert await _refresh_tokens(conn, user["id"]) == before
    assert (await login(client, user, otp=code(secret, 1))).status_code == 200
    assert await _refresh_tokens(conn, user["id"]) == before + 1


async def test_no_pooled_connection_is_held_while_the_password_is_verified(
    app, committing_client, committing_api, monkeypatch
):
    """No test transaction: the sign-in borrows from the engine's own pool, and gives the
    connection back before the Argon2 verify (which may queue behind other sign-ins)."""
    user = await committing_api.register()
    runtime = app.state.runtime
    pool = runtime.engine.pool
    held_while_verifying: list[int] = []
    verify = runtime.hasher.verify

    async def watched_verify(encoded: str, password: str) -> bool:
        held_while_verifying.append(pool.checkedout())
        return await verify(encoded, password)

    monkeypatch.setattr(runtime.hasher, "verify", watched_verify)
    assert pool.checkedout() == 0
    pair = await committing_api.login(user["username"])
    assert held_while_verifying == [0]
    refreshed = await committing_client.post(
        "/api/token/refresh", json={"refresh": pair["refresh"]}
    )
    assert refreshed.status_code == 200, "the refresh token was not committed"


def _legacy_hash(password: str = PASSWORD) -> str:
    """A Django PBKDF2 hash, as test_login writes it: it verifies, then needs a rehash."""
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), b"seasalt", 1000)
    return f"pbkdf2_sha256$1000$seasalt${base64.b64encode(digest).decode()}"


async def _stored_hash(conn, user_id: str) -> str:
    query = text("SELECT password_hash FROM users WHERE id = :id")
    return (await conn.execute(query, {"id": user_id})).scalar_one()


async def test_with_totp_and_an_old_hash_a_sign_in_writes_all_or_nothing(client, api, bearer, conn):
    """Three writes (the TOTP step, the new hash, the refresh token) in one transaction:
    a refused code upgrades no hash and stores no token; a good one does both."""
    user, secret = await enabled_user(client, api, bearer)
    legacy = _legacy_hash()
    await conn.execute(
        text("UPDATE users SET password_hash = :h WHERE id = :id"), {"h": legacy, "id": user["id"]}
    )
    before = await _refresh_tokens(conn, user["id"])
    wrong = "123456" if code(secret, 1) != "123456" else "654321"
    assert (await login(client, user, otp=wrong)).json()["code"] == "mfa_invalid"
    assert await _stored_hash(conn, user["id"]) == legacy
    assert await _refresh_tokens(conn, user["id"]) == before
    assert (await login(client, user, otp=code(secret, 1))).status_code == 200
    assert (await _stored_hash(conn, user["id"])).startswith("$argon2id$")
    assert await _refresh_tokens(conn, user["id"]) == before + 1


async def test_a_failed_write_keeps_neither_the_totp_step_nor_the_new_hash(
    client, api, bearer, conn, monkeypatch
):
    """The refresh token's INSERT fails after the step was used and the hash replaced:
    the transaction keeps neither, so the same code and the old hash still work."""
    user, secret = await enabled_user(client, api, bearer)
    legacy = _legacy_hash()
    await conn.execute(
        text("UPDATE users SET password_hash = :h WHERE id = :id"), {"h": legacy, "id": user["id"]}
    )

    class Failing:
        async def execute(self, *_args, **_kwargs):
            raise RuntimeError("the database went away mid-sign-in")

    monkeypatch.setattr(sign_in, "_STORE_REFRESH", Failing())
    good = code(secret, 1)
    with pytest.raises(RuntimeError):
        await login(client, user, otp=good)
    assert await _stored_hash(conn, user["id"]) == legacy
    monkeypatch.undo()
    assert (await login(client, user, otp=good)).status_code == 200
