"""Async database helpers: engine, sessions, database creation and alembic migrations.

Services never commit: the request (`session_scope`) or the consumer owns the transaction.
A plain read needs no transaction: `read_sessions` (AUTOCOMMIT: no BEGIN before the first
statement, no COMMIT or ROLLBACK after) and `servicedesk_shared.reads` (asyncpg itself).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from sqlalchemy import MetaData, String
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk_shared.settings import DatabaseServiceSettings

# Constraint and index names every service's models get (alembic migrations rely on them).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    """A service's own metadata, with the shared naming: `class Base(DeclarativeBase):
    metadata = new_metadata()` (one per service: their suites share one test process)."""
    return MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC)


# PostgreSQL's JIT pays off for long analytic queries; ours are short OLTP statements and
# streamed exports, where compiling (0.4 s measured on a 50k-row export plan) is pure cost.
SERVER_SETTINGS = {"jit": "off"}


def create_engine(url: str, *, pool_size: int = 10, pool_timeout: float = 30.0) -> AsyncEngine:
    """`pool_timeout`: how long a checkout waits for a free connection before SQLAlchemy's
    pool `TimeoutError` (which the services answer with 503 `overloaded`, overload.py).

    No `pool_pre_ping`: with asyncpg it is three round trips per checkout (BEGIN, `;`,
    ROLLBACK: sqlalchemy/dialects/postgresql/asyncpg.py `_async_ping`), measured at ~0.4 ms
    of CPU per request. A connection dropped while pooled fails one request with 503
    (`errors.py`, `DBAPIError.connection_invalidated`) and the pool reconnects.

    At most `2 x pool_size` connections, opened as they are needed and then kept: no
    overflow. SQLAlchemy closes an overflow connection as soon as it is handed back, so
    under load every checkout beyond `pool_size` forked a PostgreSQL backend and tore it
    down again (40-190 new sessions per 1,000 requests at 64 connections, bench/meter.py);
    the ceiling (replicas x 2 x pool size, see docs/runbooks/overload.md) is the same."""
    return create_async_engine(
        url,
        pool_size=2 * pool_size,
        max_overflow=0,
        pool_timeout=pool_timeout,
        connect_args={"server_settings": SERVER_SETTINGS},
    )


def service_engine(settings: DatabaseServiceSettings) -> AsyncEngine:
    """The engine of a service's own database, its pool sized by the service's settings."""
    return create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout,
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def read_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for requests that only read: each statement runs on its own (AUTOCOMMIT),
    so a read costs its statements' round trips and no BEGIN, COMMIT or reset ROLLBACK.
    Under READ COMMITTED every statement took its own snapshot anyway. Never write with
    one: nothing would make two writes one transaction."""
    reading = engine.execution_options(isolation_level="AUTOCOMMIT")
    return async_sessionmaker(reading, expire_on_commit=False)


@asynccontextmanager
async def session_scope(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One transaction: commit when the block succeeds, roll back when it raises."""
    async with factory() as session, session.begin():
        yield session


def _asyncpg_dsn(url: str, database: str | None = None) -> tuple[str, str]:
    parsed = make_url(url)
    name = parsed.database or ""
    parsed = parsed.set(drivername="postgresql", database=database or name)
    return parsed.render_as_string(hide_password=False), name


async def ensure_database(url: str) -> bool:
    """Create the database named in `url` if it is missing. True when it was created."""
    admin_dsn, name = _asyncpg_dsn(url, database="postgres")
    conn = await asyncpg.connect(admin_dsn, timeout=5)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists:
            return False
        quoted = '"' + name.replace('"', '""') + '"'
        await conn.execute(f"CREATE DATABASE {quoted}")
        return True
    finally:
        await conn.close()


async def drop_database(url: str) -> None:
    admin_dsn, name = _asyncpg_dsn(url, database="postgres")
    conn = await asyncpg.connect(admin_dsn, timeout=5)
    try:
        quoted = '"' + name.replace('"', '""') + '"'
        await conn.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
    finally:
        await conn.close()


def migrate(alembic_ini: Path, url: str, revision: str = "head") -> None:
    """Run alembic `upgrade` for one service (synchronous: call it off the event loop)."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(alembic_ini))
    config.set_main_option("script_location", str(alembic_ini.parent / "migrations"))
    config.attributes["database_url"] = url
    command.upgrade(config, revision)


class PersonColumns:
    """The columns every service's read model of auth's users starts with (tickets'
    `people`, notifications' `user_directory`): the user's id as events carry it and the
    name fields, each as long as auth allows; null until a profile event arrives (a roles
    event may come first). Each service adds its own flags and version columns."""

    # sort_order: first in the table (where the migrations put them too).
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True, sort_order=-1)
    username: Mapped[str | None] = mapped_column(String(150), sort_order=-1)
    email: Mapped[str | None] = mapped_column(String(320), sort_order=-1)
    display_name: Mapped[str | None] = mapped_column(String(100), sort_order=-1)
