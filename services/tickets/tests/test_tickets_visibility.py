"""Row-level security: the role, system and endpoint matrix, and IDOR on every nested route.

The ticket is always user_a's. Whoever may not see it gets 404 on every route, nested
ones included; whoever may see it but not act gets 403.
"""

from __future__ import annotations

import pytest

EVERYONE = (
    "user_a",
    "user_b",
    "agent_tts",
    "agent_hdts",
    "manager_tts",
    "admin_tts",
    "global_admin",
    "superuser",
)
SEES = {
    "TTS": {"user_a", "agent_tts", "manager_tts", "admin_tts", "global_admin", "superuser"},
    "HDTS": {"user_a", "agent_hdts", "global_admin", "superuser"},
}
# Among those who see the ticket: who may do what (everyone else seeing it gets 403).
MAY = {
    "transition": {
        "agent_tts",
        "agent_hdts",
        "manager_tts",
        "admin_tts",
        "global_admin",
        "superuser",
    },
    "assign": {"manager_tts", "admin_tts", "global_admin", "superuser"},
    "delete": {"user_a", "admin_tts", "global_admin", "superuser"},
    "internal_note": {
        "agent_tts",
        "agent_hdts",
        "manager_tts",
        "admin_tts",
        "global_admin",
        "superuser",
    },
}
MATRIX = [(system, who) for system in SEES for who in EVERYONE]


def expected(system: str, who: str, ok: int, action: str | None = None) -> int:
    if who not in SEES[system]:
        return 404
    if action is not None and who not in MAY[action]:
        return 403
    return ok


@pytest.mark.parametrize(("system", "who"), MATRIX)
@pytest.mark.parametrize("suffix", ["", "/comments", "/attachments", "/history"])
async def test_reading_a_ticket_and_its_nested_resources(api, system, who, suffix):
    ticket = await api.create("user_a", system=system)
    response = await api.call(who, "GET", f"/api/tickets/{ticket['id']}{suffix}")
    assert response.status_code == expected(system, who, 200), response.text


@pytest.mark.parametrize(("system", "who"), MATRIX)
async def test_the_list_and_search_show_exactly_the_visible_tickets(api, system, who):
    ticket = await api.create("user_a", system=system, title="Matrix probe zebra")
    for query in ("", "?q=zebra"):
        items = (await api.call(who, "GET", f"/api/tickets{query}")).json()["items"]
        assert (ticket["id"] in [t["id"] for t in items]) == (who in SEES[system])


@pytest.mark.parametrize(("system", "who"), MATRIX)
async def test_editing_content(api, system, who):
    ticket = await api.create("user_a", system=system)
    body = {"description": f"edited by {who}"}
    response = await api.call(who, "PATCH", f"/api/tickets/{ticket['id']}", json=body)
    assert response.status_code == expected(system, who, 200)


@pytest.mark.parametrize(("system", "who"), MATRIX)
async def test_assigning(api, personas, system, who):
    ticket = await api.create("user_a", system=system)
    staff = "agent_tts" if system == "TTS" else "agent_hdts"  # assignees must be staff there
    body = {"assignee_id": personas.ids[staff]}
    response = await api.call(who, "PATCH", f"/api/tickets/{ticket['id']}", json=body)
    allowed = MAY["assign"] if system == "TTS" else {"global_admin", "superuser"}
    allowed = allowed | {staff}  # an agent taking an unassigned ticket for themselves
    status = 200 if who in allowed else 403
    assert response.status_code == (404 if who not in SEES[system] else status)


async def test_an_agent_takes_and_gives_back_but_assigns_nobody_else(api, personas):
    me, other = personas.ids["agent_tts"], personas.ids["manager_tts"]
    ticket = await api.create("user_a", system="TTS")
    path = f"/api/tickets/{ticket['id']}"
    assert (
        await api.call("agent_tts", "PATCH", path, json={"assignee_id": other})
    ).status_code == 403
    taken = await api.call("agent_tts", "PATCH", path, json={"assignee_id": me})
    assert (taken.status_code, taken.json()["assignee_id"]) == (200, me)
    released = await api.call("agent_tts", "PATCH", path, json={"assignee_id": None})
    assert (released.status_code, released.json()["assignee_id"]) == (200, None)
    await api.call("manager_tts", "PATCH", path, json={"assignee_id": other})
    for body in ({"assignee_id": me}, {"assignee_id": None}):  # someone else's ticket
        assert (await api.call("agent_tts", "PATCH", path, json=body)).status_code == 403


