"""`GET /api/tickets/{id}/similar`: full-text duplicates, best first, within visibility."""

from __future__ import annotations

import pytest
from sqlalchemy import true
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_tickets.similar import service


async def similar(api, who: str, ticket_id: int, **params) -> list[dict]:
    response = await api.call(who, "GET", f"/api/tickets/{ticket_id}/similar", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_the_closest_ticket_comes_first_and_the_ticket_itself_never(api):
    source = await api.create(
        "user_a",
        title="Quuxnet VPN drops every hour",
        description="Since Monday the Quuxnet VPN connection drops every hour",
    )
    near = await api.create(
        "user_a",
        title="Quuxnet VPN connection drops hourly",
        description="The Quuxnet VPN drops every hour since Monday",
    )
    far = await api.create(
        "user_a", title="Quuxnet printer jammed", description="Paper stuck in tray two"
    )
    await api.create("user_a", title="Coffee machine broken", description="No espresso")
    items = await similar(api, "user_a", source["id"])
    assert [item["id"] for item in items] == [near["id"], far["id"]]
    assert set(items[0]) == {"id", "title", "status", "score"}
    assert items[0]["title"] == near["title"] and items[0]["status"] == "open"
    assert 1 >= items[0]["score"] > items[1]["score"] > 0


async def test_other_users_tickets_never_appear_and_unseen_tickets_are_404(api):
    text = {
        "title": "Frobozz badge reader broken",
        "description": "The Frobozz badge reader refuses my badge",
    }
    mine = await api.create("user_a", **text)
    theirs = await api.create("user_b", **text)
    other_system = await api.create("user_b", system="HDTS", **text)
    assert await similar(api, "user_a", mine["id"]) == []
    assert [i["id"] for i in await similar(api, "agent_tts", mine["id"])] == [theirs["id"]]
    admin_sees = {i["id"] for i in await similar(api, "global_admin", mine["id"])}
    assert admin_sees == {theirs["id"], other_system["id"]}
    response = await api.call("user_b", "GET", f"/api/tickets/{mine['id']}/similar")
    assert response.status_code == 404
    missing = await api.call("user_a", "GET", "/api/tickets/9000000003/similar")
    assert missing.status_code == 404


async def test_deleted_tickets_are_left_out(api):
    source = await api.create("user_a", title="Blorpcam lens cracked", description="Blorpcam lens")
    gone = await api.create("user_a", title="Blorpcam lens cracked", description="Blorpcam lens")
    assert [i["id"] for i in await similar(api, "user_a", source["id"])] == [gone["id"]]
    assert (await api.call("user_a", "DELETE", f"/api/tickets/{gone['id']}")).status_code == 204
    assert await similar(api, "user_a", source["id"]) == []


async def test_limit_defaults_to_five_and_stops_at_twenty(api):
    source = await api.create("user_a", title="Wibblenet outage", description="Wibblenet down")
    for n in range(7):
        await api.create("user_a", title=f"Wibblenet outage {n}", description="Wibblenet down")
    assert len(await similar(api, "user_a", source["id"])) == 5
    assert len(await similar(api, "user_a", source["id"], limit=20)) == 7
    for bad in (0, 21, "x"):
        response = await api.call(
            "user_a", "GET", f"/api/tickets/{source['id']}/similar", params={"limit": bad}
        )
        assert response.status_code == 422


@pytest.mark.parametrize(
    "description",
    ["O'Brien's \\\\server\\share 'quoted' \"C:\\path\" a:b & c | !d <-> e:*", "the and of"],
)
async def test_any_text_is_searched_safely(api, description):
    source = await api.create("user_a", title="Odd text here", description=description)
    await api.create("user_a", title="Odd text here too", description=description)
    assert isinstance(await similar(api, "user_a", source["id"]), list)


async def test_a_ticket_of_stop_words_only_has_no_similar_tickets(api):
    source = await api.create("user_a", title="the and of", description="it is")
    await api.create("user_a", title="the and of", description="it is")
    assert await similar(api, "user_a", source["id"]) == []


async def test_only_the_newest_candidates_are_scored(api, conn, app):
    """A word shared by thousands of tickets scores only the newest `candidates` of them:
    an older exact copy is not found past the cap, the newer ones are, best first."""
    text = {"title": "Zorblat monitor flickers", "description": "Zorblat monitor flickers"}
    source = await api.create("user_a", **text)
    older_copy = await api.create("user_a", **text)
    newer = [
        await api.create("user_a", title=f"Zorblat monitor {n}", description="Zorblat")
        for n in range(2)
    ]
    async with AsyncSession(bind=conn, join_transaction_mode="create_savepoint") as session:
        capped = await service.get_all(
            session, ticket_id=source["id"], visible=true(), limit=5, candidates=2
        )
        uncapped = await service.get_all(
            session, ticket_id=source["id"], visible=true(), limit=5, candidates=3
        )
    assert {row.id for row in capped} == {t["id"] for t in newer}
    assert uncapped[0].id == older_copy["id"]
    assert app.state.runtime.settings.duplicate_candidates == 1000
