"""The one revocation check (contract §15) against the real Redis: good, logged out,
outdated, state unknown, Redis unreachable — and the same answers from the gateway's
script, which embeds the same Lua function."""

from __future__ import annotations

import time
import uuid

import pytest

from servicedesk_devtools.testing import eventually, make_access_token, revocation_prefix
from servicedesk_shared import tokens
from servicedesk_shared.errors import Unauthorized, Unavailable
from servicedesk_shared.principal import TokenGuard
from servicedesk_shared.redis import Keys, create_redis
from servicedesk_shared.revocation import GOOD, REVOKED, UNKNOWN, RevocationCheck

SETTINGS = tokens.TokenSettings(
    tokens.KeyRing.from_string("r:" + "r" * 64), "servicedesk-auth", "servicedesk"
)


@pytest.fixture
async def redis():
    client = create_redis("redis://127.0.0.1:6379/0")
    yield client
    await client.aclose()


@pytest.fixture
async def keys():
    async with revocation_prefix("desk-revocation-test") as prefix:
        yield Keys(prefix)


def claims_for(user: str, **extra) -> tokens.AccessClaims:
    return tokens.verify_access(SETTINGS, make_access_token(SETTINGS, user, **extra))


async def test_a_token_neither_deny_listed_nor_outdated_is_good(redis, keys):
    assert await RevocationCheck(redis, keys).state(claims_for(str(uuid.uuid4()))) == GOOD


async def test_a_logged_out_token_is_revoked_and_answers_401(redis, keys):
    claims = claims_for(str(uuid.uuid4()))
    await redis.set(keys.deny_jti(claims.jti), 1, ex=60)
    check = RevocationCheck(redis, keys)
    assert await check.state(claims) == REVOKED
    with pytest.raises(Unauthorized) as refused:
        await check.ensure_good(claims)
    assert refused.value.code == "token_revoked"


@pytest.mark.parametrize(
    ("stored", "claim", "expected"), [(2, 1, REVOKED), (2, 2, GOOD), (0, 3, GOOD)]
)
async def test_a_token_below_the_users_token_version_is_revoked(
    redis, keys, stored, claim, expected
):
    user = str(uuid.uuid4())
    await redis.set(keys.token_version(user), stored, ex=60)
    assert await RevocationCheck(redis, keys).state(claims_for(user, tv=claim)) == expected


async def test_without_the_sentinel_the_state_is_unknown_and_answers_503(redis):
    keys = Keys(f"desk-revocation-empty-{uuid.uuid4().hex[:8]}:")
    check = RevocationCheck(redis, keys)
    claims = claims_for(str(uuid.uuid4()))
    assert await check.state(claims) == UNKNOWN
    with pytest.raises(Unavailable) as refused:
        await check.ensure_good(claims)
    assert refused.value.code == "auth_state_unavailable"
    assert refused.value.headers == {"Retry-After": "5"}


async def test_redis_unreachable_answers_503_never_lets_the_token_through(keys):
    dead = create_redis("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        guard = TokenGuard(SETTINGS, RevocationCheck(dead, keys))
        with pytest.raises(Unavailable) as refused:
            await guard.principal(make_access_token(SETTINGS, str(uuid.uuid4())))
    finally:
        await dead.aclose()
    assert refused.value.code == "auth_state_unavailable"


async def test_the_guard_refuses_an_invalid_token_before_asking_redis(redis, keys):
    guard = TokenGuard(SETTINGS, RevocationCheck(redis, keys))
    with pytest.raises(Unauthorized) as refused:
        await guard.principal(make_access_token(SETTINGS, str(uuid.uuid4()), roles="superuser"))
    assert refused.value.code == "invalid_token"


async def test_the_guard_gives_a_principal_from_typed_claims(redis, keys):
    user = str(uuid.uuid4())
    guard = TokenGuard(SETTINGS, RevocationCheck(redis, keys))
    token = make_access_token(SETTINGS, user, roles=["user", "superuser"], systems={"TTS": "agent"})
    principal = await guard.principal(token)
    assert (principal.id, principal.is_superuser, principal.is_admin) == (user, True, True)
    assert principal.role_in("HDTS") == "admin"


async def test_a_remembered_token_is_still_asked_about_revocation(redis, keys):
    """The guard verifies a token's signature once; Redis is asked on every request."""
    guard = TokenGuard(SETTINGS, RevocationCheck(redis, keys))
    token = make_access_token(SETTINGS, str(uuid.uuid4()))
    first = await guard.principal(token)
    assert await guard.principal(token) is first
    await redis.set(keys.deny_jti(tokens.verify_access(SETTINGS, token).jti), 1, ex=60)
    with pytest.raises(Unauthorized) as refused:
        await guard.principal(token)
    assert refused.value.code == "token_revoked"


async def test_a_remembered_token_past_its_exp_is_refused(redis, keys):
    guard = TokenGuard(SETTINGS, RevocationCheck(redis, keys))
    token = make_access_token(SETTINGS, str(uuid.uuid4()), ttl=2)
    await guard.principal(token)
    exp = tokens.verify_access(SETTINGS, token).exp

    async def refused() -> Unauthorized | None:
        try:
            await guard.principal(token)
        except Unauthorized as exc:
            return exc
        return None

    refusal = await eventually(refused, timeout=5)  # the token's own exp passes (ttl 2 s)
    assert time.time() >= exp  # not refused a moment too early
    assert refusal.code == "invalid_token"
    assert token not in guard.verified.known
