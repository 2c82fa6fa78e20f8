"""The one token verifier every process uses: what it accepts and what it refuses."""

import base64
import json
import time

import jwt
import pytest

from servicedesk_devtools.testing import access_claims, make_access_token
from servicedesk_shared import tokens

RING = tokens.KeyRing.from_string("k2:" + "b" * 64 + ",k1:" + "a" * 64)
SETTINGS = tokens.TokenSettings(RING, "servicedesk-auth", "servicedesk")
ADA = "3f0c5a52-7d0e-4c61-9a57-0b1f5b1d2e9a"


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def forge(header: dict, payload: dict, signature: str = "") -> str:
    return f"{b64(header)}.{b64(payload)}.{signature}"


def full_claims(**overrides):
    now = int(time.time())
    claims = {
        **access_claims(ADA),
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
    claims = tokens.verify(SETTINGS, make_access_token(SETTINGS, ADA))
    assert claims["sub"] == ADA
    assert jwt.get_unverified_header(make_access_token(SETTINGS))["kid"] == "k2"


def test_a_token_signed_by_an_older_key_still_verifies():
    old = tokens.TokenSettings(
        tokens.KeyRing.from_string("k1:" + "a" * 64), "servicedesk-auth", "servicedesk"
    )
    assert tokens.verify(SETTINGS, make_access_token(old, ADA))["sub"] == ADA


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
        SETTINGS, claims={"sub": ADA, "fam": "f"}, token_type=tokens.REFRESH, ttl=60
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


# -- claim types (contract §15): a well-signed token with a claim of the wrong type is invalid


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("roles", "superuser"),  # a string, once read by substring as a superuser
        ("roles", ["user", "god"]),  # an unknown role name
        ("roles", [1]),
        ("is_admin", "true"),  # once truthy, so an admin on the services
        ("is_admin", 1),
        ("systems", ["TTS"]),  # once a 500 on every service
        ("systems", "TTS"),
        ("systems", {"TTS": "boss"}),
        ("systems", {"TTS": 3}),
        ("exp", str(int(time.time()) + 60)),  # a string exp, once accepted
        ("iat", float(int(time.time()))),
        ("sub", "1"),  # not a UUID
        ("sub", ADA.upper()),  # not the canonical form auth issues
        ("sub", 7),
        ("username", None),
        ("tv", "0"),
        ("tv", True),
        ("tv", -1),
        ("jti", 5),
    ],
)
def test_a_signed_token_with_a_claim_of_the_wrong_type_is_invalid(claim, value):
    token = jwt.encode(full_claims(**{claim: value}), "b" * 64, "HS256", headers={"kid": "k2"})
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(SETTINGS, token)
    with pytest.raises(tokens.InvalidToken):
        tokens.verify_access(SETTINGS, token)


def test_typed_claims_give_roles_by_membership_not_by_substring():
    token = make_access_token(SETTINGS, ADA, roles=["user", "superuser"], systems={"TTS": "agent"})
    claims = tokens.verify_access(SETTINGS, token)
    assert claims.is_superuser
    assert claims.systems == {"TTS": "agent"}
    assert not tokens.verify_access(SETTINGS, make_access_token(SETTINGS, ADA)).is_superuser


def test_a_refresh_token_with_a_string_family_list_is_invalid():
    refresh = tokens.issue(
        SETTINGS, claims={"sub": ADA, "fam": ["f"]}, token_type=tokens.REFRESH, ttl=60
    )
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(SETTINGS, refresh, token_type=tokens.REFRESH)
