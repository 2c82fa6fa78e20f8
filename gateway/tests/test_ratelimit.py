"""Rate limits: login/register per IP, anonymous per IP, users and admins per user id."""

from __future__ import annotations

import pytest

from servicedesk_devtools.testing import access_claims
from servicedesk_shared import tokens

from .conftest import TOKEN_SETTINGS, bearer, next_ip, running, settings_for, token, uid

LOGIN = {"username": "u", "password": "p"}


async def exhaust(client, n: int, method: str = "GET", url: str = "/api/tickets", **kw):
    return [await client.request(method, url, **kw) for _ in range(n)]


async def test_login_is_limited_per_ip_with_retry_after_and_ratelimit_headers(gateway):
    async with gateway.client() as client:
        allowed = await exhaust(client, 3, "POST", "/api/token", json=LOGIN)
        refused = await client.post("/api/token", json=LOGIN)
    assert [r.status_code for r in allowed] == [200, 200, 200]
    assert [r.headers["ratelimit-remaining"] for r in allowed] == ["2", "1", "0"]
    assert refused.status_code == 429
    assert refused.json() == {"detail": "Too many requests", "code": "rate_limited"}
    assert 0 < int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit-limit"] == "3"
    assert refused.headers["ratelimit-remaining"] == "0"
    assert 0 < int(refused.headers["ratelimit-reset"]) <= 60


async def test_another_ip_has_its_own_login_bucket(gateway):
    async with gateway.client() as first, gateway.client() as second:
        await exhaust(first, 4, "POST", "/api/token", json=LOGIN)
        assert (await second.post("/api/token", json=LOGIN)).status_code == 200


async def test_register_is_limited_per_ip(gateway):
    async with gateway.client() as client:
        statuses = [r.status_code for r in await exhaust(client, 3, "POST", "/api/auth/register")]
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize("variant", ["/api/token/", "/API/token", "//api/token", "/Api/Token//"])
async def test_path_variants_share_the_login_bucket(gateway, variant):
    async with gateway.client() as client:
        await exhaust(client, 3, "POST", "/api/token", json=LOGIN)
        # Absolute URL: httpx would read `//api/token` as a network-path reference.
        response = await client.post(f"http://gateway.test{variant}", json=LOGIN)
    assert response.status_code == 429


async def test_anonymous_requests_are_limited_per_ip(upstream):
    async with (
        running(settings_for(upstream.url, rate_limit_anon="5/minute")) as gw,
        gw.client() as client,
        gw.client() as other,
    ):
        statuses = [r.status_code for r in await exhaust(client, 6)]
        assert (await other.get("/api/tickets")).status_code == 200
    assert statuses == [200] * 5 + [429]


async def test_a_user_is_limited_by_user_id_whatever_the_ip(gateway):
    headers = bearer("user-a")
    for _ in range(40):
        async with gateway.client() as client:
            assert (await client.get("/api/tickets", headers=headers)).status_code == 200
    async with gateway.client() as client:
        refused = await client.get("/api/tickets", headers=headers)
        other_user = await client.get("/api/tickets", headers=bearer("user-b"))
    assert refused.status_code == 429
    assert refused.headers["ratelimit-limit"] == "40"
    assert other_user.status_code == 200


@pytest.mark.parametrize(
    "claims", [{"is_admin": True}, {"roles": ["user", "admin"]}, {"roles": ["superuser"]}]
)
async def test_admins_get_the_admin_limit(gateway, gw, claims):
    response = await gw.get("/api/tickets", headers=bearer(next_ip(), **claims))
    assert response.headers["ratelimit-limit"] == "60"


async def test_anonymous_requests_get_the_anonymous_limit(gw):
    assert (await gw.get("/api/tickets")).headers["ratelimit-limit"] == "30"


def expired() -> str:
    return token("victim", ttl=-10)


def forged() -> str:
    return token("victim")[:-4] + "AAAA"


def refresh_type() -> str:
    claims = {"sub": "victim", "fam": "f"}
    return tokens.issue(TOKEN_SETTINGS, claims=claims, token_type=tokens.REFRESH, ttl=60)


