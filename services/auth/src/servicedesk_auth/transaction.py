"""One transaction per request, and work that must wait until it has committed.

Redis writes (the gateway's copy of revocations) go through `after_commit`: writing them
before the commit could leave Redis ahead of PostgreSQL if the commit then failed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicedesk_shared.errors import ServiceError

log = logging.getLogger(__name__)


def after_commit(session: AsyncSession, hook: Callable[[], Awaitable[Any]]) -> None:
    session.info.setdefault("after_commit", []).append(hook)


async def commit(session: AsyncSession) -> None:
    await session.commit()
    for hook in session.info.pop("after_commit", []):
        try:
            await hook()
        except Exception:
            log.exception("after-commit hook failed (Redis copy of a revocation)")


@asynccontextmanager
async def request_transaction(
    factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """Commit when the block succeeds; on an error roll back, unless it says `keep_changes`."""
    async with factory() as session:
        try:
            yield session
        except ServiceError as exc:
            if getattr(exc, "keep_changes", False):
                await commit(session)
            raise
        await commit(session)
