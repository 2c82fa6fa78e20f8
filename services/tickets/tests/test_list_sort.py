"""`GET /api/tickets` (contract §14): sort keys, `assignee=me|none|<id>`, `requester=`,
`active=`, unknown keys and parameters refused, and the export sharing the filters."""

from __future__ import annotations

import csv
import io

import pytest

PRIORITY_RANK = {"low": 0, "medium": 1, "high": 2, "urgent": 3}


async def listed(api, who: str, query: str) -> list[dict]:
    response = await api.call(who, "GET", f"/api/tickets?{query}")
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def four_tickets(api) -> list[dict]:
    """user_a's tickets, filed in this order, one per priority (not in rank order)."""
    return [
        await api.create("user_a", title=f"Ticket {p}", priority=p)
        for p in ("high", "low", "urgent", "medium")
    ]


async def test_the_default_order_is_last_changed_first(api):
    first, second, *_ = await four_tickets(api)
    await api.call("user_a", "PATCH", f"/api/tickets/{first['id']}", json={"category": "x"})
    items = await listed(api, "user_a", "")
    assert items[0]["id"] == first["id"]
    assert [t["id"] for t in items] == [
        t["id"] for t in await listed(api, "user_a", "sort=-updated_at")
    ]
    assert second["id"] in [t["id"] for t in items[1:]]


@pytest.mark.parametrize("key", ["created_at", "updated_at"])
async def test_dates_sort_both_ways_with_ties_by_id(api, key):
    tickets = await four_tickets(api)
    ids = [t["id"] for t in tickets]
    assert [t["id"] for t in await listed(api, "user_a", f"sort={key}")] == ids
    assert [t["id"] for t in await listed(api, "user_a", f"sort=-{key}")] == ids[::-1]


async def test_priority_sorts_by_rank_not_by_name(api):
    await four_tickets(api)
    ascending = [t["priority"] for t in await listed(api, "user_a", "sort=priority")]
    assert ascending == ["low", "medium", "high", "urgent"]
    descending = [t["priority"] for t in await listed(api, "user_a", "sort=-priority")]
    assert descending == ["urgent", "high", "medium", "low"]


async def test_status_sorts_by_the_workflows_order(api):
    tickets = await four_tickets(api)
    await api.move("agent_tts", tickets[0]["id"], "in_progress")
    await api.move("agent_tts", tickets[1]["id"], "in_progress")
    await api.move("agent_tts", tickets[1]["id"], "waiting")
    await api.move("user_a", tickets[2]["id"], "closed")
    statuses = [t["status"] for t in await listed(api, "user_a", "sort=status")]
    assert statuses == ["open", "in_progress", "waiting", "closed"]
    statuses = [t["status"] for t in await listed(api, "user_a", "sort=-status")]
    assert statuses == ["closed", "waiting", "in_progress", "open"]


async def test_sla_due_sorts_nearest_first_and_reversed(api):
    await four_tickets(api)
    ascending = [t["priority"] for t in await listed(api, "user_a", "sort=sla_due")]
    # urgent has the shortest targets, low the longest
    assert ascending == ["urgent", "high", "medium", "low"]
    descending = [t["priority"] for t in await listed(api, "user_a", "sort=-sla_due")]
    assert descending == ["low", "medium", "high", "urgent"]


async def test_paging_is_stable_when_the_sort_key_ties(api):
    for n in range(5):
        await api.create("user_a", title=f"Same priority {n}", priority="high")
    whole = [t["id"] for t in await listed(api, "user_a", "sort=priority&limit=5")]
    pages = []
    for offset in range(5):
        pages += [
            t["id"] for t in await listed(api, "user_a", f"sort=priority&limit=1&offset={offset}")
        ]
    assert pages == whole == sorted(whole)