@pytest.mark.parametrize("make", [expired, forged, refresh_type, lambda: "garbage"])
async def test_a_bad_token_counts_as_anonymous_and_is_forwarded_unchanged(gateway, gw, make):
    raw = make()
    response = await gw.get("/api/tickets", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.headers["ratelimit-limit"] == "30"
    assert ["authorization", f"Bearer {raw}"] in response.json()["headers"]
    assert await gateway.redis.exists(gateway.keys.rate("user", uid("victim"))) == 0


async def test_a_deny_listed_token_is_refused_and_counted_as_anonymous(gateway, gw):
    raw = token("revoked-1", jti="logged-out")
    await gateway.redis.set(gateway.keys.deny_jti("logged-out"), "1", ex=60)
    response = await gw.get("/api/tickets", headers={"Authorization": f"Bearer {raw}"})
    # The services verify signatures only: a logged-out token must stop here.
    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"
    assert response.headers["ratelimit-limit"] == "30"
    assert await gateway.redis.exists(gateway.keys.rate("user", uid("revoked-1"))) == 0


async def test_a_dead_token_does_not_stop_signing_in_again(gateway, gw):
    raw = token("revoked-2", jti="logged-out-2")
    await gateway.redis.set(gateway.keys.deny_jti("logged-out-2"), "1", ex=60)
    for path in ("/api/token/refresh", "/api/auth/register"):
        response = await gw.post(path, json={}, headers={"Authorization": f"Bearer {raw}"})
        assert response.status_code == 200, path  # forwarded (the upstream echoes)


@pytest.mark.parametrize(("stored", "claim", "revoked"), [(3, 2, True), (3, 3, False)])
async def test_a_token_older_than_the_users_token_version_is_refused(
    gateway, gw, stored, claim, revoked
):
    name = f"tv-{next_ip()}"
    await gateway.redis.set(gateway.keys.token_version(uid(name)), stored)
    response = await gw.get("/api/tickets", headers=bearer(name, tv=claim))
    assert response.status_code == (401 if revoked else 200)
    assert response.headers["ratelimit-limit"] == ("30" if revoked else "40")


async def test_a_token_without_tv_is_version_zero(gateway, gw):
    sub = uid(f"notv-{next_ip()}")
    await gateway.redis.set(gateway.keys.token_version(sub), 1)
    claims = access_claims(sub)
    del claims["tv"]
    raw = tokens.issue(TOKEN_SETTINGS, claims=claims, token_type=tokens.ACCESS, ttl=60)
    response = await gw.get("/api/tickets", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401
    assert response.headers["ratelimit-limit"] == "30"


async def test_without_the_denylist_sentinel_tokens_get_503(upstream):
    async with (
        running(settings_for(upstream.url), denylist_ready=False) as gw,
        gw.client() as client,
    ):
        with_token = await client.get("/api/tickets", headers=bearer())
        anonymous = await client.get("/api/tickets")
    assert with_token.status_code == 503
    assert with_token.json()["code"] == "auth_state_unavailable"
    assert anonymous.status_code == 200


async def test_health_and_preflight_are_not_limited(upstream):
    async with (
        running(settings_for(upstream.url, rate_limit_anon="1/minute")) as gw,
        gw.client() as client,
    ):
        await exhaust(client, 2)
        health = [await client.get(p) for p in ("/healthz", "/readyz", "/healthz")]
        preflight = await client.options(
            "/api/tickets",
            headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"},
        )
    assert [r.status_code for r in health] == [200, 200, 200]
    assert "ratelimit-limit" not in health[0].headers
    assert preflight.status_code == 204


# Redis down: fail closed for login, register and tokens; anonymous reads use a local limiter.


@pytest.fixture(scope="module")
async def down(upstream):
    settings = settings_for(
        upstream.url, redis_url="redis://127.0.0.1:1/0", rate_limit_anon="3/minute"
    )
    async with running(settings) as gw:
        yield gw


async def test_redis_down_login_and_register_get_503(down):
    async with down.client() as client:
        login = await client.post("/api/token", json=LOGIN)
        register = await client.post("/api/auth/register", json=LOGIN)
    assert (login.status_code, login.json()["code"]) == (503, "rate_limit_unavailable")
    assert (register.status_code, register.json()["code"]) == (503, "rate_limit_unavailable")


async def test_redis_down_a_request_bearing_a_token_gets_503(down):
    async with down.client() as client:
        response = await client.get("/api/tickets", headers=bearer())
    assert (response.status_code, response.json()["code"]) == (503, "auth_state_unavailable")


async def test_redis_down_anonymous_reads_pass_under_the_local_limit(down):
    async with down.client() as client:
        statuses = [r.status_code for r in await exhaust(client, 4)]
    assert statuses == [200, 200, 200, 429]


async def test_redis_down_readyz_says_redis_is_down(down):
    async with down.client() as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["dependencies"]["redis"].startswith("down")
