"""The audit log: written with each change, without a lock; chained by the sealer with no
gaps and never forked; append-only; tamper-evident."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from servicedesk_devtools.testing import eventually
from servicedesk_tickets.audit import chain, sealer
from servicedesk_tickets.audit import service as audit_service
from servicedesk_tickets.audit import verify as verifying
from servicedesk_tickets.audit.sealer import SEAL_LOCK, seal, seal_all
from servicedesk_tickets.audit.service import flush_pending, record

CHAINED = (
    "SELECT c.seq, c.prev_hash, c.hash, e.* FROM audit_chain c "
    "JOIN audit_log e ON e.id = c.entry_id"
)


async def verify(api) -> dict:
    response = await api.call("superuser", "GET", "/api/admin/audit/verify")
    assert response.status_code == 200
    return response.json()


async def queued(conn, ids: list[int]) -> int:
    query = text("SELECT count(*) FROM audit_unsealed WHERE entry_id = ANY(:ids)")
    return await conn.scalar(query, {"ids": ids})


async def links_of(conn, ids: list[int]) -> list[int]:
    query = text("SELECT seq FROM audit_chain WHERE entry_id = ANY(:ids) ORDER BY seq")
    return list((await conn.scalars(query, {"ids": ids})).all())


async def entry_ids(api, object_id: int | str) -> list[int]:
    page = await api.call("superuser", "GET", f"/api/admin/audit?object_id={object_id}")
    return sorted(e["id"] for e in page.json()["items"])


async def test_each_change_is_audited_with_actor_ip_request_id_and_values(api, personas):
    ticket = await api.create("user_a")
    url = f"/api/tickets/{ticket['id']}"
    await api.call(
        "user_a",
        "PATCH",
        url,
        json={"title": "A better title"},
        headers={"X-Request-ID": "audit-req-000001"},
    )
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
    assert history[0]["id"] < history[1]["id"]


async def test_unsealed_entries_show_with_seq_null_until_the_sealer_chains_them(api, conn):
    await seal_all(conn)  # the test's transaction holds the sealer's lock from here on
    ticket = await api.create("user_a")
    await api.move("agent_tts", ticket["id"], "in_progress")
    url = f"/api/tickets/{ticket['id']}/history"
    history = (await api.call("user_a", "GET", url)).json()
    assert [h["seq"] for h in history] == [None, None]
    page = await api.call("superuser", "GET", f"/api/admin/audit?object_id={ticket['id']}")
    assert [(e["seq"], e["prev_hash"], e["hash"]) for e in page.json()["items"]] == [
        (None, None, None)
    ] * 2
    ids = [h["id"] for h in history]
    assert await queued(conn, ids) == 2

    assert await seal_all(conn) == 2
    assert await queued(conn, ids) == 0
    head = await conn.scalar(text("SELECT max(seq) FROM audit_chain"))
    assert await links_of(conn, ids) == [head - 1, head]  # in id order, after the head
    history = (await api.call("user_a", "GET", url)).json()
    assert [h["seq"] for h in history] == [head - 1, head]
    latest = await api.call("superuser", "GET", f"/api/admin/audit?object_id={ticket['id']}")
    assert latest.json()["items"][0]["hash"] is not None


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
    assert result["unsealed"] == 0  # verify sealed everything committed before it
    row = (await conn.execute(text(CHAINED + " ORDER BY c.seq DESC LIMIT 1"))).one()
    entry = dict(row._mapping)
    assert entry["hash"] == chain.entry_hash(entry["prev_hash"], entry)


async def test_verify_counts_entries_written_after_its_seal_pass_as_unsealed(
    api, conn, monkeypatch
):
    await seal_all(conn)
    for _ in range(2):
        await api.create("user_a")

    async def too_late(session) -> int:  # as if both committed just after the seal pass
        return 0

    monkeypatch.setattr(verifying, "seal_all", too_late)
    result = await verify(api)
    assert result["valid"] is True and result["unsealed"] == 2


REFUSED = [
    "UPDATE audit_log SET action = 'x'",
    "DELETE FROM audit_log",
    "TRUNCATE audit_log CASCADE",
    "UPDATE audit_chain SET hash = 'x'",
    "DELETE FROM audit_chain",
    "TRUNCATE audit_chain",
]


async def test_updates_and_deletes_are_refused_by_the_database(api, conn):
    await api.create("user_a")
    await seal_all(conn)
    for statement in REFUSED:
        with pytest.raises(DBAPIError, match="is append-only"):
            async with conn.begin_nested():
                await conn.execute(text(statement))


async def tamper(conn, table: str, statement: str, **params: object) -> None:
    """Edit the log the way a superuser with SQL access could, bypassing the trigger."""
    await conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_no_update_delete"))
    await conn.execute(text(statement), params)
    await conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {table}_no_update_delete"))


async def sealed_target(api, conn) -> tuple[int, int]:
    """Three tickets, everything sealed (and the sealer's lock held by the test from here
    on): the `seq` and entry id of the next-to-last link."""
    for _ in range(3):
        await api.create("user_a")
    # Sealed directly, not by verify: its server-side cursor stays open until the
    # transaction (here the test's own) ends, and PostgreSQL refuses ALTER TABLE meanwhile.
    await seal_all(conn)
    query = text("SELECT seq, entry_id FROM audit_chain ORDER BY seq DESC OFFSET 1 LIMIT 1")
    return tuple((await conn.execute(query)).one())


ENTRY_EDITS = [
    'UPDATE audit_log SET new = \'{"title": "forged"}\' WHERE id = :id',
    "UPDATE audit_log SET actor_id = 'someone' WHERE id = :id",
    "UPDATE audit_log SET at = at - interval '1 day' WHERE id = :id",
]


@pytest.mark.parametrize("statement", ENTRY_EDITS)
async def test_a_modified_entry_is_detected_and_named(api, conn, statement):
    seq, entry_id = await sealed_target(api, conn)
    await tamper(conn, "audit_log", statement, id=entry_id)
    result = await verify(api)
    assert result["valid"] is False
    assert (result["first_broken"]["seq"], result["first_broken"]["id"]) == (seq, entry_id)
    assert "modified" in result["first_broken"]["reason"]


@pytest.mark.parametrize("with_entry", [False, True])
async def test_a_removed_link_is_detected_and_the_next_named(api, conn, with_entry):
    seq, entry_id = await sealed_target(api, conn)
    await tamper(conn, "audit_chain", "DELETE FROM audit_chain WHERE seq = :seq", seq=seq)
    if with_entry:
        await tamper(conn, "audit_log", "DELETE FROM audit_log WHERE id = :id", id=entry_id)
    result = await verify(api)
    assert result["valid"] is False
    assert result["first_broken"]["seq"] == seq + 1
    assert "removed" in result["first_broken"]["reason"]


async def test_a_recomputed_hash_breaks_the_next_link(api, conn):
    seq, entry_id = await sealed_target(api, conn)
    await tamper(
        conn, "audit_log", "UPDATE audit_log SET actor_name = 'mallory' WHERE id = :id", id=entry_id
    )
    row = (await conn.execute(text(CHAINED + " WHERE c.seq = :s"), {"s": seq})).one()
    forged = chain.entry_hash(row.prev_hash, dict(row._mapping))
    await tamper(
        conn,
        "audit_chain",
        "UPDATE audit_chain SET hash = :forged WHERE seq = :seq",
        forged=forged,
        seq=seq,
    )
    result = await verify(api)
    assert result["first_broken"]["seq"] == seq + 1
    assert "prev_hash" in result["first_broken"]["reason"]


async def test_an_entry_whose_queue_row_was_deleted_is_detected(api, conn):
    await seal_all(conn)
    ticket = await api.create("user_a")
    (entry_id,) = await entry_ids(api, ticket["id"])
    await conn.execute(text("DELETE FROM audit_unsealed WHERE entry_id = :id"), {"id": entry_id})
    result = await verify(api)
    assert result["valid"] is False
    assert result["first_broken"]["seq"] is None and result["first_broken"]["id"] == entry_id
    assert "neither on the chain nor queued" in result["first_broken"]["reason"]
    assert await links_of(conn, [entry_id]) == []


async def test_a_queue_row_added_for_a_chained_entry_is_reported_not_chained_twice(api, conn):
    seq, entry_id = await sealed_target(api, conn)
    await conn.execute(text("INSERT INTO audit_unsealed VALUES (:id)"), {"id": entry_id})
    result = await verify(api)  # its seal pass skips the row instead of failing on it
    assert result["valid"] is False
    assert (result["first_broken"]["seq"], result["first_broken"]["id"]) == (seq, entry_id)
    assert "queued again" in result["first_broken"]["reason"]


async def test_a_crash_mid_seal_leaves_the_queue_intact(api, conn, monkeypatch):
    await seal_all(conn)
    ticket = await api.create("user_a")
    await api.move("agent_tts", ticket["id"], "in_progress")
    ids = await entry_ids(api, ticket["id"])
    head = await conn.scalar(text("SELECT coalesce(max(seq), 0) FROM audit_chain"))

    async def crash(db, ids) -> None:
        raise RuntimeError("connection lost")  # after the links were inserted

    monkeypatch.setattr(sealer, "_dequeue", crash)
    with pytest.raises(RuntimeError, match="connection lost"):
        async with conn.begin_nested():  # the pass's transaction
            await seal_all(conn)
    assert await queued(conn, ids) == 2 and await links_of(conn, ids) == []
    assert await conn.scalar(text("SELECT coalesce(max(seq), 0) FROM audit_chain")) == head
    monkeypatch.undo()
    assert await seal_all(conn) == 2
    assert await links_of(conn, ids) == [head + 1, head + 2]
    assert (await verify(api))["valid"] is True


async def test_writers_do_not_wait_for_each_other_nor_for_the_sealer(app):
    """Two transactions write entries while neither has committed, and a third holds the
    sealer's lock: nobody waits (with the append lock the second write blocked here)."""
    sessions = app.state.runtime.sessions
    async with sessions() as first, sessions() as second, sessions() as sealing:
        await sealing.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SEAL_LOCK})
        for session in (first, second):
            record(
                session,
                actor=None,
                action="test.concurrent",
                object_type="test",
                object_id="writers",
            )
            assert await asyncio.wait_for(flush_pending(session), timeout=5) == 1
        for session in (first, second, sealing):
            await session.rollback()


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
        forks = await conn.scalar(
            text(
                "SELECT count(*) FROM (SELECT prev_hash FROM audit_chain GROUP BY prev_hash "
                "HAVING count(*) > 1) f"
            )
        )
    assert forks == 0


