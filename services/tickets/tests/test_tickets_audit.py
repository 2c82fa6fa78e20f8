"""The audit log: written with each change, hash-chained, append-only, tamper-evident, and
never forked by concurrent writers."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from servicedesk_tickets.audit import chain


async def verify(api) -> dict:
    response = await api.call("superuser", "GET", "/api/admin/audit/verify")
    assert response.status_code == 200
    return response.json()


async def test_each_change_is_audited_with_actor_ip_request_id_and_values(api, personas):
    ticket = await api.create("user_a")
    url = f"/api/tickets/{ticket['id']}"
    await api.call("user_a", "PATCH", url, json={"title": "A better title"},
                   headers={"X-Request-ID": "audit-req-000001"})  # fmt: skip
    page = await api.call("global_admin", "GET", f"/api/admin/audit?object_id={ticket['id']}")
    latest = page.json()["items"][0]
    assert latest["action"] == "ticket.updated"
    assert latest["actor_id"] == personas.ids["user_a"] and latest["actor_name"] == "user_a"
    assert latest["old"] == {"title": ticket["title"]}
    assert latest["new"] == {"title": "A better title"}
    assert (latest["request_id"], latest["ip"]) == ("audit-req-000001", "203.0.113.9")
    assert page.json()["total"] == 2


async def test_the_history_shows_the_tickets_entries_oldest_first(api):
    ticket = await api.create("user_a")
    await api.move("agent_tts", ticket["id"], "in_progress")
    history = (await api.call("user_a", "GET", f"/api/tickets/{ticket['id']}/history")).json()
    assert [h["action"] for h in history] == ["ticket.created", "ticket.status_changed"]
    assert history[1]["old"] == {"status": "open"} and history[1]["new"] == {
        "status": "in_progress"
    }
    assert "ip" not in history[0] and "hash" not in history[0]


@pytest.mark.parametrize("who", ["user_a", "agent_tts", "manager_tts", "admin_tts"])
async def test_only_global_admins_read_the_whole_log(api, who):
    assert (await api.call(who, "GET", "/api/admin/audit")).status_code == 403
    assert (await api.call(who, "GET", "/api/admin/audit/verify")).status_code == 403


async def test_the_admin_listing_filters_and_pages(api, personas):
    ticket = await api.create("user_a")
    await api.move("agent_tts", ticket["id"], "in_progress")
    await api.move("agent_tts", ticket["id"], "waiting")
    base = f"/api/admin/audit?object_type=ticket&object_id={ticket['id']}"
    moves = (await api.call("superuser", "GET", base + "&action=ticket.status_changed")).json()
    assert moves["total"] == 2
    mine = await api.call("superuser", "GET", base + f"&actor_id={personas.ids['user_a']}")
    assert [e["action"] for e in mine.json()["items"]] == ["ticket.created"]
    page = (await api.call("superuser", "GET", base + "&limit=1&offset=1")).json()
    assert page["total"] == 3 and page["items"][0]["action"] == "ticket.status_changed"
    later = (await api.call("superuser", "GET", base + "&since=2999-01-01T00:00:00Z")).json()
    assert later["total"] == 0
    assert (await api.call("superuser", "GET", "/api/admin/audit?limit=500")).status_code == 422


async def test_the_chain_verifies_and_hashes_are_recomputable(api, conn):
    await api.create("user_a")
    result = await verify(api)
    assert result["valid"] is True and result["first_broken"] is None and result["entries"] >= 1
    row = (await conn.execute(text("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1"))).one()
    entry = dict(row._mapping)
    assert entry["hash"] == chain.entry_hash(entry["prev_hash"], entry)


async def test_updates_and_deletes_are_refused_by_the_database(api, conn):
    await api.create("user_a")
    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log",
                      "TRUNCATE audit_log"):  # fmt: skip
        with pytest.raises(DBAPIError, match="append-only"):
            async with conn.begin_nested():
                await conn.execute(text(statement))


async def tamper(conn, statement: str, **params: str) -> int:
    """Edit the log the way a superuser with SQL access could, bypassing the trigger."""
    seq = await conn.scalar(text("SELECT max(seq) - 1 FROM audit_log"))
    await conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete"))
    await conn.execute(text(statement), {"seq": seq, **params})
    await conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete"))
    return seq


@pytest.mark.parametrize(
    ("statement", "offset", "reason"),
    [
        ('UPDATE audit_log SET new = \'{"title": "forged"}\' WHERE seq = :seq', 0, "modified"),
        ("UPDATE audit_log SET actor_id = 'someone' WHERE seq = :seq", 0, "modified"),
        ("UPDATE audit_log SET at = at - interval '1 day' WHERE seq = :seq", 0, "modified"),
        ("DELETE FROM audit_log WHERE seq = :seq", 1, "removed"),
    ],
)
async def test_tampering_is_detected_and_the_entry_named(api, conn, statement, offset, reason):
    for _ in range(3):
        await api.create("user_a")
    # No verify before tampering: its server-side cursor stays open until the transaction
    # (here the test's own) ends, and PostgreSQL refuses ALTER TABLE while it is open.
    seq = await tamper(conn, statement)
    result = await verify(api)
    assert result["valid"] is False
    assert result["first_broken"]["seq"] == seq + offset
    assert reason in result["first_broken"]["reason"]


async def test_a_recomputed_hash_breaks_the_next_link(api, conn):
    for _ in range(3):
        await api.create("user_a")
    seq = await tamper(conn, "UPDATE audit_log SET actor_name = 'mallory' WHERE seq = :seq")
    row = (await conn.execute(text("SELECT * FROM audit_log WHERE seq = :s"), {"s": seq})).one()
    forged = chain.entry_hash(row.prev_hash, dict(row._mapping))
    await tamper(conn, "UPDATE audit_log SET hash = :forged WHERE seq = :seq", forged=forged)
    result = await verify(api)
    assert result["first_broken"]["seq"] == seq + 1
    assert "prev_hash" in result["first_broken"]["reason"]


async def test_concurrent_writers_do_not_fork_the_chain(committing_api, app):
    async def one(i: int) -> int:
        response = await committing_api.call(
            "user_a",
            "POST",
            "/api/tickets",
            json={"title": f"Concurrent {i:02}", "description": "x"},
        )
        return response.status_code

    statuses = await asyncio.gather(*(one(i) for i in range(20)))
    assert statuses == [201] * 20
    result = await verify(committing_api)
    assert result["valid"] is True, result
    async with app.state.runtime.engine.connect() as conn:
        forks = await conn.scalar(text(
            "SELECT count(*) FROM (SELECT prev_hash FROM audit_log GROUP BY prev_hash "
            "HAVING count(*) > 1) f"
        ))  # fmt: skip
    assert forks == 0
