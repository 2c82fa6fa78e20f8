"""The one token verifier every process uses: what it accepts and what it refuses."""

import base64
import json
import time

import jwt
import pytest

from servicedesk_shared import tokens
from servicedesk_shared.testing import access_claims, make_access_token

RING = tokens.KeyRing.from_string("k2:" + "b" * 64 + ",k1:" + "a" * 64)
SETTINGS = tokens.TokenSettings(RING, "servicedesk-auth", "servicedesk")


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def forge(header: dict, payload: dict, signature: str = "") -> str:
    return f"{b64(header)}.{b64(payload)}.{signature}"


def full_claims(**overrides):
    now = int(time.time())
    claims = {
        **access_claims("7"),
        "type": "access",
        "jti": "j",
        "iat": now,
        "exp": now + 60,
        "iss": "servicedesk-auth",
        "aud": "servicedesk",
    }
    claims.update(overrides)
    return claims


def test_a_token_signed_by_the_first_key_verifies():
    claims = tokens.verify(SETTINGS, make_access_token(SETTINGS, "7"))
    assert claims["sub"] == "7"
    assert jwt.get_unverified_header(make_access_token(SETTINGS))["kid"] == "k2"


def test_a_token_signed_by_an_older_key_still_verifies():
    old = tokens.TokenSettings(
        tokens.KeyRing.from_string("k1:" + "a" * 64), "servicedesk-auth", "servicedesk"
    )
    assert tokens.verify(SETTINGS, make_access_token(old, "3"))["sub"] == "3"


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_alg_none_in_any_case_is_refused(alg):
    token = forge({"alg": alg, "typ": "JWT", "kid": "k2"}, full_claims())
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(SETTINGS, token)


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_other_algorithms_are_refused(alg):
    token = jwt.encode(full_claims(), "b" * 64, alg, headers={"kid": "k2"})
    with pytest.raises(tokens.InvalidToken, match="algorithm"):
        tokens.verify(SETTINGS, token)


def test_a_tampered_payload_is_refused():
    header, _, sig = make_access_token(SETTINGS).split(".")
    token = f"{header}.{b64(full_claims(is_admin=True))}.{sig}"
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(SETTINGS, token)


def test_a_stripped_signature_is_refused():
    header, payload, _ = make_access_token(SETTINGS).split(".")
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(SETTINGS, f"{header}.{payload}.")


def test_an_unknown_kid_is_refused():
    token = jwt.encode(full_claims(), "b" * 64, "HS256", headers={"kid": "k9"})
    with pytest.raises(tokens.InvalidToken, match="kid"):
        tokens.verify(SETTINGS, token)


def test_a_missing_kid_is_refused():
    token = jwt.encode(full_claims(), "b" * 64, "HS256")
    with pytest.raises(tokens.InvalidToken, match="kid"):
        tokens.verify(SETTINGS, token)


@pytest.mark.parametrize("claim", ["aud", "iss"])
def test_a_wrong_audience_or_issuer_is_refused(claim):
    token = jwt.encode(
        full_claims(**{claim: "elsewhere"}), "b" * 64, "HS256", headers={"kid": "k2"}
    )
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(SETTINGS, token)


def test_an_expired_token_is_refused():
    past = int(time.time()) - 120
    token = jwt.encode(
        full_claims(iat=past - 60, exp=past), "b" * 64, "HS256", headers={"kid": "k2"}
    )
    with pytest.raises(tokens.InvalidToken, match="expired"):
        tokens.verify(SETTINGS, token)


@pytest.mark.parametrize("claim", ["sub", "jti", "exp", "type", "roles", "systems"])
def test_a_missing_claim_is_refused(claim):
    claims = full_claims()
    del claims[claim]
    token = jwt.encode(claims, "b" * 64, "HS256", headers={"kid": "k2"})
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(SETTINGS, token)


def test_a_refresh_token_is_not_an_access_token_nor_the_reverse():
    refresh = tokens.issue(
        SETTINGS, claims={"sub": "1", "fam": "f"}, token_type=tokens.REFRESH, ttl=60
    )
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(SETTINGS, refresh)
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(SETTINGS, make_access_token(SETTINGS, fam="f"), token_type=tokens.REFRESH)
    assert tokens.verify(SETTINGS, refresh, token_type=tokens.REFRESH)["fam"] == "f"


@pytest.mark.parametrize("garbage", ["", "abc", "a.b", "a.b.c", "Bearer x"])
def test_garbage_is_refused(garbage):
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(SETTINGS, garbage)


@pytest.mark.parametrize("raw", ["", "nokid", ":secret", "kid:"])
def test_a_malformed_key_ring_is_refused(raw):
    with pytest.raises(ValueError, match="JWT_SECRET_KEYS"):
        tokens.KeyRing.from_string(raw)
