"""Plain reads on asyncpg itself, for the hot read paths (`GET /api/users/me`, …), the
few writes of a hot path that has no session (the sign-in's), and the statements of a hot
write inside its session's transaction (`transactional`: filing a ticket).

SQLAlchemy's async layer costs ~0.3 ms of Python per statement and its session a BEGIN and
a COMMIT per request; a read that is one statement needs neither. A `Prepared` statement is
still written as SQLAlchemy Core, so the columns and the rules (a visibility filter, a
revocation check) stay written once, and is compiled once, at import, to asyncpg's SQL.
asyncpg prepares it once per connection (its statement cache) and each read is then one
round trip (Bind/Execute/Sync), outside any transaction, rows as asyncpg records.

`connection(engine)` checks a connection out of the engine's own pool (so one pool size,
one `DB_POOL_TIMEOUT` answered 503 `overloaded`) and hands over its asyncpg connection;
nothing runs through SQLAlchemy on it, so no BEGIN is sent and the return's reset ROLLBACK
is a no-op (sqlalchemy/dialects/postgresql/asyncpg.py: `rollback` without a transaction).
A connection lost mid-read is invalidated (the pool reconnects) and answers 503, as a lost
connection on the session path does (`errors.py`).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.exc import EmulatedDBAPIException
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.sql import Executable
from sqlalchemy.util import greenlet_spawn

from servicedesk_shared.errors import Unavailable, unavailable_state

_DIALECT = asyncpg_dialect()


class Prepared:
    """A Core statement compiled once to asyncpg's SQL; parameters passed by name."""

    def __init__(self, statement: Executable) -> None:
        compiled = statement.compile(dialect=_DIALECT)
        if "POSTCOMPILE" in compiled.string:
            raise ValueError("expanding parameters (IN) cannot be prepared: use = ANY(:array)")
        self.sql = compiled.string
        self.names = tuple(compiled.positiontup or ())
        # Values written into the statement (`literal(3)`); every other one must be given.
        self.bound = {n: b.effective_value for n, b in compiled.binds.items() if not b.required}

    def _args(self, params: dict[str, Any]) -> list[Any]:
        return [self._value(name, params) for name in self.names]

    def _value(self, name: str, params: dict[str, Any]) -> Any:
        if name in params:
            return params[name]
        if name in self.bound:
            return self.bound[name]
        raise TypeError(f"missing parameter {name!r}")

    async def fetchrow(self, conn: asyncpg.Connection, **params: Any) -> asyncpg.Record | None:
        return await conn.fetchrow(self.sql, *self._args(params))

    async def fetch(self, conn: asyncpg.Connection, **params: Any) -> list[asyncpg.Record]:
        return await conn.fetch(self.sql, *self._args(params))

    async def execute(self, conn: asyncpg.Connection, **params: Any) -> str:
        """A write (in the caller's transaction, if any); its status, e.g. `INSERT 0 1`."""
        return await conn.execute(self.sql, *self._args(params))


class Frozen:
    """A Core statement compiled with every value it holds — an `IN` list rendered as one
    parameter per value — for statements whose values are fixed per caller (a visibility
    rule over the caller's systems): compile once per caller, keep it, and each read
    replaces only what changes per call (`fetchrow(conn, ticket_id=…)`, by the bind's name).
    Callers with as many values share one SQL text, so asyncpg's statement cache serves
    them all."""

    def __init__(self, statement: Executable) -> None:
        compiled = statement.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
        values = compiled.construct_params()
        names = tuple(compiled.positiontup or ())
        self.sql = compiled.string
        self.position = {name: index for index, name in enumerate(names)}
        self.args = tuple(values[name] for name in names)

    def _args(self, changes: dict[str, Any]) -> list[Any]:
        args = list(self.args)
        for name, value in changes.items():
            args[self.position[name]] = value  # a name the statement lacks: a KeyError
        return args

    async def fetchrow(self, conn: asyncpg.Connection, **changes: Any) -> asyncpg.Record | None:
        return await conn.fetchrow(self.sql, *self._args(changes))

    async def fetch(self, conn: asyncpg.Connection, **changes: Any) -> list[asyncpg.Record]:
        return await conn.fetch(self.sql, *self._args(changes))


