"""The engine every service opens: PostgreSQL's JIT is off on its connections."""

from __future__ import annotations

from sqlalchemy import text

from servicedesk_shared.db import create_engine
from servicedesk_shared.testing import PG_BASE


async def test_connections_run_without_jit():
    engine = create_engine(f"{PG_BASE}/postgres", pool_size=1)
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text("SHOW jit")) == "off"
    finally:
        await engine.dispose()
