"""Trust in depth (contract §15): one credential per request, and every service checks a
token's type and revocation itself — through the gateway and on each service's own port.

Each test here failed on the code before issue "Trust in depth": a second `Authorization`
header let a revoked token through, and the services' own ports accepted any well-signed
token (logged out, outdated, demoted, or with claims of the wrong type).
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import AsyncIterator

import httpx
import jwt
import pytest

from .conftest import ADMIN, RunningStack, bearer, login, next_ip, register_and_login

pytestmark = pytest.mark.e2e

SERVICES = ("auth", "tickets", "notifications", "ai-assist")
# One signed-in read per service: what a revoked token must no longer reach.
READS = {
    "auth": "/api/users/me",
    "tickets": "/api/tickets",
    "notifications": "/api/notifications",
    "ai-assist": "/api/ai/status",
}


@pytest.fixture
async def admin_client(stack: RunningStack) -> AsyncIterator[httpx.AsyncClient]:
    """The bootstrap superuser's own client (its own client IP, its own token)."""
    headers = {"X-Forwarded-For": next_ip()}
    async with httpx.AsyncClient(base_url=stack.gateway, headers=headers, timeout=20) as admin:
        admin.headers.update(bearer(await login(admin, ADMIN["username"], ADMIN["password"])))
        yield admin


async def reads(stack: RunningStack, headers: dict[str, str]) -> dict[str, int]:
    """The status each service's own port answers to its signed-in read."""
    statuses = {}
    async with httpx.AsyncClient(timeout=10) as direct:
        for name in SERVICES:
            resp = await direct.get(stack.service(name) + READS[name], headers=headers)
            statuses[name] = resp.status_code
    return statuses


async def gateway_reads(client: httpx.AsyncClient, headers) -> dict[str, int]:
    return {n: (await client.get(READS[n], headers=headers)).status_code for n in SERVICES}


