"""Creating, reading, listing, updating and deleting tickets; validation and read-only fields."""

from __future__ import annotations

import pytest

from servicedesk_tickets.ticketing.schemas import TicketPage

TICKET_FIELDS = {
    "id",
    "title",
    "description",
    "status",
    "priority",
    "category",
    "system",
    "requester_id",
    "assignee_id",
    "created_at",
    "updated_at",
}


async def test_a_new_ticket_is_open_and_belongs_to_the_caller(api, personas):
    ticket = await api.create("user_a", priority="high", category="hardware")
    # §5's fields, the triage, and §12's people beside their ids
    assert set(ticket) == TICKET_FIELDS | {"ai_triage", "requester", "assignee", "sla"}
    assert ticket["status"] == "open"
    assert ticket["system"] == "TTS"
    assert ticket["priority"] == "high"
    assert ticket["requester_id"] == personas.ids["user_a"]
    assert ticket["assignee_id"] is None


async def test_priority_defaults_to_medium_and_system_can_be_chosen(api):
    ticket = await api.create("user_a", system="HDTS")
    assert (ticket["priority"], ticket["system"]) == ("medium", "HDTS")


@pytest.mark.parametrize(
    "body",
    [
        {"title": "abcd", "description": "x"},
        {"title": "x" * 201, "description": "x"},
        {"title": "     abc    ", "description": "x"},
        {"title": "Valid title", "description": "x", "priority": "critical"},
        {"title": "Valid title", "description": "x", "system": "NOPE"},
        {"title": "Valid title"},
        {"title": "Valid\x00title", "description": "x"},
        {"title": "Valid title", "description": "x", "status": "closed"},
        {"title": "Valid title", "description": "x", "requester_id": "someone-else"},
        {"title": "Valid title", "description": "x", "id": 1},
        {"title": "Valid title", "description": "x", "assignee_id": "me"},
        {"title": "Valid title", "description": "x", "created_at": "2000-01-01T00:00:00Z"},
    ],
)
async def test_invalid_bodies_and_read_only_fields_are_refused_with_422(api, body):
    response = await api.call("user_a", "POST", "/api/tickets", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] in {"validation_error", "unknown_system"}


