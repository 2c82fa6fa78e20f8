"""TOTP: enrol, confirm, sign in with a code, and no code twice."""

import time

import pyotp


async def enrol(client, bearer, pair):
    response = await client.post("/api/users/me/mfa/totp", headers=bearer(pair))
    assert response.status_code == 200
    return response.json()


def code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


async def enabled_user(client, api, bearer):
    user, pair = await api.signed_in()
    secret = (await enrol(client, bearer, pair))["secret"]
    response = await client.post(
        "/api/users/me/mfa/totp/verify", json={"otp": code(secret)}, headers=bearer(pair)
    )
    assert response.json() == {"mfa_enabled": True}
    return user, secret, pair


async def login(client, user, **extra):
    body = {"username": user["username"], "password": "violet-harbour-lantern", **extra}
    return await client.post("/api/token", json=body)


async def test_enrolment_returns_a_secret_and_an_otpauth_uri(client, api, bearer):
    _, pair = await api.signed_in()
    body = await enrol(client, bearer, pair)
    assert body["otpauth_uri"].startswith("otpauth://totp/Service%20Desk:")
    assert f"secret={body['secret']}" in body["otpauth_uri"]
    me = await client.get("/api/users/me", headers=bearer(pair))
    assert me.json()["mfa_enabled"] is False


async def test_a_wrong_code_does_not_confirm_enrolment(client, api, bearer):
    _, pair = await api.signed_in()
    await enrol(client, bearer, pair)
    response = await client.post(
        "/api/users/me/mfa/totp/verify", json={"otp": "000000"}, headers=bearer(pair)
    )
    assert response.status_code == 422
    assert response.json()["code"] == "mfa_invalid"


async def test_with_totp_on_sign_in_needs_a_code(client, api, bearer):
    user, secret, _ = await enabled_user(client, api, bearer)
    missing = await login(client, user)
    assert (missing.status_code, missing.json()["code"]) == (401, "mfa_required")
    wrong = await login(client, user, otp="123456" if code(secret) != "123456" else "654321")
    assert (wrong.status_code, wrong.json()["code"]) == (401, "mfa_invalid")
    assert (await login(client, user, otp=code(secret, 1))).status_code == 200


async def test_a_code_cannot_be_replayed(client, api, bearer):
    user, secret, _ = await enabled_user(client, api, bearer)
    used_at_enrolment = await login(client, user, otp=code(secret))
    assert used_at_enrolment.json()["code"] == "mfa_invalid"
    assert (await login(client, user, otp=code(secret, 1))).status_code == 200
    replay = await login(client, user, otp=code(secret, 1))
    assert (replay.status_code, replay.json()["code"]) == (401, "mfa_invalid")


async def test_the_code_is_not_asked_before_the_password_is_right(client, api, bearer):
    user, _, _ = await enabled_user(client, api, bearer)
    response = await client.post(
        "/api/token", json={"username": user["username"], "password": "nope-nope-nope"}
    )
    assert response.json()["code"] == "invalid_credentials"


async def test_totp_can_be_disabled_with_a_current_code(client, api, bearer):
    user, secret, pair = await enabled_user(client, api, bearer)
    stale = await client.request(
        "DELETE", "/api/users/me/mfa/totp", json={"otp": code(secret)}, headers=bearer(pair)
    )
    assert stale.status_code == 422
    response = await client.request(
        "DELETE", "/api/users/me/mfa/totp", json={"otp": code(secret, 1)}, headers=bearer(pair)
    )
    assert response.status_code == 204
    assert (await login(client, user)).status_code == 200