async def test_sealers_racing_never_fork_or_duplicate_the_chain(app):
    engine = app.state.runtime.engine
    async with app.state.runtime.sessions() as session:
        for i in range(40):
            record(
                session,
                actor=None,
                action="test.sealers",
                object_type="test",
                object_id=f"race-{i}",
            )
        await flush_pending(session)
        await session.commit()  # no poke: the racers below find the whole queue

    async def racer(wait: bool) -> None:
        while True:
            async with engine.begin() as conn:
                sealed = await seal(conn, wait=wait, batch=3)
            if sealed == 0:
                return

    drains = [sealer.Sealer(engine, batch=4).drain() for _ in range(2)]
    await asyncio.gather(*(racer(wait) for wait in (True, True, True, False)), *drains)
    async with engine.connect() as conn:
        seqs = list((await conn.scalars(text("SELECT seq FROM audit_chain ORDER BY seq"))).all())
        assert seqs == list(range(1, len(seqs) + 1))
        race = text("SELECT count(*) FROM audit_log WHERE object_id LIKE 'race-%'")
        chained = text(
            "SELECT count(DISTINCT c.entry_id) FROM audit_chain c JOIN audit_log e "
            "ON e.id = c.entry_id WHERE e.object_id LIKE 'race-%'"
        )
        assert await conn.scalar(race) == await conn.scalar(chained) == 40
    async with app.state.runtime.sessions() as session:
        result = await verifying.verify(session)
        await session.commit()
    assert result.valid is True, result