@pytest.mark.parametrize(("system", "who"), MATRIX)
async def test_moving_a_ticket_into_progress(api, system, who):
    ticket = await api.create("user_a", system=system)
    response = await api.move(who, ticket["id"], "in_progress")
    assert response.status_code == expected(system, who, 200, "transition")


@pytest.mark.parametrize(("system", "who"), MATRIX)
async def test_deleting(api, system, who):
    ticket = await api.create("user_a", system=system)
    response = await api.call(who, "DELETE", f"/api/tickets/{ticket['id']}")
    allowed = MAY["delete"] if system == "TTS" else {"user_a", "global_admin", "superuser"}
    status = 204 if who in allowed else 403
    assert response.status_code == (404 if who not in SEES[system] else status)


@pytest.mark.parametrize(("system", "who"), MATRIX)
async def test_commenting_and_internal_notes(api, system, who):
    ticket = await api.create("user_a", system=system)
    url = f"/api/tickets/{ticket['id']}/comments"
    public = await api.call(who, "POST", url, json={"body": "hello"})
    assert public.status_code == expected(system, who, 201)
    note = await api.call(who, "POST", url, json={"body": "psst", "internal": True})
    assert note.status_code == expected(system, who, 201, "internal_note")


@pytest.mark.parametrize(("system", "who"), MATRIX)
async def test_uploading(api, system, who):
    ticket = await api.create("user_a", system=system)
    response = await api.upload(who, ticket["id"], b"log line\n", "log.txt")
    assert response.status_code == expected(system, who, 201)


async def test_an_attachment_id_of_another_ticket_is_404(api):
    mine = await api.create("user_a")
    other = await api.create("user_a")
    attachment = (await api.upload("user_a", other["id"], b"secret\n")).json()
    for who in ("user_a", "global_admin"):
        url = f"/api/tickets/{mine['id']}/attachments/{attachment['id']}"
        assert (await api.call(who, "GET", url)).status_code == 404
        url = f"/api/tickets/{other['id']}/attachments/{attachment['id']}"
        assert (await api.call(who, "GET", url)).status_code == 200


async def test_attachments_of_a_ticket_you_cannot_see_are_404(api):
    ticket = await api.create("user_a")
    attachment = (await api.upload("user_a", ticket["id"], b"secret\n")).json()
    url = f"/api/tickets/{ticket['id']}/attachments/{attachment['id']}"
    for who in ("user_b", "agent_hdts"):
        assert (await api.call(who, "GET", url)).status_code == 404


@pytest.mark.parametrize("attachment_id", ["nope", "1", "00000000-0000-0000-0000-00000000000g"])
async def test_malformed_attachment_ids_are_422(api, attachment_id):
    ticket = await api.create("user_a")
    url = f"/api/tickets/{ticket['id']}/attachments/{attachment_id}"
    assert (await api.call("user_a", "GET", url)).status_code == 422


async def test_the_export_follows_the_same_rule(api):
    tts = await api.create("user_a", title="Export probe TTS")
    hdts = await api.create("user_b", system="HDTS", title="Export probe HDTS")
    for who, sees in [
        ("user_a", {tts["id"]}),
        ("user_b", {hdts["id"]}),
        ("agent_tts", {tts["id"]}),
        ("agent_hdts", {hdts["id"]}),
        ("global_admin", {tts["id"], hdts["id"]}),
    ]:
        body = (await api.call(who, "GET", "/api/export/tickets?q=probe")).text
        ids = {int(line.split(",")[0]) for line in body.splitlines()[1:]}
        assert ids == sees, who