async def test_bad_json_is_a_422_not_a_500(api):
    response = await api.call(
        "user_a",
        "POST",
        "/api/tickets",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_requests_without_a_valid_token_are_401(client):
    assert (await client.get("/api/tickets")).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    response = await client.get("/api/tickets", headers=bad)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


@pytest.mark.parametrize("ticket_id", ["abc", "0", "-1", "99999999999999999999", "1.5"])
async def test_malformed_ids_are_422_never_500(api, ticket_id):
    response = await api.call("global_admin", "GET", f"/api/tickets/{ticket_id}")
    assert response.status_code == 422


async def test_an_unknown_id_is_404(api):
    response = await api.call("global_admin", "GET", "/api/tickets/987654321")
    assert response.status_code == 404


async def test_trailing_slash_is_the_same_resource_without_redirect(api):
    ticket = await api.create()
    for path in ("/api/tickets/", f"/api/tickets/{ticket['id']}/"):
        response = await api.call("user_a", "GET", path)
        assert response.status_code == 200, path


async def test_the_list_filters_pages_and_orders_newest_first(api):
    first = await api.create("user_a", priority="low")
    second = await api.create("user_a", priority="urgent")
    page = (await api.call("user_a", "GET", "/api/tickets?limit=1")).json()
    assert page["total"] == 2
    assert [t["id"] for t in page["items"]] == [second["id"]]
    page = (await api.call("user_a", "GET", "/api/tickets?limit=1&offset=1")).json()
    assert [t["id"] for t in page["items"]] == [first["id"]]
    low = (await api.call("user_a", "GET", "/api/tickets?priority=low")).json()
    assert [t["id"] for t in low["items"]] == [first["id"]]


@pytest.mark.parametrize("query", ["limit=201", "limit=0", "offset=-1", "priority=nope"])
async def test_list_parameters_out_of_range_are_422(api, query):
    assert (await api.call("user_a", "GET", f"/api/tickets?{query}")).status_code == 422


async def test_full_text_search_matches_title_and_description_words(api):
    vpn = await api.create("user_a", title="VPN drops every hour", description="Since Monday")
    await api.create("user_a", title="Broken chair", description="Wobbles when sitting")
    for q in ("vpn", "dropping", '"every hour"', "monday", "VPN -chair"):
        items = (await api.call("user_a", "GET", "/api/tickets", params={"q": q})).json()["items"]
        assert [t["id"] for t in items] == [vpn["id"]], q
    items = (await api.call("user_a", "GET", "/api/tickets", params={"q": "sitting"})).json()
    assert items["total"] == 1


async def test_filters_by_status_system_and_assignee(api, personas):
    tts = await api.create("user_a")
    hdts = await api.create("user_a", system="HDTS")
    assert (await api.move("agent_tts", tts["id"], "in_progress")).status_code == 200
    patch = {"assignee_id": personas.ids["agent_tts"]}
    url = f"/api/tickets/{tts['id']}"
    assert (await api.call("manager_tts", "PATCH", url, json=patch)).status_code == 200
    for query, expected in [
        ("status=in_progress", [tts]),
        ("system=HDTS", [hdts]),
        (f"assignee_id={personas.ids['agent_tts']}", [tts]),
    ]:
        items = (await api.call("user_a", "GET", f"/api/tickets?{query}")).json()["items"]
        assert [t["id"] for t in items] == [t["id"] for t in expected], query


async def test_the_requester_edits_content_while_open_but_not_after(api):
    ticket = await api.create("user_a")
    url = f"/api/tickets/{ticket['id']}"
    response = await api.call("user_a", "PATCH", url, json={"title": "Printer on fire, still"})
    assert response.status_code == 200
    assert response.json()["title"] == "Printer on fire, still"
    assert response.json()["updated_at"] > ticket["updated_at"]
    assert (await api.move("agent_tts", ticket["id"], "in_progress")).status_code == 200
    response = await api.call("user_a", "PATCH", url, json={"priority": "urgent"})
    assert response.status_code == 403
    assert response.json()["code"] == "field_forbidden"


@pytest.mark.parametrize(
    "patch",
    [
        {"status": "closed"},
        {"requester_id": "x"},
        {"id": 5},
        {"system": "HDTS"},
        {"title": None},
        {"created_at": "2001-01-01T00:00:00Z"},
    ],
)
async def test_read_only_fields_in_a_patch_are_422(api, patch):
    ticket = await api.create("user_a")
    response = await api.call("global_admin", "PATCH", f"/api/tickets/{ticket['id']}", json=patch)
    assert response.status_code == 422


async def test_only_managers_and_above_assign(api, personas):
    ticket = await api.create("user_a")
    url = f"/api/tickets/{ticket['id']}"
    body = {"assignee_id": personas.ids["agent_tts"]}
    someone_else = {"assignee_id": personas.ids["manager_tts"]}  # an agent only takes it
    for who, attempt in (("user_a", body), ("agent_tts", someone_else)):
        response = await api.call(who, "PATCH", url, json=attempt)
        assert response.status_code == 403, who
    response = await api.call("manager_tts", "PATCH", url, json=body)
    assert response.json()["assignee_id"] == personas.ids["agent_tts"]
    response = await api.call("manager_tts", "PATCH", url, json={"assignee_id": None})
    assert response.json()["assignee_id"] is None


async def test_a_deleted_ticket_disappears_everywhere(api):
    ticket = await api.create("user_a")
    url = f"/api/tickets/{ticket['id']}"
    assert (await api.call("user_a", "DELETE", url)).status_code == 204
    for who in ("user_a", "global_admin"):
        assert (await api.call(who, "GET", url)).status_code == 404
        assert (await api.call(who, "GET", url + "/comments")).status_code == 404
        listing = (await api.call(who, "GET", "/api/tickets")).json()
        assert ticket["id"] not in [t["id"] for t in listing["items"]]
    assert (await api.call("global_admin", "DELETE", url)).status_code == 404


async def test_the_requester_may_not_delete_once_work_started(api):
    ticket = await api.create("user_a")
    await api.move("agent_tts", ticket["id"], "in_progress")
    url = f"/api/tickets/{ticket['id']}"
    assert (await api.call("user_a", "DELETE", url)).status_code == 403
    assert (await api.call("admin_tts", "DELETE", url)).status_code == 204


async def test_the_list_body_is_exactly_what_its_response_model_writes(api):
    """The list is sent as built (`servicedesk_shared.shaped`), not re-validated per
    request: it must already be the model's own JSON, SLA clocks and people included."""
    await api.create("user_a", priority="urgent")
    await api.create("user_a", title="Second", category="Hardware")
    for path in ("/api/tickets", "/api/views/mine/tickets", "/api/tickets?sort=sla_due"):
        body = (await api.call("user_a", "GET", path)).json()
        assert body == TicketPage.model_validate(body).model_dump(mode="json"), path
    body = (await api.call("user_a", "GET", "/api/tickets")).json()
    assert body["total"] == 2 and body["items"][0]["sla"]["first_response"]["due_at"].endswith("Z")