async def test_the_running_sealer_chains_a_commit_within_moments(committing_api, app):
    """Filing writes its entry in its own statement (not through the commit's queue) and
    still wakes the sealer: with the only sealer polling once an hour, only that wake-up
    can chain the entry within the test's time."""
    (running,) = sealer._running
    await running.stop()
    slow = sealer.Sealer(app.state.runtime.engine, poll=3600.0)
    slow.start()
    try:
        ticket = await committing_api.create("user_a")
        query = text(
            "SELECT c.seq FROM audit_log e LEFT JOIN audit_chain c ON c.entry_id = e.id "
            "WHERE e.object_type = 'ticket' AND e.object_id = :id"
        )

        async def chained() -> bool:
            async with app.state.runtime.engine.connect() as conn:
                return await conn.scalar(query, {"id": str(ticket["id"])}) is not None

        await eventually(chained, timeout=5, every=0.02)
    finally:
        await slow.stop()
        running.start()


def failures() -> float:
    return REGISTRY.get_sample_value("tickets_audit_seal_failures_total") or 0


async def test_a_sealer_keeps_going_while_the_database_is_down():
    engine = create_async_engine("postgresql+asyncpg://postgres@127.0.0.1:1/nowhere")
    worker = sealer.Sealer(engine, poll=0.01)
    before = failures()
    worker.start()
    try:
        # failed, backed off, retried
        await eventually(lambda: failures() >= before + 2, timeout=5, every=0.02)
    finally:
        await worker.stop()
        await engine.dispose()


async def test_entries_queued_together_are_written_in_order_each_with_its_queue_row(app):
    """One statement for any number of entries (`unnest` of one array per column, so
    SQLAlchemy compiles it once): the entries keep the order they were queued in, their
    values (a missing `old` as JSON null, as the JSONB column writes None) and their queue
    rows."""
    async with app.state.runtime.sessions() as session:
        for n in range(3):
            record(
                session,
                actor=None,
                action=f"test.batch.{n}",
                object_type="test",
                object_id="batch",
                new={"n": n, "text": 'naïve "quoted"'},
            )
        assert await flush_pending(session) == 3
        rows = (
            await session.execute(
                text(
                    "SELECT e.id, e.action, e.old IS NULL AS sql_null, jsonb_typeof(e.old) AS old,"
                    " e.new, (SELECT count(*) FROM audit_unsealed q WHERE q.entry_id = e.id) AS q"
                    " FROM audit_log e WHERE e.object_id = 'batch' ORDER BY e.id"
                )
            )
        ).all()
        await session.rollback()
    assert [r.action for r in rows] == ["test.batch.0", "test.batch.1", "test.batch.2"]
    assert [r.new for r in rows] == [{"n": n, "text": 'naïve "quoted"'} for n in range(3)]
    assert {(r.sql_null, r.old, r.q) for r in rows} == {(False, "null", 1)}


def test_the_write_statement_is_compiled_once_for_any_number_of_entries():
    """A multi-row VALUES list was compiled on every audited write; the write is one
    prepared statement of one array parameter per column."""
    assert "unnest" in audit_service._WRITE.sql
    assert all(name.startswith("p_") for name in audit_service._WRITE.names)
