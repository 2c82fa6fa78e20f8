"""One transaction per request (or per consumer pass), and the work tied to its outcome.

Services never commit: the request or the consumer owns the transaction. What must happen
around its commit is registered on the session (`session.info`) with one of three hooks,
each a zero-argument callable, awaited when it returns an awaitable:

    before_commit   part of the transaction: inserts queued rows (tickets' audit entries);
                    a failure fails the commit
    after_commit    work outside the database that must not run ahead of it (Redis copies
                    of revocations, waking the sealer); a failure is logged, never raised,
                    since the commit already stands
    on_rollback     undo work outside the database when the transaction does not commit
                    (a file written for an attachment); a failure is logged

Each hook runs once, for the commit (or rollback) that follows its registration.
A `ServiceError` with `keep_changes = True` (auth: a reused refresh token revokes the
family) commits before the error answers.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicedesk_shared.errors import ServiceError

log = logging.getLogger(__name__)
Hook = Callable[[], Any]
BEFORE, AFTER, ROLLBACK = "before_commit", "after_commit", "on_rollback"


def before_commit(session: AsyncSession, hook: Hook) -> None:
    session.info.setdefault(BEFORE, []).append(hook)


def after_commit(session: AsyncSession, hook: Hook) -> None:
    session.info.setdefault(AFTER, []).append(hook)


def on_rollback(session: AsyncSession, hook: Hook) -> None:
    session.info.setdefault(ROLLBACK, []).append(hook)


async def _call(hook: Hook) -> None:
    result = hook()
    if inspect.isawaitable(result):
        await result


async def _run_logged(session: AsyncSession, kind: str) -> None:
    for hook in session.info.pop(kind, []):
        try:
            await _call(hook)
        except Exception:
            log.exception("%s hook failed: %r", kind, hook)


async def commit(session: AsyncSession) -> None:
    """Run the before-commit hooks, commit, drop the rollback hooks, then run the
    after-commit hooks."""
    for hook in session.info.pop(BEFORE, []):
        await _call(hook)
    await session.commit()
    session.info.pop(ROLLBACK, None)
    await _run_logged(session, AFTER)


async def rolled_back(session: AsyncSession) -> None:
    """The transaction will not commit: run the rollback hooks, forget the others."""
    session.info.pop(BEFORE, None)
    session.info.pop(AFTER, None)
    await _run_logged(session, ROLLBACK)


@asynccontextmanager
async def request_transaction(
    factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """Commit when the block succeeds; on an error roll back (running the rollback hooks),
    unless it is a `ServiceError` with `keep_changes`: then commit and re-raise."""
    async with factory() as session:
        try:
            try:
                yield session
            except ServiceError as exc:
                if exc.keep_changes:
                    await commit(session)
                raise
            await commit(session)
        except BaseException:
            await rolled_back(session)
            raise