async def test_assignee_me_none_and_an_id(api, personas):
    mine = await api.create("user_a", title="Taken by the agent")
    other = await api.create("user_a", title="Taken by the manager")
    free = await api.create("user_a", title="Nobody has it")
    await api.call(
        "agent_tts",
        "PATCH",
        f"/api/tickets/{mine['id']}",
        json={"assignee_id": personas.ids["agent_tts"]},
    )
    await api.call(
        "manager_tts",
        "PATCH",
        f"/api/tickets/{other['id']}",
        json={"assignee_id": personas.ids["manager_tts"]},
    )
    scope = f"requester={personas.ids['user_a']}"
    assert [t["id"] for t in await listed(api, "agent_tts", f"{scope}&assignee=me")] == [mine["id"]]
    assert [t["id"] for t in await listed(api, "agent_tts", f"{scope}&assignee=none")] == [
        free["id"]
    ]
    by_id = await listed(api, "agent_tts", f"{scope}&assignee={personas.ids['manager_tts']}")
    assert [t["id"] for t in by_id] == [other["id"]]


async def test_requester_and_system_filter_within_what_the_caller_sees(api, personas):
    a = await api.create("user_a", title="From user a")
    b = await api.create("user_b", title="From user b", system="HDTS")
    both = f"requester={personas.ids['user_a']}"
    assert [t["id"] for t in await listed(api, "global_admin", both)] == [a["id"]]
    # user_a asking for user_b's tickets still sees only their own: nothing
    assert await listed(api, "user_a", f"requester={personas.ids['user_b']}") == []
    # the TTS agent asking for HDTS sees nothing of it
    assert await listed(api, "agent_tts", f"system=HDTS&requester={personas.ids['user_b']}") == []
    found = await listed(api, "agent_hdts", f"system=HDTS&requester={personas.ids['user_b']}")
    assert [t["id"] for t in found] == [b["id"]]


async def test_active_leaves_out_terminal_states(api):
    open_ = await api.create("user_a", title="Still open")
    done = await api.create("user_a", title="Closed one")
    await api.move("user_a", done["id"], "closed")
    assert [t["id"] for t in await listed(api, "user_a", "active=true")] == [open_["id"]]
    assert [t["id"] for t in await listed(api, "user_a", "active=false")] == [done["id"]]


@pytest.mark.parametrize("sort", ["status", "-status", "priority", "sla_due", "-updated_at"])
async def test_active_combines_with_every_sort(api, sort):
    """The status sort joins the workflow's states; the filter must not lose its own."""
    open_ = await api.create("user_a", title="Still open")
    done = await api.create("user_a", title="Closed one")
    await api.move("user_a", done["id"], "closed")
    assert [t["id"] for t in await listed(api, "user_a", f"active=true&sort={sort}")] == [
        open_["id"]
    ]
    assert [t["id"] for t in await listed(api, "user_a", f"active=false&sort={sort}")] == [
        done["id"]
    ]


@pytest.mark.parametrize("sort", ["title", "-id", "priority,status", "--priority", "x" * 300])
async def test_an_unknown_sort_key_is_422_naming_it(api, sort):
    response = await api.call("user_a", "GET", "/api/tickets", params={"sort": sort})
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["loc"] == ["query", "sort"]
    assert "unknown sort key" in error["msg"] or "Input should be" in error["msg"]


async def test_the_422_for_an_unknown_sort_key_names_the_key(api):
    response = await api.call("user_a", "GET", "/api/tickets?sort=-title")
    assert "'-title'" in response.json()["errors"][0]["msg"]


async def test_unknown_filters_are_422_naming_each(api):
    response = await api.call("user_a", "GET", "/api/tickets?colour=red&owner=me&status=open")
    assert response.status_code == 422
    named = sorted(e["loc"][-1] for e in response.json()["errors"])
    assert named == ["colour", "owner"]


@pytest.mark.parametrize("query", ["assignee=", "requester=" + "x" * 65, "active=maybe"])
async def test_bad_filter_values_are_422(api, query):
    assert (await api.call("user_a", "GET", f"/api/tickets?{query}")).status_code == 422


async def test_the_export_takes_the_new_filters(api, personas):
    await api.create("user_a", title="Exported unassigned")
    taken = await api.create("user_a", title="Exported and taken")
    await api.call(
        "agent_tts",
        "PATCH",
        f"/api/tickets/{taken['id']}",
        json={"assignee_id": personas.ids["agent_tts"]},
    )
    query = f"requester={personas.ids['user_a']}&assignee=none"
    response = await api.call("agent_tts", "GET", f"/api/export/tickets?{query}")
    assert response.status_code == 200
    titles = [r["title"] for r in csv.DictReader(io.StringIO(response.text))]
    assert titles == ["Exported unassigned"]
