"""TOTP: enrol, confirm, sign in with a code, and no code twice; secrets encrypted at rest."""

import base64
import time
import uuid

import pyotp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker

from servicedesk_auth import bootstrap
from servicedesk_auth.mfa.crypto import TotpCipher, TotpKeyError

TOTP_OLD_KEY = ("totp-1", "o" * 64)  # conftest.TOTP_KEYS' second, older key


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


async def stored_secret(conn, user_id: str) -> str:
    query = text("SELECT secret FROM totp_devices WHERE user_id = :id")
    return (await conn.execute(query, {"id": user_id})).scalar_one()


async def store_secret(conn, user_id: str, value: str) -> None:
    query = text("UPDATE totp_devices SET secret = :s WHERE user_id = :id")
    await conn.execute(query, {"s": value, "id": user_id})


async def test_the_database_holds_no_clear_totp_secret(client, api, bearer, conn):
    user, secret, _ = await enabled_user(client, api, bearer)
    stored = await stored_secret(conn, user["id"])
    assert stored.startswith("v1:totp-2:")
    assert secret not in stored
    assert secret.encode() not in base64.urlsafe_b64decode(stored.split(":")[2])


async def test_a_secret_under_the_older_key_still_signs_in(client, api, bearer, conn):
    user, secret, _ = await enabled_user(client, api, bearer)
    old = TotpCipher(dict([TOTP_OLD_KEY]))
    await store_secret(conn, user["id"], old.encrypt(secret, user_id=uuid.UUID(user["id"])))
    assert (await login(client, user, otp=code(secret, 1))).status_code == 200


async def test_start_up_encrypts_clear_and_old_key_secrets_under_the_first_key(
    client, api, bearer, conn, settings
):
    cleartext_user, clear_secret, _ = await enabled_user(client, api, bearer)
    await store_secret(conn, cleartext_user["id"], clear_secret)
    old_key_user, old_secret, _ = await enabled_user(client, api, bearer)
    sealed = TotpCipher(dict([TOTP_OLD_KEY])).encrypt(
        old_secret, user_id=uuid.UUID(old_key_user["id"])
    )
    await store_secret(conn, old_key_user["id"], sealed)
    factory = async_sessionmaker(bind=conn, join_transaction_mode="create_savepoint")
    assert await bootstrap.encrypt_totp_secrets(factory, settings.totp_cipher) >= 2
    for user, secret in ((cleartext_user, clear_secret), (old_key_user, old_secret)):
        assert (await stored_secret(conn, user["id"])).startswith("v1:totp-2:")
        assert (await login(client, user, otp=code(secret, 1))).status_code == 200


def test_a_ciphertext_copied_to_another_user_does_not_decrypt():
    cipher = TotpCipher({"k": "x" * 64})
    sealed = cipher.encrypt("JBSWY3DPEHPK3PXP", user_id=uuid.uuid4())
    with pytest.raises(TotpKeyError):
        cipher.decrypt(sealed, user_id=uuid.uuid4())


def test_a_secret_under_a_removed_key_is_an_error_not_a_wrong_code():
    sealed = TotpCipher({"gone": "x" * 64}).encrypt("JBSWY3DPEHPK3PXP", user_id=uuid.UUID(int=1))
    with pytest.raises(TotpKeyError, match="gone"):
        TotpCipher({"new": "y" * 64}).decrypt(sealed, user_id=uuid.UUID(int=1))


def test_totp_encryption_keys_are_required_in_production(settings_for):
    with pytest.raises(ValueError, match="AUTH_TOTP_ENCRYPTION_KEYS is not set"):
        settings_for(environment="production", totp_encryption_keys=None)


@pytest.mark.parametrize("environment", ["test", "production"])
def test_a_placeholder_totp_key_is_refused_outside_development(settings_for, environment):
    with pytest.raises(ValueError, match="AUTH_TOTP_ENCRYPTION_KEYS key 'k1' is a placeholder"):
        settings_for(environment=environment, totp_encryption_keys="k1:changeme")


def test_development_generates_a_totp_key_when_none_is_set(settings_for):
    settings = settings_for(environment="development", totp_encryption_keys=None)
    assert settings.totp_cipher.current_kid.startswith("dev-")
