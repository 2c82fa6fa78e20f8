"""`GET /api/tickets` on a plain connection (`ticketing.service.read_all` and `read_page`):
the same page, total and bodies as the session path (`get_all`, `page_with_people`, which
saved views still use) for every filter, sort and kind of caller; its statements kept per
shape with the values apart; the total counted also past the last page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, get_args

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared import reads
from servicedesk_shared.principal import Principal
from servicedesk_tickets.database import utcnow
from servicedesk_tickets.sla import page as sla_page
from servicedesk_tickets.ticketing import service
from servicedesk_tickets.ticketing.schemas import SortKey, TicketListParams

SORTS = get_args(SortKey)
CALLERS = {
    "agent_tts": {"systems": {"TTS": "agent"}},
    "user_a": {},
    "global_admin": {"is_admin": True},
}


def caller(uid: str, *, is_admin: bool = False, systems: dict[str, str] | None = None):
    return Principal(
        id=uid, username=uid, email="", is_admin=is_admin, is_superuser=False, systems=systems or {}
    )


def persona(api, name: str) -> Principal:
    return caller(api.personas.ids[name], **CALLERS[name])


def filter_sets(api) -> list[dict[str, Any]]:
    """Each filter alone (values that match and that do not), `None` left out, and a few
    together; `assignee` as `me`, `none` and an id."""
    agent = api.personas.ids["agent_tts"]
    return [
        {},
        {"status": "open"},
        {"status": "in_progress"},
        {"priority": "high"},
        {"system": "HDTS"},
        {"assignee_id": agent},
        {"assignee": "me"},
        {"assignee": "none"},
        {"assignee": agent},
        {"requester": api.personas.ids["user_a"]},
        {"requester": "nobody"},
        {"active": True},
        {"active": False},
        {"q": "printer"},
        {"q": '"printer jam" OR laptop -vpn'},
        {"sla": "breached"},
        {"sla": "at_risk"},
        {"system": "TTS", "active": True, "q": "printer", "assignee": "me"},
        {"status": "open", "priority": "high", "sla": "breached", "requester": None},
    ]


async def age(conn, ticket_id: int, **columns: timedelta) -> None:
    """Move stored clock moments into the past (the SLA filters read the stored columns)."""
    sets = ", ".join(f"{name} = now() - CAST(:{name} AS interval)" for name in columns)
    await conn.execute(
        text(f"UPDATE ticket_sla SET {sets} WHERE ticket_id = :id"),  # noqa: S608 (names from the test)
        {"id": ticket_id, **columns},
    )


async def desk(api, conn) -> dict[str, int]:
    """Tickets of two requesters in two systems: assigned and not, moved along (one
    closed), matching a search or not, one breached and one at risk, one without stored
    clocks (derived from its history) and one whose requester the directory forgot."""
    ids: dict[str, int] = {}
    for name, who, system, title, priority in (
        ("printer", "user_a", "TTS", "Printer on fire", "high"),
        ("vpn", "user_a", "TTS", "VPN drops hourly", "low"),
        ("jam", "user_a", "HDTS", "Printer jam again", "urgent"),
        ("laptop", "user_b", "TTS", "Laptop will not boot", "medium"),
        ("chair", "user_b", "HDTS", "Broken chair", "medium"),
        ("derived", "user_b", "TTS", "Monitor flickers", "urgent"),
    ):
        created = await api.create(who, system=system, title=title, priority=priority)
        ids[name] = created["id"]
    agent = {"assignee_id": api.personas.ids["agent_tts"]}
    for name in ("printer", "laptop"):
        response = await api.call("manager_tts", "PATCH", f"/api/tickets/{ids[name]}", json=agent)
        assert response.status_code == 200, response.text
    assert (await api.move("user_a", ids["vpn"], "closed")).status_code == 200
    assert (await api.move("agent_tts", ids["laptop"], "in_progress")).status_code == 200
    moved = await api.call(
        "agent_tts", "PATCH", f"/api/tickets/{ids['derived']}", json={"priority": "low"}
    )
    assert moved.status_code == 200, moved.text
    await age(
        conn,
        ids["printer"],
        first_response_warn_at=timedelta(minutes=20),
        first_response_due_at=timedelta(minutes=5),
    )
    await age(conn, ids["laptop"], resolution_warn_at=timedelta(minutes=1))
    await conn.execute(text("DELETE FROM ticket_sla WHERE ticket_id = :id"), {"id": ids["derived"]})
    await conn.execute(
        text("DELETE FROM people WHERE user_id = :u"), {"u": api.personas.ids["user_b"]}
    )
    return ids


def freeze_time(monkeypatch) -> None:
    """One moment for both paths from here on (the clocks' remaining seconds, the SLA
    filters' comparisons), taken after the desk is set up."""
    now = utcnow()
    monkeypatch.setattr(service, "utcnow", lambda: now)
    monkeypatch.setattr(sla_page, "utcnow", lambda: now)


async def both_paths(conn, params: TicketListParams, principal: Principal):
    """(rows, total, bodies) from the session path, then from the plain connection."""
    async with AsyncSession(bind=conn) as session:
        rows, total = await service.get_all(session, params=params, principal=principal)
        session_side = (rows, total, await service.page_with_people(session, rows))
    plain = await reads.driver(conn)
    rows, total = await service.read_all(plain, params=params, principal=principal)
    return session_side, (rows, total, await service.read_page(plain, rows))


@pytest.mark.parametrize("who", list(CALLERS))
async def test_the_plain_list_equals_the_session_list_for_every_filter_and_sort(
    api, conn, monkeypatch, who
):
    """Filters x sorts x pages (the first, a middle one, one past the end) for an agent of
    one system, a requester and an admin: the same rows (same attributes), the same total
    and the same bodies on both paths."""
    await desk(api, conn)
    freeze_time(monkeypatch)
    principal = persona(api, who)
    for filters in filter_sets(api):
        for sort in SORTS:
            for limit, offset in ((50, 0), (2, 1), (3, 50)):
                params = TicketListParams(**filters, sort=sort, limit=limit, offset=offset)
                (rows, total, bodies), (plain_rows, plain_total, plain_bodies) = await both_paths(
                    conn, params, principal
                )
                case = (who, filters, sort, limit, offset)
                assert [tuple(r) for r in plain_rows] == [tuple(r) for r in rows], case
                assert (plain_total, plain_bodies) == (total, bodies), case
                if rows:
                    assert plain_rows[0]._fields == rows[0]._fields, case


async def test_the_matrix_sees_what_it_should(api, conn):
    """The matrix above is not vacuous: each caller sees tickets, filters narrow them, the
    derived and the stored clocks both appear, the forgotten requester is named null."""
    ids = await desk(api, conn)
    plain = await reads.driver(conn)

    async def seen(who: str, **filters: Any) -> dict[int, dict]:
        """What `who` is listed of this test's tickets (other tests commit tickets too)."""
        params = TicketListParams(**filters, limit=200)
        rows, total = await service.read_all(plain, params=params, principal=persona(api, who))
        assert total == len(rows) or len(rows) == 200
        bodies = await service.read_page(plain, rows)
        return {body["id"]: body for body in bodies if body["id"] in ids.values()}

    def named(*names: str) -> set[int]:
        return {ids[name] for name in names}

    assert set(await seen("agent_tts")) == named("printer", "vpn", "laptop", "derived")
    assert set(await seen("user_a")) == named("printer", "vpn", "jam")
    everything = await seen("global_admin")
    assert set(everything) == set(ids.values())
    assert set(await seen("global_admin", sla="breached")) == named("printer")
    assert set(await seen("global_admin", sla="at_risk")) == named("laptop")
    assert set(await seen("agent_tts", assignee="me")) == named("printer", "laptop")
    assert set(await seen("user_a", q="printer")) == named("printer", "jam")
    assert set(await seen("user_a", active=False)) == named("vpn")
    derived = everything[ids["derived"]]
    assert derived["sla"]["first_response"] is not None
    assert derived["requester"]["username"] is None
    assert everything[ids["printer"]]["sla"]["first_response"]["breached"] is True


async def test_the_route_answers_what_the_session_path_shapes(api, conn, monkeypatch):
    """`GET /api/tickets` itself (on the test transaction's plain connection) answers the
    session path's body, as JSON."""
    await desk(api, conn)
    freeze_time(monkeypatch)
    for who in CALLERS:
        for query in (
            {},
            {"sort": "status", "active": True},
            {"sla": "breached"},
            {"q": "printer"},
        ):
            response = await api.call(who, "GET", "/api/tickets", params=query)
            assert response.status_code == 200, response.text
            params = TicketListParams(**query)
            async with AsyncSession(bind=conn) as session:
                principal = persona(api, who)
                rows, total = await service.get_all(session, params=params, principal=principal)
                items = await service.page_with_people(session, rows)
            assert response.json() == {"items": items, "total": total}, (who, query)


async def test_the_total_counts_every_match_when_the_offset_is_past_the_end(api, conn):
    for _ in range(3):
        await api.create("user_b")
    response = await api.call("user_b", "GET", "/api/tickets", params={"offset": 10})
    assert response.status_code == 200
    assert response.json() == {"items": [], "total": 3}
    plain = await reads.driver(conn)
    principal = caller(api.personas.ids["user_b"])
    for offset, shown in ((0, 3), (2, 1), (3, 0), (10_000_000, 0)):
        params = TicketListParams(offset=offset, sort="priority")
        rows, total = await service.read_all(plain, params=params, principal=principal)
        assert (len(rows), total) == (shown, 3), offset


async def test_one_statement_serves_other_values_of_the_same_shape(api, conn):
    """Two reads of one shape with other values share the frozen statements and each gets
    its own answer (the values replaced per call, never the first caller's)."""
    ids = await desk(api, conn)
    plain = await reads.driver(conn)
    principal = persona(api, "global_admin")
    mine = api.personas.ids["user_a"]
    counts, pages = set(), set()
    for status, expected in (("open", {"printer", "jam"}), ("closed", {"vpn"}), ("waiting", set())):
        params = TicketListParams(status=status, requester=mine)
        shape = listing(principal, status=status, requester=mine)
        counts.add(service._COUNTS(shape))
        pages.add(service._PAGE_READS(shape))
        rows, total = await service.read_all(plain, params=params, principal=principal)
        assert {row.id for row in rows} == {ids[name] for name in expected}, status
        assert total == len(expected), status
    assert len(counts) == len(pages) == 1  # one count and one page for the three reads


def listing(principal: Principal, **params: Any):
    params = TicketListParams(**params)
    return service._Listing(
        principal, params, service.filter_values(params, principal), params.sort
    )


def test_the_sql_is_the_session_paths_kept_per_shape_with_the_values_apart():
    """Per caller's visibility, filters present and sort: one frozen count and page whose
    SQL is the session path's statement as sent (bind for bind); another value of a filter,
    another caller with the same systems, `assignee=me` or an id share the SQL text; a
    filter left out (`None`), `assignee=none`, `active`, the SLA filter's kind and the sort
    change it; limit, offset and the SLA filter's moment are binds of their own."""
    agent = caller("u1", systems={"TTS": "agent"})
    other = caller("u2", systems={"TTS": "agent"})
    base = listing(agent, status="open", q="printer", sort="status")
    page = service._PAGE_READS(base)
    assert service._PAGE_READS(listing(agent, status="closed", q="vpn", sort="status")) is page
    same_shape = service._PAGE_READS(listing(other, status="open", q="printer", sort="status"))
    assert same_shape is not page and same_shape.sql == page.sql and same_shape.args != page.args
    statement = service._paged(
        "status", service.filter_conditions(base.filters, agent), base.filters.limit, 0
    )
    assert reads.Frozen(statement).sql == page.sql
    count = reads.Frozen(service._counted(service.filter_conditions(base.filters, agent)))
    assert count.sql == service._COUNTS(base).sql
    assert {"status", "q", "limit", "offset"} <= set(page.position)

    def sql(**params: Any) -> str:
        return service._PAGE_READS(listing(agent, **params)).sql

    assert sql(assignee="me") == sql(assignee="someone") != sql(assignee="none")
    assert sql(status=None) == sql() != sql(status="open")
    assert len({sql(active=True), sql(active=False), sql(active=None)}) == 3
    assert len({sql(sla="breached"), sql(sla="at_risk"), sql()}) == 3
    assert sql(sort="status") != sql(sort="-status")
    assert service._COUNTS(listing(agent, sort="status")) is service._COUNTS(listing(agent))
    assert sql(limit=5, offset=10) == sql()

    breached = listing(agent, sla="breached")
    frozen = service._PAGE_READS(breached)
    changes = service._changes(frozen, breached.values)
    moments = {
        name for name, index in frozen.position.items() if frozen.args[index] == service._NOW
    }
    assert len(moments) >= 2 and moments <= set(changes)
    assert all(changes[name] == breached.values["now"] for name in moments)
    assert "now" not in changes