def raw_request(port: int, head: str) -> int:
    """Send `head` (request line and headers, CRLF-joined) as is; the status answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\n\r\n")
        reply = b""
        while b"\r\n" not in reply:
            chunk = sock.recv(4096)
            if not chunk:
                break
            reply += chunk
    return int(reply.split(b" ", 2)[1])


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


# -- one credential per request ------------------------------------------------------------


async def test_a_second_authorization_header_is_refused_before_routing(stack, client):
    _, _, tokens = await register_and_login(client, "twohdr")
    good = f"Bearer {tokens['access']}"
    for second in ("x", good, "Bearer nonsense"):
        headers = [("Authorization", good), ("Authorization", second)]
        for path in (*READS.values(), "/api/nowhere", "/openapi.json"):
            resp = await client.get(path, headers=headers)
            assert resp.status_code == 400, (path, second)
            assert resp.json()["code"] == "ambiguous_request"


async def test_a_second_authorization_header_is_refused_on_every_services_port(stack, client):
    _, _, tokens = await register_and_login(client, "twohdrsvc")
    headers = [("Authorization", f"Bearer {tokens['access']}"), ("Authorization", "x")]
    async with httpx.AsyncClient(timeout=10) as direct:
        for name in SERVICES:
            resp = await direct.get(stack.service(name) + READS[name], headers=headers)
            assert resp.status_code == 400, name
            assert resp.json()["code"] == "ambiguous_request"


@pytest.mark.parametrize("value", ["Bearer a, Bearer b", "Bearer abc Basic eHl6"])
async def test_one_header_with_two_credentials_is_400(stack, client, value):
    resp = await client.get("/api/tickets", headers={"Authorization": value})
    assert resp.status_code == 400
    async with httpx.AsyncClient(timeout=10) as direct:
        resp = await direct.get(
            stack.service("tickets") + "/api/tickets", headers={"Authorization": value}
        )
    assert resp.status_code == 400


@pytest.mark.parametrize("value", ["Basic eHl6OmFiYw==", "Bearer", "Bearer not-a-jwt", "x"])
async def test_one_header_that_is_not_a_valid_bearer_token_stays_401(stack, client, value):
    resp = await client.get("/api/tickets", headers={"Authorization": value})
    assert resp.status_code == 401


@pytest.mark.parametrize(
    "extra",
    [
        "Host: one.example\r\nHost: two.example",
        "Idempotency-Key: a\r\nIdempotency-Key: b",
        "X-API-Key: a\r\nX-API-Key: b",
        "Content-Length: 0\r\nTransfer-Encoding: chunked",
    ],
)
def test_other_security_relevant_headers_may_come_only_once(stack, extra):
    for url in (stack.gateway, stack.service("tickets"), stack.service("notifications")):
        head = f"GET /api/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\nConnection: close"
        if extra.startswith("Host"):
            head = f"GET /api/tickets HTTP/1.1\r\n{extra}\r\nConnection: close"
        assert raw_request(port_of(url), head) == 400, (url, extra)


# -- revocation, checked by every service --------------------------------------------------


async def test_a_logged_out_token_is_refused_everywhere_whatever_the_headers(stack, client):
    _, _, tokens = await register_and_login(client, "loggedout")
    assert set((await reads(stack, bearer(tokens))).values()) == {200}
    resp = await client.post(
        "/api/auth/logout", json={"refresh": tokens["refresh"]}, headers=bearer(tokens)
    )
    assert resp.status_code == 204
    assert await reads(stack, bearer(tokens)) == dict.fromkeys(SERVICES, 401)
    assert await gateway_reads(client, bearer(tokens)) == dict.fromkeys(SERVICES, 401)
    doubled = [("Authorization", f"Bearer {tokens['access']}"), ("Authorization", "x")]
    assert await gateway_reads(client, doubled) == dict.fromkeys(SERVICES, 400)
    # Filing a ticket on tickets' own port with the dead token: refused, nothing created.
    async with httpx.AsyncClient(timeout=10) as direct:
        resp = await direct.post(
            stack.service("tickets") + "/api/tickets",
            headers=bearer(tokens),
            json={"title": "after logout", "description": "x"},
        )
    assert resp.status_code == 401
    assert resp.json()["code"] == "token_revoked"


async def test_a_password_change_outdates_the_token_on_every_service(stack, client):
    payload, _, tokens = await register_and_login(client, "pwchange")
    resp = await client.post(
        "/api/users/me/password",
        json={"current_password": payload["password"], "new_password": "A quite new passphrase 9"},
        headers=bearer(tokens),
    )
    assert resp.status_code == 204
    assert await reads(stack, bearer(tokens)) == dict.fromkeys(SERVICES, 401)


async def test_a_demoted_admin_loses_admin_routes_on_the_services_own_ports(
    stack, client, admin_client
):
    payload, user, _ = await register_and_login(client, "demoted")
    resp = await admin_client.patch(f"/api/users/{user['id']}", json={"is_admin": True})
    assert resp.status_code == 200, resp.text
    tokens = await login(client, payload["username"], payload["password"])
    tickets = stack.service("tickets")
    async with httpx.AsyncClient(timeout=10) as direct:
        for path in ("/api/admin/audit", "/api/admin/ai-settings"):
            assert (await direct.get(tickets + path, headers=bearer(tokens))).status_code == 200
        resp = await admin_client.patch(f"/api/users/{user['id']}", json={"is_admin": False})
        assert resp.status_code == 200
        for path in ("/api/admin/audit", "/api/admin/ai-settings"):
            assert (await direct.get(tickets + path, headers=bearer(tokens))).status_code == 401
            resp = await client.get(path, headers=bearer(tokens))
            assert resp.status_code == 401
        resp = await direct.put(
            tickets + "/api/admin/ai-settings",
            headers=bearer(tokens),
            json={"auto_apply": True, "min_confidence": 0.1},
        )
        assert resp.status_code == 401


async def test_a_deactivated_user_is_refused_on_every_service(stack, client, admin_client):
    _, user, tokens = await register_and_login(client, "deactivated")
    resp = await admin_client.patch(f"/api/users/{user['id']}", json={"is_active": False})
    assert resp.status_code == 200, resp.text
    assert await reads(stack, bearer(tokens)) == dict.fromkeys(SERVICES, 401)


# -- claim types ---------------------------------------------------------------------------


def forge(stack: RunningStack, user_id: str, overrides: dict | None = None) -> str:
    """A token signed with the stack's real signing key, claims as given."""
    kid, _, secret = stack.env["JWT_SECRET_KEYS"].split(",")[0].partition(":")
    now = int(time.time())
    claims = {
        "sub": user_id,
        "username": "forged",
        "email": "forged@example.com",
        "is_admin": False,
        "roles": ["user"],
        "systems": {},
        "tv": 0,
        "type": "access",
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + 300,
        "iss": "servicedesk-auth",
        "aud": "servicedesk",
    }
    claims.update(overrides or {})
    return jwt.encode(claims, secret, "HS256", headers={"kid": kid})


BAD_CLAIMS = [
    {"roles": "superuser"},
    {"roles": ["user", "emperor"]},
    {"is_admin": "true"},
    {"systems": ["TTS"]},
    {"systems": "TTS"},
    {"systems": {"TTS": "overlord"}},
    {"exp": str(int(time.time()) + 300)},
    {"iat": "now"},
    {"tv": "0"},
]


async def test_a_well_signed_token_with_claims_of_the_wrong_type_is_401_everywhere(stack, client):
    _, user, _ = await register_and_login(client, "claims")
    good = forge(stack, user["id"])
    assert set((await reads(stack, {"Authorization": f"Bearer {good}"})).values()) == {200}
    for bad in [*BAD_CLAIMS, {"sub": "1"}, {"sub": user["id"].upper()}]:
        headers = {"Authorization": f"Bearer {forge(stack, user['id'], bad)}"}
        assert await reads(stack, headers) == dict.fromkeys(SERVICES, 401), bad
        assert await gateway_reads(client, headers) == dict.fromkeys(SERVICES, 401), bad


async def test_a_string_roles_claim_is_no_superuser_on_admin_routes(stack, client):
    _, user, _ = await register_and_login(client, "substring")
    headers = {"Authorization": f"Bearer {forge(stack, user['id'], {'roles': 'superuser'})}"}
    async with httpx.AsyncClient(timeout=10) as direct:
        resp = await direct.get(stack.service("tickets") + "/api/admin/audit", headers=headers)
    assert resp.status_code == 401
    resp = await client.get("/api/admin/audit", headers={**headers, "X-Forwarded-For": next_ip()})
    assert resp.status_code == 401
