"""No input makes tickets answer 5xx (contract §15), every 405 names every method of the
path, and the probes answer GET and HEAD only."""

import pytest

from servicedesk_tickets.main import create_app

SURROGATE = b'{"title": "A fine title", "description": "a\\ud800b"}'


async def test_a_nul_in_any_string_is_a_422(api):
    ticket = await api.create("user_a")
    cases = [
        ("POST", "/api/tickets", {"json": {"title": "Printer\x00 jam", "description": "x"}}),
        ("GET", "/api/tickets", {"params": {"q": "print\x00er"}}),
        ("GET", "/api/tickets", {"params": {"assignee_id": "a\x00"}}),
        ("PATCH", f"/api/tickets/{ticket['id']}", {"json": {"category": "a\x00"}}),
        ("POST", f"/api/tickets/{ticket['id']}/comments", {"json": {"body": "\x00"}}),
        ("GET", "/api/export/tickets", {"params": {"columns": "description\x00"}}),
    ]
    for method, url, kwargs in cases:
        response = await api.call("user_a", method, url, **kwargs)
        assert response.status_code == 422, (method, url, response.text)
        assert response.json()["code"] == "validation_error"


async def test_a_lone_surrogate_in_a_body_is_a_422(api):
    response = await api.call(
        "user_a",
        "POST",
        "/api/tickets",
        content=SURROGATE,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text


async def test_a_body_that_is_not_utf8_is_a_400_in_the_error_shape(api):
    response = await api.call(
        "user_a",
        "POST",
        "/api/tickets",
        content=b'{"title": "\xff\xfe"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


@pytest.mark.parametrize("value", ["0.5", "1714560000", "2024-05-01", "2024-05-01T12:00:00"])
async def test_audit_dates_must_be_rfc3339(api, value):
    response = await api.call("superuser", "GET", "/api/admin/audit", params={"until": value})
    assert response.status_code == 422, response.text
    ok = await api.call("superuser", "GET", "/api/admin/audit?until=2024-05-01T12:00:00%2B02:00")
    assert ok.status_code == 200


@pytest.mark.parametrize("param", ["offset", "limit"])
async def test_huge_integers_are_a_422(api, param):
    for url in ("/api/tickets", "/api/admin/audit"):
        response = await api.call("superuser", "GET", url, params={param: "9" * 39})
        assert response.status_code == 422, response.text
    response = await api.call("superuser", "GET", "/api/tickets/" + "9" * 39)
    assert response.status_code == 422


async def test_a_405_names_every_method_of_the_path(api):
    ticket = await api.create("user_a")
    response = await api.call("user_a", "PUT", f"/api/tickets/{ticket['id']}")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PATCH, DELETE"
    assert response.json()["code"] == "method_not_allowed"
    response = await api.call("user_a", "DELETE", "/api/tickets")
    assert response.headers["allow"] == "GET, POST"


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_probes_answer_get_and_head_only(client, path):
    assert (await client.head(path)).status_code == 200
    response = await client.post(path)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_every_request_string_states_that_it_refuses_nul(settings):
    document = create_app(settings).openapi()
    schemas = document["components"]["schemas"]
    assert "\\u0000" in schemas["TicketCreate"]["properties"]["description"]["pattern"]
    title = schemas["TicketCreate"]["properties"]["title"]
    assert (title["minLength"], title["maxLength"]) == (5, 200)
    assert title["pattern"].startswith(
        "^\\s*[^\\s"
    )  # the 5 characters count after stripping spaces
    params = document["paths"]["/api/admin/audit"]["get"]["parameters"]
    offset = next(p for p in params if p["name"] == "offset")["schema"]
    assert offset["maximum"] == 10_000_000
