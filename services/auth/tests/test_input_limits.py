"""No input makes auth answer 5xx (contract §15): NUL characters, lone surrogates,
non-ASCII digits as TOTP codes and huge integers are 422s, and the schema says so."""

import pytest

from servicedesk_auth.main import create_app

NUL_LOGINS = [
    {"username": "ro\x00ot", "password": "violet-harbour-lantern"},
    {"username": "root", "password": "violet\x00harbour"},
]
BAD_CODES = ["١٢٣٤٥٦", "¹²³⁴⁵⁶", "12345", "1234567", "12 456", "12345\x00"]


@pytest.mark.parametrize("body", NUL_LOGINS)
async def test_a_nul_in_a_json_login_is_a_422(client, body):
    response = await client.post("/api/token", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error"


@pytest.mark.parametrize("body", NUL_LOGINS)
async def test_a_nul_in_a_form_login_is_a_422(client, body):
    response = await client.post("/api/token", data=body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error"


async def test_a_lone_surrogate_in_a_json_body_is_a_422(client):
    raw = b'{"username": "a\\ud800b", "password": "violet-harbour-lantern"}'
    response = await client.post(
        "/api/token", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    raw = b'{"username": "abc", "email": "a@example.com", "password": "x", "\\udfff": 1}'
    response = await client.post(
        "/api/auth/register", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error"


@pytest.mark.parametrize("otp", BAD_CODES)
async def test_a_totp_code_that_is_not_six_ascii_digits_is_a_422_at_login(client, api, otp):
    user = await api.register()
    response = await client.post(
        "/api/token",
        json={"username": user["username"], "password": "violet-harbour-lantern", "otp": otp},
    )
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("otp", BAD_CODES)
async def test_a_totp_code_that_is_not_six_ascii_digits_is_a_422_to_verify_and_disable(
    client, api, bearer, otp
):
    _, pair = await api.signed_in()
    enrolled = await client.post("/api/users/me/mfa/totp", headers=bearer(pair))
    assert enrolled.status_code == 200
    verify = await client.post(
        "/api/users/me/mfa/totp/verify", json={"otp": otp}, headers=bearer(pair)
    )
    assert verify.status_code == 422, verify.text
    disable = await client.request(
        "DELETE", "/api/users/me/mfa/totp", json={"otp": otp}, headers=bearer(pair)
    )
    assert disable.status_code == 422, disable.text


async def test_a_huge_offset_is_a_422(client, api, bearer):
    admin = await api.admin()
    response = await client.get("/api/users", params={"offset": "9" * 39}, headers=bearer(admin))
    assert response.status_code == 422, response.text
    response = await client.get("/api/users", params={"limit": "9" * 39}, headers=bearer(admin))
    assert response.status_code == 422, response.text


async def test_a_405_names_every_method_of_the_path(client):
    response = await client.put("/api/token")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    response = await client.get("/api/users/me/mfa/totp")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"POST", "DELETE"}
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_probes_answer_get_and_head_only(client, path):
    assert (await client.get(path)).status_code == 200
    assert (await client.head(path)).status_code == 200
    response = await client.post(path)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_the_schemas_state_their_limits(settings):
    document = create_app(settings).openapi()
    schemas = document["components"]["schemas"]
    password = schemas["UserCreate"]["properties"]["password"]
    assert password["minLength"] == 8
    assert password["maxLength"] >= 128
    assert "\\u0000" in password["pattern"]
    body = document["paths"]["/api/token"]["post"]["requestBody"]["content"]
    login = body["application/json"]["schema"]["properties"]
    assert "\\u0000" in login["username"]["pattern"]
    assert login["otp"]["anyOf"][0]["pattern"] == "^[0-9]{6}$"
    assert schemas["OtpIn"]["properties"]["otp"]["pattern"] == "^[0-9]{6}$"
