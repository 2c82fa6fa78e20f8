"""Plain reads: no transaction on a read session or a read connection, statements compiled
once from Core with their parameters in order, and expanding IN refused."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from sqlalchemy import ARRAY, Integer, any_, bindparam, column, literal, select, text
from sqlalchemy.ext.asyncio import async_sessionmaker

from servicedesk_devtools.testing import PG_BASE
from servicedesk_shared import reads
from servicedesk_shared.db import create_engine, read_sessions
from servicedesk_shared.errors import Unavailable

# Each statement of an AUTOCOMMIT connection is its own transaction, so `now()` (the
# transaction's start) moves between two statements; inside one transaction it does not.
NOW = text("SELECT now()")
PAUSE = text("SELECT pg_sleep(0.01)")


async def test_a_read_session_runs_each_statement_on_its_own():
    engine = create_engine(f"{PG_BASE}/postgres", pool_size=1)
    try:
        async with read_sessions(engine)() as session:
            first = await session.scalar(NOW)
            await session.execute(PAUSE)
            assert await session.scalar(NOW) > first
            assert await session.scalar(text("SELECT txid_current_if_assigned()")) is None
    finally:
        await engine.dispose()


async def test_a_read_connection_is_outside_any_transaction():
    engine = create_engine(f"{PG_BASE}/postgres", pool_size=1)
    try:
        async with reads.connection(engine) as conn:
            assert not conn.is_in_transaction()
            first = await conn.fetchval("SELECT now()")
            await conn.execute("SELECT pg_sleep(0.01)")
            assert await conn.fetchval("SELECT now()") > first
    finally:
        await engine.dispose()


async def test_a_prepared_statement_takes_its_parameters_by_name():
    engine = create_engine(f"{PG_BASE}/postgres", pool_size=1)
    statement = select(
        (bindparam("b", type_=Integer) - bindparam("a", type_=Integer)).label("d"),
        literal(3).label("three"),
    )
    try:
        async with reads.connection(engine) as conn:
            row = await reads.Prepared(statement).fetchrow(conn, a=1, b=10)
            assert (row["d"], row["three"]) == (9, 3)
            with pytest.raises(TypeError, match="'b'"):
                await reads.Prepared(statement).fetchrow(conn, a=1)
    finally:
        await engine.dispose()


def test_an_expanding_in_cannot_be_prepared_but_any_of_an_array_can():
    with pytest.raises(ValueError, match="ANY"):
        reads.Prepared(select(column("x")).where(column("x").in_([1, 2])))
    reads.Prepared(
        select(column("x")).where(column("x") == any_(bindparam("xs", type_=ARRAY(Integer))))
    )


async def test_a_frozen_statement_keeps_its_in_list_and_changes_one_value():
    """`Frozen`: an IN list rendered as one parameter per value, each call replacing only
    what it names; a name the statement lacks is a KeyError, never ignored."""
    engine = create_engine(f"{PG_BASE}/postgres", pool_size=1)
    numbers = select(column("n")).select_from(
        text("generate_series(1, 10) AS n")
    )  # a table of 1..10
    wanted = bindparam("floor", 0, type_=Integer)
    statement = (
        select(column("n"))
        .select_from(numbers.subquery())
        .where(column("n").in_([2, 5, 9]), column("n") > wanted)
    )
    frozen = reads.Frozen(statement.order_by(column("n")).limit(1))
    try:
        async with reads.connection(engine) as conn:
            assert (await frozen.fetchrow(conn))["n"] == 2
            assert (await frozen.fetchrow(conn, floor=2))["n"] == 5
            assert (await frozen.fetchrow(conn, floor=5))["n"] == 9
            assert await frozen.fetchrow(conn, floor=9) is None
            with pytest.raises(KeyError):
                await frozen.fetchrow(conn, ceiling=3)
    finally:
        await engine.dispose()


async def test_postgresql_out_of_connections_or_shutting_down_is_unavailable_not_a_500():
    """On a borrowed connection as on the session path (`errors.UNAVAILABLE_STATES`, 08xxx):
    a 503 with Retry-After; any other database error is left as it is."""
    engine = create_engine(f"{PG_BASE}/postgres", pool_size=1)
    try:
        for state in ("53300", "57P03", "08006"):
            with pytest.raises(Unavailable) as refused:
                async with reads.connection(engine) as conn:
                    await conn.execute(
                        f"DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '{state}'; END $$"
                    )
            assert refused.value.headers == {"Retry-After": "1"}
        with pytest.raises(asyncpg.exceptions.DivisionByZeroError):
            async with reads.connection(engine) as conn:
                await conn.execute("SELECT 1 / 0")
    finally:
        await engine.dispose()


async def _backend_pid(engine) -> int:
    async with reads.connection(engine) as conn:
        return await conn.fetchval("SELECT pg_backend_pid()")


async def test_a_connection_postgresql_ended_or_a_cancelled_read_is_never_reused():
    """A connection that saw PostgreSQL end it (57P01 here) or whose statement was
    cancelled midway is replaced, never handed to the next borrower (which would find it
    dead, or busy with the cancelled statement); a clean borrow keeps its connection."""
    engine = create_engine(f"{PG_BASE}/postgres", pool_size=1)  # one pooled connection
    try:
        first = await _backend_pid(engine)
        assert await _backend_pid(engine) == first
        with pytest.raises(Unavailable):
            async with reads.connection(engine) as conn:
                await conn.execute(
                    "DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '57P01'; END $$"
                )
        second = await _backend_pid(engine)
        assert second != first
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05), reads.connection(engine) as conn:
                await conn.execute("SELECT pg_sleep(5)")
        third = await _backend_pid(engine)
        assert third != second
        async with reads.connection(engine) as conn:
            assert await conn.fetchval("SELECT 1") == 1
    finally:
        await engine.dispose()


async def _session_pid(factory) -> int:
    async with factory() as session, reads.transactional(session) as conn:
        return await conn.fetchval("SELECT pg_backend_pid()")


async def test_a_transactional_connection_is_the_session_transaction():
    """What runs on it is inside the session's transaction (BEGIN sent by SQLAlchemy's own
    adapter), so it commits or rolls back with the session, never on its own."""
    engine = create_engine(f"{PG_BASE}/postgres", pool_size=1)
    factory = async_sessionmaker(engine, expire_on_commit=False)
    table = f"reads_tx_{uuid.uuid4().hex[:8]}"
    try:
        async with engine.begin() as setup:
            await setup.execute(text(f"CREATE TABLE {table} (x int)"))
        async with factory() as session:
            async with reads.transactional(session) as conn:
                assert conn.is_in_transaction()
                await conn.execute(f"INSERT INTO {table} VALUES (1)")  # noqa: S608 (our name)
                mine = await conn.fetchval("SELECT txid_current()")
            assert await session.scalar(text("SELECT txid_current()")) == mine
            await session.rollback()
        async with factory() as session:
            async with reads.transactional(session) as conn:
                await conn.execute(f"INSERT INTO {table} VALUES (2)")  # noqa: S608
            await session.commit()
        async with engine.connect() as check:
            stored = await check.execute(text(f"SELECT x FROM {table}"))  # noqa: S608
            assert stored.scalars().all() == [2]
    finally:
        async with engine.begin() as cleanup:
            await cleanup.execute(text(f"DROP TABLE IF EXISTS {table}"))
        await engine.dispose()


async def test_a_transactional_connection_ended_or_cancelled_is_never_reused():
    """As for `connection`: PostgreSQL ending it answers 503 (`Unavailable`), a statement
    cancelled midway leaves a connection that is replaced, never handed on."""
    engine = create_engine(f"{PG_BASE}/postgres", pool_size=1)
    factory = async_sessionmaker(engine, expire_on_commit=False)
    try:
        first = await _session_pid(factory)
        assert await _session_pid(factory) == first
        with pytest.raises(Unavailable):
            async with factory() as session, reads.transactional(session) as conn:
                await conn.execute(
                    "DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '57P01'; END $$"
                )
        second = await _session_pid(factory)
        assert second != first
        with pytest.raises(TimeoutError):
            async with (
                asyncio.timeout(0.05),
                factory() as session,
                reads.transactional(session) as conn,
            ):
                await conn.execute("SELECT pg_sleep(5)")
        assert await _session_pid(factory) != second
    finally:
        await engine.dispose()


async def test_a_transactional_connection_postgresql_ended_while_pooled_answers_503():
    """The BEGIN is the first thing sent on a connection taken from the pool (no pre-ping):
    one PostgreSQL ended meanwhile is a 503 and is replaced, never a 500."""
    engine = create_engine(f"{PG_BASE}/postgres", pool_size=1)
    factory = async_sessionmaker(engine, expire_on_commit=False)
    try:
        pooled = await _session_pid(factory)
        admin = await asyncpg.connect(f"{PG_BASE}/postgres".replace("+asyncpg", ""))
        try:
            # With a timeout it returns once the backend is gone, not once it is signalled.
            assert await admin.fetchval("SELECT pg_terminate_backend($1, 5000)", pooled)
        finally:
            await admin.close()
        with pytest.raises(Unavailable):
            async with factory() as session, reads.transactional(session):
                pass
        assert await _session_pid(factory) != pooled
    finally:
        await engine.dispose()
