"""The backbone end to end: real auth and gateway processes, real PostgreSQL and Redis."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from .conftest import ADMIN, bearer, login, new_user_payload, next_ip, register_and_login

pytestmark = pytest.mark.e2e

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "x-xss-protection": "0",
}


def assert_security_headers(resp: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert resp.headers.get(name) == value, (name, resp.status_code)
    csp = resp.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    for name in (
        "referrer-policy",
        "cross-origin-opener-policy",
        "permissions-policy",
        "x-request-id",
    ):
        assert name in resp.headers, (name, resp.status_code)
    assert "server" not in resp.headers


async def test_a_new_user_registers_signs_in_and_sees_themselves(client):
    payload, user, tokens = await register_and_login(client)
    assert user["username"] == payload["username"]
    assert "password" not in user and "password_hash" not in user
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] > 0
    me = await client.get("/api/users/me", headers=bearer(tokens))
    assert me.status_code == 200
    assert me.json()["username"] == payload["username"]
    assert "user" in me.json()["roles"]
    assert me.headers["cache-control"] == "no-store"
    assert_security_headers(me)


async def test_signing_in_by_email_and_by_oauth2_form_both_work(client):
    payload, _, _ = await register_and_login(client)
    by_email = await login(client, payload["email"], payload["password"])
    assert by_email["access"]
    form = await client.post(
        "/api/token",
        data={
            "username": payload["username"],
            "password": payload["password"],
            "grant_type": "password",
        },
    )
    assert form.status_code == 200, form.text
    assert form.json()["token_type"] == "bearer"


async def test_wrong_password_and_unknown_user_get_the_same_answer(client):
    payload, _, _ = await register_and_login(client)
    wrong = await client.post(
        "/api/token", json={"username": payload["username"], "password": "not-the-password"}
    )
    unknown = await client.post(
        "/api/token",
        json={"username": "nobody-" + payload["username"], "password": "not-the-password"},
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert_security_headers(wrong)


async def test_register_refuses_mass_assignment_and_weak_passwords(client):
    payload = new_user_payload()
    sneaky = await client.post(
        "/api/auth/register",
        json={**payload, "is_admin": True, "is_superuser": True, "roles": ["admin"], "id": 1},
    )
    assert sneaky.status_code == 422
    weak = await client.post("/api/auth/register", json={**payload, "password": "12345"})
    assert weak.status_code == 422
    rules = weak.json()["errors"]
    assert len(rules) >= 2  # too short AND entirely numeric (AND common), all listed
    taken = await client.post("/api/auth/register", json=payload)
    assert taken.status_code == 201
    # The register limit (3/minute per IP) counted the refused attempts too: another IP.
    again = await client.post(
        "/api/auth/register", json=payload, headers={"X-Forwarded-For": next_ip()}
    )
    assert again.status_code == 409


async def test_refresh_rotates_and_reuse_revokes_the_family(client):
    _, _, tokens = await register_and_login(client)
    first = await client.post("/api/token/refresh", json={"refresh": tokens["refresh"]})
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh"] != tokens["refresh"]
    reuse = await client.post("/api/token/refresh", json={"refresh": tokens["refresh"]})
    assert reuse.status_code == 401
    # The whole family is dead now, including the rotated token.
    after = await client.post("/api/token/refresh", json={"refresh": rotated["refresh"]})
    assert after.status_code == 401


async def test_a_refresh_token_is_not_accepted_as_an_access_token(client):
    _, _, tokens = await register_and_login(client)
    resp = await client.get(
        "/api/users/me", headers={"Authorization": f"Bearer {tokens['refresh']}"}
    )
    assert resp.status_code == 401
    assert_security_headers(resp)
    swapped = await client.post("/api/token/refresh", json={"refresh": tokens["access"]})
    assert swapped.status_code == 401


async def test_after_logout_neither_token_works(client):
    _, _, tokens = await register_and_login(client)
    out = await client.post(
        "/api/auth/logout", json={"refresh": tokens["refresh"]}, headers=bearer(tokens)
    )
    assert out.status_code == 204
    me = await client.get("/api/users/me", headers=bearer(tokens))
    assert me.status_code == 401
    refresh = await client.post("/api/token/refresh", json={"refresh": tokens["refresh"]})
    assert refresh.status_code == 401
    # not only at auth: the other services trust the gateway to refuse a revoked token
    for path in ("/api/tickets", "/api/notifications", "/api/workflows"):
        resp = await client.get(path, headers=bearer(tokens))
        assert resp.status_code == 401, path
        assert resp.json()["code"] == "token_revoked"


async def test_signing_out_everywhere_ends_every_session(client):
    payload, _, laptop = await register_and_login(client)
    phone = await login(client, payload["username"], payload["password"])
    assert (await client.get("/api/tickets", headers=bearer(phone))).status_code == 200
    out = await client.post("/api/auth/logout-all", headers=bearer(laptop))
    assert out.status_code == 204
    for tokens in (laptop, phone):
        for path in ("/api/users/me", "/api/tickets", "/api/notifications"):
            assert (await client.get(path, headers=bearer(tokens))).status_code == 401, path
        refresh = await client.post("/api/token/refresh", json={"refresh": tokens["refresh"]})
        assert refresh.status_code == 401
    again = await login(client, payload["username"], payload["password"])
    assert (await client.get("/api/tickets", headers=bearer(again))).status_code == 200


async def test_changing_the_password_ends_older_tokens(client):
    payload, _, tokens = await register_and_login(client)
    new_password = payload["password"] + "-next"
    changed = await client.post(
        "/api/users/me/password",
        headers=bearer(tokens),
        json={"current_password": payload["password"], "new_password": new_password},
    )
    assert changed.status_code == 204
    assert (await client.get("/api/users/me", headers=bearer(tokens))).status_code == 401
    fresh = await login(client, payload["username"], new_password)
    assert (await client.get("/api/users/me", headers=bearer(fresh))).status_code == 200


async def test_only_admins_list_users_and_only_a_superuser_grants_admin(client, stack):
    _, user, tokens = await register_and_login(client)
    assert (await client.get("/api/users", headers=bearer(tokens))).status_code == 403
    async with httpx.AsyncClient(
        base_url=stack.gateway, headers={"X-Forwarded-For": next_ip()}
    ) as admin_client:
        root = await login(admin_client, ADMIN["username"], ADMIN["password"])
        listing = await admin_client.get("/api/users", headers=bearer(root))
        assert listing.status_code == 200
        assert listing.json()["total"] >= 2
        grant = await admin_client.patch(
            f"/api/users/{user['id']}", headers=bearer(root), json={"is_admin": True}
        )
        assert grant.status_code == 200
        assert grant.json()["is_admin"] is True
    # The user's old token says is_admin=false; the new one carries the grant.
    escalate = await client.patch(
        f"/api/users/{user['id']}", headers=bearer(tokens), json={"is_superuser": True}
    )
    assert escalate.status_code in (401, 403)


async def test_roles_per_system_travel_in_the_token(client, stack):
    payload, user, _ = await register_and_login(client)
    async with httpx.AsyncClient(
        base_url=stack.gateway, headers={"X-Forwarded-For": next_ip()}
    ) as admin_client:
        root = await login(admin_client, ADMIN["username"], ADMIN["password"])
        put = await admin_client.put(
            f"/api/admin/users/{user['id']}/roles",
            headers=bearer(root),
            json=[{"system": "TTS", "role": "agent"}],
        )
        assert put.status_code == 200, put.text
    fresh = await login(client, payload["username"], payload["password"])
    me = await client.get("/api/users/me", headers=bearer(fresh))
    assert me.json()["systems"] == {"TTS": "agent"}


async def test_a_deactivated_user_is_locked_out_at_once(client, stack):
    _, user, tokens = await register_and_login(client)
    async with httpx.AsyncClient(
        base_url=stack.gateway, headers={"X-Forwarded-For": next_ip()}
    ) as admin_client:
        root = await login(admin_client, ADMIN["username"], ADMIN["password"])
        off = await admin_client.patch(
            f"/api/users/{user['id']}", headers=bearer(root), json={"is_active": False}
        )
        assert off.status_code == 200
    assert (await client.get("/api/users/me", headers=bearer(tokens))).status_code == 401
    refresh = await client.post("/api/token/refresh", json={"refresh": tokens["refresh"]})
    assert refresh.status_code == 401


async def test_the_login_limit_applies_per_client_ip_across_path_variants(client, stack):
    body = {"username": "nobody-at-all", "password": "whatever-it-is"}
    paths = ["/api/token", "/api/token/", "/API/token", "//api/token", "/api/Token"]
    # Absolute URLs: httpx would read a relative "//api/token" as a host named "api".
    statuses = [(await client.post(f"{stack.gateway}{p}", json=body)).status_code for p in paths]
    assert statuses == [401, 401, 401, 401, 401]
    limited = await client.post("/api/token", json=body)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert limited.headers["ratelimit-remaining"] == "0"
    assert limited.json()["code"]
    assert_security_headers(limited)
    async with httpx.AsyncClient(
        base_url=stack.gateway, headers={"X-Forwarded-For": next_ip()}
    ) as other:
        assert (await other.post("/api/token", json=body)).status_code == 401


async def test_the_register_limit_is_three_per_minute(client):
    statuses = []
    for _ in range(4):
        resp = await client.post("/api/auth/register", json=new_user_payload())
        statuses.append(resp.status_code)
    assert statuses == [201, 201, 201, 429]


async def test_responses_carry_rate_limit_headers(client):
    _, _, tokens = await register_and_login(client)
    me = await client.get("/api/users/me", headers=bearer(tokens))
    assert me.headers["ratelimit-limit"] == "1000"
    assert int(me.headers["ratelimit-remaining"]) < 1000
    anon = await client.get("/api/users/me")
    assert anon.status_code == 401
    assert anon.headers["ratelimit-limit"] == "100"


async def test_internal_routes_and_service_metrics_are_not_exposed(client):
    for path in (
        "/internal/notifications",
        "/api/users/metrics",
        "/metrics",
        "/api/auth/internal/x",
        "/api/nowhere",
    ):
        resp = await client.get(path)
        assert resp.status_code == 404, path
        assert resp.json()["code"]
        assert_security_headers(resp)


async def test_an_oversized_json_body_is_refused_with_413(client):
    resp = await client.post(
        "/api/auth/register",
        content=b"{" + b" " * (1024 * 1024 + 10),
        headers={"Content-Type": "application/json"},
    )
    assert resp.status_code == 413
    assert_security_headers(resp)


async def test_garbage_json_gets_a_clear_4xx(client):
    resp = await client.post(
        "/api/token", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert 400 <= resp.status_code < 500
    assert resp.json()["detail"]


async def test_cors_echoes_only_allowed_origins(client):
    ok = await client.options(
        "/api/users/me",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert ok.headers["access-control-allow-origin"] == "http://localhost:5173"
    for origin in (
        "https://evil.com",
        "null",
        "http://localhost:5173.evil.com",
        "http://evil-localhost:5173",
    ):
        resp = await client.get("/api/users/me", headers={"Origin": origin})
        assert "access-control-allow-origin" not in resp.headers, origin


async def test_request_ids_are_kept_or_made(client):
    mine = await client.get("/healthz", headers={"X-Request-ID": "req-123456789"})
    assert mine.headers["x-request-id"] == "req-123456789"
    bad = await client.get("/healthz", headers={"X-Request-ID": "x" * 300})
    assert bad.headers["x-request-id"] != "x" * 300


async def test_openapi_covers_the_public_routes_with_bearer_and_errors(client):
    doc = (await client.get("/openapi.json")).json()
    assert doc["openapi"].startswith("3.1")
    assert "/api/token" in doc["paths"] and "/api/users/me" in doc["paths"]
    assert not any(p.startswith("/internal") or p.endswith("/metrics") for p in doc["paths"])
    schemes = doc["components"]["securitySchemes"]
    assert any(s.get("scheme", "").lower() == "bearer" for s in schemes.values())
    assert "429" in doc["paths"]["/api/token"]["post"]["responses"]
    assert "401" in doc["paths"]["/api/users/me"]["get"]["responses"]


async def test_readiness_reports_each_dependency(client):
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert (await client.get("/healthz")).status_code == 200


async def test_a_login_storm_does_not_stop_other_requests(client, stack):
    _, _, tokens = await register_and_login(client)

    async def one_login() -> int:
        async with httpx.AsyncClient(
            base_url=stack.gateway, timeout=30, headers={"X-Forwarded-For": next_ip()}
        ) as c:
            return (
                await c.post(
                    "/api/token",
                    json={"username": ADMIN["username"], "password": ADMIN["password"]},
                )
            ).status_code

    storm = [asyncio.create_task(one_login()) for _ in range(10)]
    me = await client.get("/api/users/me", headers=bearer(tokens))
    assert me.status_code == 200
    assert set(await asyncio.gather(*storm)) == {200}
