"""One transaction per request, with the audit entries written just before it commits
(and the sealer poked after, to chain them).

Hooks registered with `on_rollback` undo work outside the database (a file written to
disk for an attachment) when the transaction does not commit.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicedesk_tickets.audit import sealer
from servicedesk_tickets.audit.service import flush_pending

log = logging.getLogger(__name__)


def on_rollback(session: AsyncSession, hook: Callable[[], None]) -> None:
    session.info.setdefault("on_rollback", []).append(hook)


def _rolled_back(session: AsyncSession) -> None:
    for hook in session.info.pop("on_rollback", []):
        try:
            hook()
        except Exception:
            log.exception("rollback hook failed")


async def commit(session: AsyncSession) -> None:
    """Write the queued audit entries (no lock), commit, then wake the sealer."""
    written = await flush_pending(session)
    await session.commit()
    session.info.pop("on_rollback", None)
    if written:
        sealer.poke()


@asynccontextmanager
async def request_transaction(
    factory: async_sessionmaker[AsyncSession], *, ip: str | None = None
) -> AsyncIterator[AsyncSession]:
    """Commit when the block succeeds; roll back (and run the hooks) when it raises."""
    async with factory() as session:
        session.info["ip"] = ip
        try:
            yield session
            await commit(session)
        except BaseException:
            _rolled_back(session)
            raise
