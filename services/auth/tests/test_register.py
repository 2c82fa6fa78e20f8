"""Registration: the user object, mass assignment, uniqueness, password and username rules."""

import pytest

from servicedesk_devtools.testing import unique

PASSWORD = "violet-harbour-lantern"


def body(**overrides):
    name = unique("reg")
    return {"username": name, "email": f"{name}@example.com", "password": PASSWORD, **overrides}


async def test_registering_returns_the_user_without_the_hash(client):
    data = body()
    response = await client.post("/api/auth/register", json=data)
    assert response.status_code == 201, response.text
    user = response.json()
    assert set(user) == {
        "id",
        "username",
        "email",
        "display_name",
        "is_active",
        "is_admin",
        "is_superuser",
        "roles",
        "systems",
        "mfa_enabled",
        "created_at",
    }
    assert user["username"] == data["username"] == user["display_name"]
    assert (user["is_admin"], user["is_superuser"], user["is_active"]) == (False, False, True)
    assert user["roles"] == ["user"]
    assert user["systems"] == {}
    assert PASSWORD not in response.text


@pytest.mark.parametrize(
    "field",
    [
        {"is_admin": True},
        {"is_superuser": True},
        {"roles": ["admin"]},
        {"id": "x"},
        {"systems": {"TTS": "admin"}},
        {"is_active": False},
    ],
)
async def test_registering_with_privileged_fields_is_refused(client, field):
    response = await client.post("/api/auth/register", json=body(**field))
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_a_taken_username_in_another_case_conflicts(client, api):
    user = await api.register()
    response = await client.post("/api/auth/register", json=body(username=user["username"].upper()))
    assert response.status_code == 409
    assert response.json()["code"] == "user_exists"


async def test_a_taken_email_in_another_case_conflicts(client, api):
    user = await api.register()
    response = await client.post("/api/auth/register", json=body(email=user["email"].upper()))
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Sh0rt!", "min_length"),
        ("x" * 1025, "max_length"),
        ("password123", "common"),
        ("83920174659", "numeric"),
    ],
)
async def test_each_password_rule_is_enforced(client, password, rule):
    response = await client.post("/api/auth/register", json=body(password=password))
    assert response.status_code == 422
    assert response.json()["code"] == "weak_password"
    assert rule in [e["rule"] for e in response.json()["errors"]]


async def test_a_password_like_the_username_or_email_is_refused(client):
    for data in (
        body(username="margaret.hamilton7", password="hamilton7margaret"),
        body(email="grace.hopper@navy.example", password="GraceHopper"),
    ):
        response = await client.post("/api/auth/register", json=data)
        assert [e["rule"] for e in response.json()["errors"]] == ["similar"]


async def test_every_broken_rule_is_listed_at_once(client):
    response = await client.post(
        "/api/auth/register", json=body(username="1234567x", password="1234567")
    )
    assert response.status_code == 422
    rules = {e["rule"] for e in response.json()["errors"]}
    assert rules == {"min_length", "common", "numeric", "similar"}
    assert all(e["message"] for e in response.json()["errors"])


async def test_a_long_passphrase_is_accepted(client):
    response = await client.post("/api/auth/register", json=body(password="ü" * 200))
    assert response.status_code == 201


@pytest.mark.parametrize("username", ["ab", "has space", "semi;colon", "x" * 151])
async def test_bad_usernames_are_refused(client, username):
    response = await client.post("/api/auth/register", json=body(username=username))
    assert response.status_code == 422


async def test_a_body_that_is_not_json_is_a_422_not_a_500(client):
    response = await client.post(
        "/api/auth/register", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_the_path_with_a_trailing_slash_is_the_same_route(client):
    response = await client.post("/api/auth/register/", json=body())
    assert response.status_code == 201


async def test_registering_writes_a_user_registered_event_in_the_outbox(client, conn):
    from sqlalchemy import text

    response = await client.post(
        "/api/auth/register", json=body(), headers={"X-Request-ID": "req-register-0001"}
    )
    user_id = response.json()["id"]
    rows = await conn.execute(
        text("SELECT type, payload FROM outbox WHERE payload->'data'->>'user_id' = :id"),
        {"id": user_id},
    )
    [(type_, payload)] = rows.all()
    assert type_ == "user.registered"
    assert payload["producer"] == "auth"
    assert payload["version"] == 1
    assert payload["correlation_id"] == "req-register-0001"
    assert set(payload) == {
        "id",
        "type",
        "version",
        "occurred_at",
        "producer",
        "correlation_id",
        "data",
    }
