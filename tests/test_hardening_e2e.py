"""The outside tester's findings of issue "Trust in depth", replayed through the gateway
against the real stack: inputs that answered 500, protocol details, and the smaller ones.

Revocation and claim types, which must also hold on each service's own port, are in
`test_trust_e2e.py`; the fuzzing of every operation is `test_schema_fuzz_e2e.py`.
"""

from __future__ import annotations

import csv
import io
import struct
import time
import zlib

import httpx
import pytest

from .conftest import ADMIN, bearer, login, next_ip, register_and_login

pytestmark = pytest.mark.e2e
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def fresh_ip() -> dict[str, str]:
    return {"X-Forwarded-For": next_ip()}


async def new_ticket(client: httpx.AsyncClient, tokens: dict, title: str) -> dict:
    body = {"title": title, "description": "x"}
    resp = await client.post("/api/tickets", headers=bearer(tokens), json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


# -- inputs that answered 500 ----------------------------------------------------------------


@pytest.mark.parametrize("field", ["username", "password"])
async def test_a_nul_in_the_login_name_or_password_is_a_422_json_and_form(client, field):
    body = {"username": "frank", "password": "a long enough password"}
    body[field] = body[field][:3] + "\x00" + body[field][3:]
    resp = await client.post("/api/token", json=body, headers=fresh_ip())
    assert resp.status_code == 422, resp.text
    assert resp.json()["code"] == "validation_error"
    resp = await client.post("/api/token", data=body, headers=fresh_ip())
    assert resp.status_code == 422, resp.text


@pytest.mark.parametrize("code", ["١٢٣٤٥٦", "¹²³⁴⁵⁶", "12345", "1234567", "12 456"])
async def test_a_totp_code_is_six_ascii_digits_or_a_422(client, code):
    _, _, tokens = await register_and_login(client, "otpfmt")
    body = {"username": "anyone", "password": "a long enough password", "otp": code}
    resp = await client.post("/api/token", json=body, headers=fresh_ip())
    assert resp.status_code == 422, resp.text
    resp = await client.request(
        "DELETE", "/api/users/me/mfa/totp", json={"otp": code}, headers=bearer(tokens)
    )
    assert resp.status_code == 422, resp.text


async def test_a_39_digit_offset_is_a_422_not_a_500(client):
    tokens = await login(client, ADMIN["username"], ADMIN["password"])
    for path in ("/api/users", "/api/tickets", "/api/notifications"):
        resp = await client.get(path, params={"offset": "9" * 39}, headers=bearer(tokens))
        assert resp.status_code == 422, (path, resp.text)


async def test_a_date_time_parameter_must_be_a_date_time(client):
    tokens = await login(client, ADMIN["username"], ADMIN["password"])
    for value in ("0.5", "tomorrow", "2026-13-01T00:00:00Z"):
        resp = await client.get("/api/admin/audit", params={"until": value}, headers=bearer(tokens))
        assert resp.status_code == 422, value
    resp = await client.get(
        "/api/admin/audit", params={"until": "2026-12-01T00:00:00Z"}, headers=bearer(tokens)
    )
    assert resp.status_code == 200


# -- protocol details --------------------------------------------------------------------------


async def test_a_405_names_every_method_of_the_path(client):
    _, _, tokens = await register_and_login(client, "allow")
    resp = await client.put("/api/tickets/1", json={}, headers=bearer(tokens))
    assert resp.status_code == 405
    allowed = {m.strip() for m in resp.headers["allow"].split(",")}
    assert {"GET", "PATCH", "DELETE"} <= allowed


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_probes_answer_get_and_head_only(client, path):
    assert (await client.get(path)).status_code == 200
    assert (await client.head(path)).status_code == 200
    resp = await client.post(path)
    assert resp.status_code == 405
    assert {m.strip() for m in resp.headers["allow"].split(",")} == {"GET", "HEAD"}


async def test_the_openapi_states_what_it_refuses(client):
    spec = (await client.get("/openapi.json")).json()
    register = spec["paths"]["/api/auth/register"]["post"]
    assert "400" in register["responses"]  # a body that is not JSON
    ref = register["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    password = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]["password"]
    assert password["minLength"] == 8
    assert password["maxLength"] >= 128
    for body in (b"{not json", b"\xff\xfe"):  # bad JSON; bytes that are not even UTF-8
        headers = {"Content-Type": "application/json", **fresh_ip()}
        resp = await client.post("/api/auth/register", content=body, headers=headers)
        assert resp.status_code in (400, 422), resp.text
        assert str(resp.status_code) in register["responses"]
        assert resp.json()["code"]


# -- the smaller ones ----------------------------------------------------------------------------


async def test_the_login_slow_down_counts_per_account_whatever_name_was_typed(client):
    payload, user, _ = await register_and_login(client, "slowdown")
    names = [payload["username"], user["email"], payload["username"].upper(), user["email"]]
    for name in names:  # four failures, each from another client IP, under four spellings
        body = {"username": name, "password": "not the password at all"}
        resp = await client.post("/api/token", json=body, headers=fresh_ip())
        assert resp.status_code == 401
    started = time.perf_counter()
    body = {"username": user["email"].upper(), "password": payload["password"]}
    resp = await client.post("/api/token", json=body, headers=fresh_ip())
    assert resp.status_code == 200
    assert time.perf_counter() - started >= 0.45  # the fifth attempt waited: one account


async def test_csv_cells_are_quoted_and_defused_for_comma_and_semicolon_readers(client):
    _, _, tokens = await register_and_login(client, "csv")
    for title in ("x;=1+2 semicolon", "=HYPERLINK(1) plain", 'a "quoted", text'):
        body = {"title": title, "description": "line one\n@line two"}
        resp = await client.post("/api/tickets", headers=bearer(tokens), json=body)
        assert resp.status_code == 201
    resp = await client.get("/api/export/tickets", headers=bearer(tokens))
    assert resp.status_code == 200
    for delimiter in (",", ";"):
        rows = list(csv.reader(io.StringIO(resp.text), delimiter=delimiter))
        cells = [cell for row in rows[1:] for cell in row]
        assert cells, delimiter
        assert not [c for c in cells if c.startswith(FORMULA_STARTS)], delimiter
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert 'a "quoted", text' in {row["title"] for row in rows}


def png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    crc = struct.pack(">I", zlib.crc32(chunk))
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + crc + b"\x00" * 64


async def test_an_image_declaring_too_many_pixels_is_refused(client):
    _, _, tokens = await register_and_login(client, "pixels")
    ticket = await new_ticket(client, tokens, "A huge picture")
    url = f"/api/tickets/{ticket['id']}/attachments"
    files = {"file": ("bomb.png", png_header(50_000, 50_000), "image/png")}
    resp = await client.post(url, files=files, headers=bearer(tokens))
    assert resp.status_code == 422, resp.text
    assert resp.json()["code"] == "image_too_large"
    files = {"file": ("fine.png", png_header(640, 480), "image/png")}
    assert (await client.post(url, files=files, headers=bearer(tokens))).status_code == 201


async def test_the_api_docs_load_nothing_from_another_origin(client):
    resp = await client.get("/docs")
    assert resp.status_code == 200
    csp = resp.headers["content-security-policy"]
    assert "http" not in csp and "unsafe-inline" not in csp
    assert "cdn" not in resp.text and "https://" not in resp.text
    for asset in ("/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/docs/init.js"):
        assert (await client.get(asset)).status_code == 200, asset


async def test_an_attachment_download_keeps_its_sandbox_csp(client):
    _, _, tokens = await register_and_login(client, "sandbox")
    ticket = await new_ticket(client, tokens, "A file to read")
    files = {"file": ("notes.txt", b"plain notes\n", "text/plain")}
    url = f"/api/tickets/{ticket['id']}/attachments"
    attachment = (await client.post(url, files=files, headers=bearer(tokens))).json()
    resp = await client.get(f"{url}/{attachment['id']}", headers=bearer(tokens))
    assert resp.status_code == 200
    assert "sandbox" in resp.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in resp.headers["content-security-policy"]


async def test_a_service_never_answers_a_5xx_to_a_nul_anywhere(client: httpx.AsyncClient):
    _, _, tokens = await register_and_login(client, "nulls")
    probes = [
        ("POST", "/api/tickets", {"title": "nul\x00title", "description": "d"}),
        ("POST", "/api/ai/suggest", {"description": "a\x00b"}),
        ("GET", "/api/tickets?q=a%00b", None),
        ("POST", "/api/users/me/password", {"current_password": "x\x00", "new_password": "y"}),
    ]
    for method, path, body in probes:
        resp = await client.request(method, path, json=body, headers=bearer(tokens))
        assert resp.status_code < 500 and resp.status_code in (400, 422), (path, resp.text)