class FrozenCache:
    """`Frozen` statements built per caller by `build(caller)`, kept per `key(caller)` (the
    `kept` most recently used): what the statement reads of the caller must be in the key."""

    def __init__(
        self, build: Callable[[Any], Executable], *, key: Callable[[Any], Hashable], kept: int
    ) -> None:
        self.build, self.key, self.kept = build, key, kept
        self._frozen: OrderedDict[Hashable, Frozen] = OrderedDict()

    def __call__(self, caller: Any) -> Frozen:
        key = self.key(caller)
        frozen = self._frozen.get(key)
        if frozen is None:
            frozen = self._frozen[key] = Frozen(self.build(caller))
            if len(self._frozen) > self.kept:
                self._frozen.popitem(last=False)
        else:
            self._frozen.move_to_end(key)
        return frozen


async def driver(conn: AsyncConnection) -> asyncpg.Connection:
    """The asyncpg connection under a SQLAlchemy one (tests read in their own transaction)."""
    return (await conn.get_raw_connection()).driver_connection


@asynccontextmanager
async def connection(engine: AsyncEngine) -> AsyncIterator[asyncpg.Connection]:
    """A pooled connection for plain reads, outside any transaction (see the docstring).

    Checked out of the engine's pool as a raw connection (`AsyncEngine.raw_connection`:
    the pool's own checkout, its errors translated as a session's are), not through an
    `AsyncConnection`, whose wrapper objects cost ~40 us of CPU per borrow here: a tenth of
    `GET /api/users/me`."""
    pooled = await engine.raw_connection()
    reading = pooled.driver_connection
    try:
        yield reading
    except asyncio.CancelledError:
        # Cancelled mid-statement, the connection may still be busy with it: never reused.
        await greenlet_spawn(pooled.invalidate)
        raise
    except Exception as exc:
        if not (reading.is_closed() or _unavailable(exc)):
            raise
        # Lost, or PostgreSQL ending it (shut down, terminated): replaced, and a 503 as the
        # session path answers it (`errors.py`).
        await greenlet_spawn(pooled.invalidate)
        raise _lost() from exc
    finally:
        await greenlet_spawn(pooled.close)  # back to the pool (its reset needs the greenlet)


@asynccontextmanager
async def transactional(session: AsyncSession) -> AsyncIterator[asyncpg.Connection]:
    """The asyncpg connection of the session's transaction, for the few statements of a hot
    write path (filing a ticket): what runs on it commits or rolls back with the session,
    which the request or the consumer still owns (its hooks, its audit entries, its commit).

    SQLAlchemy's asyncpg adapter sends BEGIN lazily, before its own first statement; it is
    sent here if nothing ran yet, by the adapter itself, so the session's COMMIT or ROLLBACK
    ends the same transaction (never a statement committed on its own). A connection
    PostgreSQL ended answers 503 as on the session path; one cancelled midway is
    invalidated, never reused."""
    outer = await session.connection()
    pooled = await outer.get_raw_connection()
    adapted, writing = pooled.dbapi_connection, pooled.driver_connection
    try:
        if adapted._transaction is None:  # sqlalchemy/dialects/postgresql/asyncpg.py
            await adapted._start_transaction()  # may meet a connection ended while pooled
        yield writing
    except asyncio.CancelledError:
        await outer.invalidate()
        raise
    except Exception as exc:
        if not (writing.is_closed() or _unavailable(exc)):
            raise
        await outer.invalidate()
        raise _lost() from exc


def _lost() -> Unavailable:
    return Unavailable("Database connection lost, retry", headers={"Retry-After": "1"})


def _unavailable(exc: Exception) -> bool:
    """PostgreSQL starting up, shutting down or out of connections (`errors.UNAVAILABLE_STATES`,
    08xxx): transient, 503 with Retry-After, never a 500."""
    if isinstance(exc, EmulatedDBAPIException) and exc.__cause__ is not None:
        exc = exc.__cause__  # the adapter's BEGIN (`transactional`) wraps asyncpg's error
    return isinstance(exc, asyncpg.PostgresError) and unavailable_state(exc)


def stamp(moment: datetime | None) -> str | None:
    """A moment as pydantic writes it in JSON (UTC as `Z`), for bodies built from rows."""
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")
