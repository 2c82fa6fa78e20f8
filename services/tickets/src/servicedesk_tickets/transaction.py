"""Tickets' own hooks on the shared transaction (`servicedesk_shared.transaction`): the
queued audit entries are inserted just before each commit, and the sealer is poked after
it to chain them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicedesk_shared import transaction
from servicedesk_tickets.audit import sealer
from servicedesk_tickets.audit.service import flush_pending


def entries_written(session: AsyncSession) -> None:
    """Audit entries were written in this transaction: wake the sealer after its commit
    (the queue's flush below, or a hot write carrying its own, `audit.WRITE_CTES`)."""
    transaction.after_commit(session, sealer.poke)


def audited(session: AsyncSession) -> None:
    """Before the next commit, write the queued audit entries (no lock); after it, wake
    the sealer if there were any. Running it twice is harmless: the queue empties."""

    async def flush() -> None:
        if await flush_pending(session):
            entries_written(session)

    transaction.before_commit(session, flush)


async def commit(session: AsyncSession) -> None:
    """The shared commit with the audit hooks, for a session `request_transaction` did not
    open (the SLA scheduler and backfill, the export's streamed session)."""
    audited(session)
    await transaction.commit(session)


@asynccontextmanager
async def request_transaction(
    factory: async_sessionmaker[AsyncSession], *, ip: str | None = None
) -> AsyncIterator[AsyncSession]:
    """The shared request transaction, audited, with the caller's `ip` for the entries."""
    async with transaction.request_transaction(factory) as session:
        session.info["ip"] = ip
        audited(session)
        yield session
