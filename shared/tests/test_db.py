"""The engine every service opens: PostgreSQL's JIT is off on its connections."""

from __future__ import annotations

from sqlalchemy import text

from servicedesk_devtools.testing import PG_BASE
from servicedesk_shared.db import create_engine


async def test_connections_run_without_jit():
    engine = create_engine(f"{PG_BASE}/postgres", pool_size=1)
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text("SHOW jit")) == "off"
    finally:
        await engine.dispose()


async def test_connections_opened_under_load_are_kept():
    """Up to twice `pool_size`, and every one opened is kept when handed back (an overflow
    connection would be closed: a new PostgreSQL backend for each busy moment)."""
    engine = create_engine(f"{PG_BASE}/postgres", pool_size=1, pool_timeout=0.2)
    try:
        first, second = engine.connect(), engine.connect()
        conns = [await first.__aenter__(), await second.__aenter__()]
        pids = {await conn.scalar(text("SELECT pg_backend_pid()")) for conn in conns}
        await second.__aexit__(None, None, None)
        await first.__aexit__(None, None, None)
        assert engine.pool.checkedin() == 2
        async with engine.connect() as a, engine.connect() as b:
            again = {await c.scalar(text("SELECT pg_backend_pid()")) for c in (a, b)}
        assert again == pids
    finally:
        await engine.dispose()
