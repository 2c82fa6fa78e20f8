"""POST /api/token: JSON and form, same failure for unknown user and wrong password,
claims, slow-down, hash upgrades."""

import base64
import hashlib
import time

import jwt
from sqlalchemy import text

from servicedesk_auth.passwords.hashing import PasswordHasher
from servicedesk_devtools.testing import unique
from servicedesk_shared import tokens

PASSWORD = "violet-harbour-lantern"


async def attempt(client, username, password=PASSWORD, **extra):
    return await client.post(
        "/api/token", json={"username": username, "password": password, **extra}
    )


async def test_signing_in_returns_a_bearer_pair(client, api):
    user = await api.register()
    response = await attempt(client, user["username"])
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert body["access_token"] == body["access"]
    assert body["refresh_token"] == body["refresh"]


async def test_the_oauth2_password_form_and_the_email_both_sign_in(client, api):
    user = await api.register()
    form = {"grant_type": "password", "username": user["email"].upper(), "password": PASSWORD}
    response = await client.post("/api/token", data=form)
    assert response.status_code == 200
    assert response.json()["access"]


async def test_access_token_claims_describe_the_user(client, api, settings):
    user = await api.register()
    pair = await api.login(user["username"])
    claims = tokens.verify(settings.token_settings, pair["access"])
    assert claims["sub"] == user["id"]
    assert (claims["username"], claims["email"]) == (user["username"], user["email"])
    assert claims["is_admin"] is False
    assert claims["roles"] == ["user"]
    assert claims["systems"] == {}
    assert claims["tv"] == 0
    assert claims["type"] == "access"
    assert (claims["iss"], claims["aud"]) == ("servicedesk-auth", "servicedesk")
    assert claims["exp"] - claims["iat"] == 900
    assert jwt.get_unverified_header(pair["access"])["kid"] == "test"


async def test_wrong_password_and_unknown_user_fail_identically(client, api):
    user = await api.register()
    wrong = await attempt(client, user["username"], "not-the-password-at-all")
    unknown = await attempt(client, unique("nobody"), "not-the-password-at-all")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "invalid_credentials"
    assert wrong.headers.get("www-authenticate") == unknown.headers.get("www-authenticate")


async def test_an_inactive_user_fails_like_a_wrong_password(client, api, conn):
    user = await api.register()
    await conn.execute(
        text("UPDATE users SET is_active = false WHERE id = :id"), {"id": user["id"]}
    )
    response = await attempt(client, user["username"])
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


async def test_a_login_body_that_is_not_json_is_a_422(client):
    response = await client.post(
        "/api/token", content=b"user=1", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_failures_are_counted_by_reason_in_metrics(client):
    await attempt(client, unique("nobody"), "whatever-password")
    metrics = (await client.get("/metrics")).text
    assert 'auth_login_failures_total{reason="invalid_credentials"}' in metrics


async def test_repeated_failures_slow_the_account_down_but_never_lock_it(client, api):
    user = await api.register()
    for _ in range(4):
        assert (await attempt(client, user["username"], "wrong-password-x")).status_code == 401
    started = time.perf_counter()
    response = await attempt(client, user["username"])
    assert response.status_code == 200
    assert time.perf_counter() - started >= 0.45
    started = time.perf_counter()
    assert (await attempt(client, user["username"])).status_code == 200
    assert time.perf_counter() - started < 0.45


async def test_failures_by_username_and_by_email_slow_down_one_account(client, api):
    user = await api.register()
    for login in (user["username"], user["email"], user["username"].upper(), user["email"]):
        assert (await attempt(client, login, "wrong-password-x")).status_code == 401
    started = time.perf_counter()
    assert (await attempt(client, user["email"].upper())).status_code == 200
    assert time.perf_counter() - started >= 0.45


async def test_an_unknown_name_slows_down_like_an_account(client):
    name = unique("nobody")
    for _ in range(4):
        assert (await attempt(client, name, "wrong-password-x")).status_code == 401
    started = time.perf_counter()
    assert (await attempt(client, f"  {name.upper()} ", "wrong-password-x")).status_code == 401
    assert time.perf_counter() - started >= 0.45


def django_pbkdf2(password: str, salt: str = "seasalt", iterations: int = 1000) -> str:
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode()}"


async def stored_hash(conn, user_id: str) -> str:
    query = text("SELECT password_hash FROM users WHERE id = :id")
    return (await conn.execute(query, {"id": user_id})).scalar_one()


async def set_hash(conn, user_id: str, value: str) -> None:
    query = text("UPDATE users SET password_hash = :h WHERE id = :id")
    await conn.execute(query, {"h": value, "id": user_id})


async def test_a_django_pbkdf2_hash_verifies_and_is_upgraded_to_argon2id(client, api, conn):
    user = await api.register()
    await set_hash(conn, user["id"], django_pbkdf2(PASSWORD))
    assert (await attempt(client, user["username"], "wrong-password-x")).status_code == 401
    assert (await attempt(client, user["username"])).status_code == 200
    assert (await stored_hash(conn, user["id"])).startswith("$argon2id$")
    assert (await attempt(client, user["username"])).status_code == 200


async def test_a_hash_with_old_parameters_is_rehashed_on_login(client, api, conn, settings):
    user = await api.register()
    old = PasswordHasher(memory_cost=128, time_cost=1, parallelism=1, workers=1)
    await set_hash(conn, user["id"], await old.hash(PASSWORD))
    old.close()
    assert (await attempt(client, user["username"])).status_code == 200
    assert f"m={settings.argon2_memory_cost},t=1" in await stored_hash(conn, user["id"])
