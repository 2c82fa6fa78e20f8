"""Saved views (contract §14): private and shared views, the built-ins, live counts from
one statement, paged tickets shaped like the list, and never a ticket the viewer could not
see."""

from __future__ import annotations

import pytest
from sqlalchemy import event

BUILTINS = ["mine", "unassigned", "at_risk"]


async def create_view(api, who: str, **body) -> dict:
    response = await api.call(who, "POST", "/api/views", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def views_of(api, who: str) -> dict[str, dict]:
    response = await api.call(who, "GET", "/api/views")
    assert response.status_code == 200, response.text
    return {v["id"]: v for v in response.json()["items"]}


async def tickets_of(api, who: str, view_id: str, query: str = "") -> dict:
    response = await api.call(who, "GET", f"/api/views/{view_id}/tickets?{query}")
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_private_view_lists_its_tickets_like_the_list(api, personas):
    await api.create("user_a", title="Printer low", priority="low")
    await api.create("user_a", title="Printer urgent", priority="urgent")
    view = await create_view(
        api, "user_a", name="  Urgent first ", filters={"q": "printer"}, sort="-priority"
    )
    assert view["name"] == "Urgent first" and view["count"] == 2
    assert (view["shared"], view["builtin"], view["editable"]) == (False, False, True)
    page = await tickets_of(api, "user_a", view["id"])
    listed = (await api.call("user_a", "GET", "/api/tickets?q=printer&sort=-priority")).json()
    assert page == listed
    assert [t["priority"] for t in page["items"]] == ["urgent", "low"]
    assert {"requester", "assignee", "sla"} <= set(page["items"][0])
    one = await tickets_of(api, "user_a", view["id"], "limit=1&offset=1")
    assert one["total"] == 2 and [t["priority"] for t in one["items"]] == ["low"]


async def test_the_list_has_builtins_first_then_own_views_with_counts(api, personas):
    await api.create("user_a", title="Mine to take")
    view = await create_view(
        api, "agent_tts", name="Everything of user a", filters={"requester": personas.ids["user_a"]}
    )
    found = await views_of(api, "agent_tts")
    assert list(found)[:3] == BUILTINS
    assert all(found[b]["builtin"] and not found[b]["editable"] for b in BUILTINS)
    assert found[view["id"]]["count"] == 1
    assert view["id"] not in await views_of(api, "agent_hdts")  # private


async def test_builtin_views_mine_and_unassigned_follow_the_viewer(api, personas):
    mine = await api.create("user_a", title="Assigned to the agent")
    await api.create("user_a", title="Nobody has it")
    await api.call(
        "agent_tts",
        "PATCH",
        f"/api/tickets/{mine['id']}",
        json={"assignee_id": personas.ids["agent_tts"]},
    )
    page = await tickets_of(api, "agent_tts", "mine")
    assert [t["id"] for t in page["items"]] == [mine["id"]]
    assert (await tickets_of(api, "manager_tts", "mine"))["total"] == 0
    unassigned = await tickets_of(api, "user_a", "unassigned")
    assert [t["title"] for t in unassigned["items"]] == ["Nobody has it"]
    counts = await views_of(api, "user_a")
    assert (counts["mine"]["count"], counts["unassigned"]["count"]) == (0, 1)


async def test_a_shared_view_shows_each_viewer_only_what_they_may_see(api, personas):
    await api.create("user_a", title="Filed by user a")
    await api.create("user_b", title="Filed by user b")
    shared = await create_view(
        api, "admin_tts", name="TTS queue", filters={"system": "TTS", "q": "filed"}, shared=True
    )
    assert shared["shared"] and shared["system"] == "TTS"
    # user_a is a plain user of TTS: the view is listed, with their own ticket only
    as_user = {"TTS": "user"}
    user_views = (
        await api.call(
            "user_a", "GET", "/api/views", headers=personas.headers("user_a", systems=as_user)
        )
    ).json()
    listed = {v["id"]: v for v in user_views["items"]}
    assert listed[shared["id"]]["count"] == 1 and not listed[shared["id"]]["editable"]
    page = await api.call(
        "user_a",
        "GET",
        f"/api/views/{shared['id']}/tickets",
        headers=personas.headers("user_a", systems=as_user),
    )
    assert [t["title"] for t in page.json()["items"]] == ["Filed by user a"]
    # the agent of TTS sees both
    assert (await tickets_of(api, "agent_tts", shared["id"]))["total"] == 2
    # someone with no role in TTS does not get the view at all
    assert shared["id"] not in await views_of(api, "agent_hdts")
    response = await api.call("agent_hdts", "GET", f"/api/views/{shared['id']}/tickets")
    assert response.status_code == 404


async def test_a_view_naming_a_system_the_viewer_is_not_in_never_widens(api, personas):
    await api.create("user_b", title="HDTS secret", system="HDTS")
    view = await create_view(api, "agent_tts", name="Peek at HDTS", filters={"system": "HDTS"})
    assert view["count"] == 0
    assert (await tickets_of(api, "agent_tts", view["id"]))["total"] == 0
    admin_view = await create_view(api, "global_admin", name="HDTS", filters={"system": "HDTS"})
    assert admin_view["count"] >= 1


async def test_only_a_systems_admins_share_views_with_it(api):
    body = {"name": "Shared", "filters": {"system": "TTS"}, "shared": True}
    for who in ("user_a", "agent_tts", "manager_tts", "agent_hdts"):
        response = await api.call(who, "POST", "/api/views", json=body)
        assert response.status_code == 403, who
    for who in ("admin_tts", "global_admin"):
        assert (await api.call(who, "POST", "/api/views", json=body)).status_code == 201


async def test_a_shared_view_needs_its_system_and_the_system_must_exist(api):
    response = await api.call("admin_tts", "POST", "/api/views", json={"name": "x", "shared": True})
    assert response.status_code == 422
    body = {"name": "x", "shared": True, "filters": {"system": "NOPE"}}
    response = await api.call("global_admin", "POST", "/api/views", json=body)
    assert response.status_code == 422 and response.json()["code"] == "unknown_system"


async def test_only_admins_of_the_system_edit_a_shared_view(api):
    shared = await create_view(
        api, "admin_tts", name="Queue", filters={"system": "TTS"}, shared=True
    )
    url = f"/api/views/{shared['id']}"
    response = await api.call("agent_tts", "PATCH", url, json={"name": "Mine now"})
    assert response.status_code == 403 and response.json()["code"] == "view_read_only"
    assert (await api.call("agent_tts", "DELETE", url)).status_code == 403
    response = await api.call("global_admin", "PATCH", url, json={"name": "Renamed"})
    assert response.status_code == 200 and response.json()["name"] == "Renamed"
    assert (await api.call("admin_tts", "DELETE", url)).status_code == 204
    assert (await api.call("admin_tts", "GET", url)).status_code == 404


async def test_patch_changes_only_what_is_sent_and_may_unshare(api):
    view = await create_view(
        api, "admin_tts", name="Queue", filters={"system": "TTS"}, sort="priority", shared=True
    )
    url = f"/api/views/{view['id']}"
    patched = (await api.call("admin_tts", "PATCH", url, json={"shared": False})).json()
    assert (patched["shared"], patched["system"], patched["sort"]) == (False, None, "priority")
    patched = (await api.call("admin_tts", "PATCH", url, json={"sort": None})).json()
    assert patched["sort"] == "-updated_at"
    patched = (
        await api.call("admin_tts", "PATCH", url, json={"filters": {"priority": "high"}})
    ).json()
    assert patched["filters"] == {"priority": "high"}
    response = await api.call("admin_tts", "PATCH", url, json={"shared": True})
    assert response.status_code == 422 and response.json()["code"] == "invalid_view"


async def test_sharing_with_another_system_needs_its_admin_too(api):
    view = await create_view(api, "admin_tts", name="Queue", filters={"system": "TTS"}, shared=True)
    response = await api.call(
        "admin_tts", "PATCH", f"/api/views/{view['id']}", json={"filters": {"system": "HDTS"}}
    )
    assert response.status_code == 403


async def test_someone_elses_private_view_is_404(api):
    view = await create_view(api, "user_a", name="Private")
    for method in ("GET", "PATCH", "DELETE"):
        kwargs = {"json": {"name": "x"}} if method == "PATCH" else {}
        response = await api.call("user_b", method, f"/api/views/{view['id']}", **kwargs)
        assert response.status_code == 404, method
    assert (await api.call("user_b", "GET", f"/api/views/{view['id']}/tickets")).status_code == 404


@pytest.mark.parametrize("builtin", BUILTINS)
async def test_builtins_cannot_be_changed(api, builtin):
    url = f"/api/views/{builtin}"
    response = await api.call("global_admin", "PATCH", url, json={"name": "x"})
    assert response.status_code == 403 and response.json()["code"] == "view_read_only"
    assert (await api.call("global_admin", "DELETE", url)).status_code == 403
    assert (await api.call("user_a", "GET", url)).json()["builtin"] is True


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"name": "x", "colour": "red"}, ["colour"]),
        ({"name": "x", "filters": {"owner": "me", "tag": "x"}}, ["owner", "tag"]),
        ({"name": "x", "sort": "title"}, ["sort"]),
        ({"name": "x", "filters": {"priority": "critical"}}, ["priority"]),
        ({"name": ""}, ["name"]),
        ({"name": "x" * 101}, ["name"]),
        ({"name": "a\x00b"}, ["name"]),
        ({}, ["name"]),
    ],
)
async def test_invalid_views_are_422_naming_each_problem(api, body, named):
    response = await api.call("user_a", "POST", "/api/views", json=body)
    assert response.status_code == 422, response.text
    assert sorted(str(e["loc"][-1]) for e in response.json()["errors"]) == sorted(named)


@pytest.mark.parametrize("view_id", ["0", "-1", "abc", "9" * 19, "1.5", "MINE"])
async def test_malformed_view_ids_are_422(api, view_id):
    assert (await api.call("user_a", "GET", f"/api/views/{view_id}")).status_code == 422


async def test_an_unknown_view_is_404(api):
    assert (await api.call("user_a", "GET", "/api/views/987654321")).status_code == 404


async def test_view_pages_refuse_unknown_parameters(api):
    response = await api.call("user_a", "GET", "/api/views/mine/tickets?sort=priority")
    assert response.status_code == 422


async def test_counts_take_one_statement_whatever_the_number_of_views(api, app):
    for n in range(6):
        await create_view(api, "agent_tts", name=f"View {n}", filters={"priority": "high"})
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if "FROM tickets" in statement:
            statements.append(statement)

    engine = app.state.runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert len(await views_of(api, "agent_tts")) == 9
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1 and statements[0].count("FILTER") == 9
