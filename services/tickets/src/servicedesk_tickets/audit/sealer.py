"""The sealer: chains committed audit entries in batches, so writers never wait on a lock.

Writers insert entries unchained, each with a row in `audit_unsealed` (`service.py`).
One seal pass, in one transaction:

    pg_try_advisory_xact_lock(SEAL_LOCK)     only sealers take it; held by another: skip
    up to `batch` queued entries, id order   what has committed by now
    the chain's head                         read after the lock: the last holder's commit
    insert their links (seq, prev_hash, hash) into audit_chain
    delete their queue rows                  then commit, which releases the lock

A pass that fails (a crash, the database gone) rolls back whole and is done again by the
next one. `audit_chain`'s keys back the lock up: a second link with the same `seq` or
`entry_id` is refused, so the chain can neither fork nor hold an entry twice.

Every replica runs a `Sealer`: a pass shortly after its own commits that wrote entries
(`poke`, coalesced over a few milliseconds), and one every `poll` seconds, so the entries
of a replica that died are sealed by the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from prometheus_client import Counter
from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from servicedesk_shared import backoff
from servicedesk_tickets.audit import chain
from servicedesk_tickets.audit.models import AuditEntry, ChainLink, UnsealedEntry

log = logging.getLogger(__name__)
SEAL_LOCK = 0x5EA1_A0D17  # any constant shared by every sealer of this database
BATCH = 500
POLL_SECONDS = 1.0
GATHER_SECONDS = 0.005
Executor = AsyncConnection | AsyncSession
SEALED = Counter("tickets_audit_sealed_total", "Audit entries chained by this process's sealer")
FAILURES = Counter("tickets_audit_seal_failures_total", "Background seal passes that failed")

entries, links, queue = AuditEntry.__table__, ChainLink.__table__, UnsealedEntry.__table__
# Queued entries not chained yet: a queue row for an entry already on the chain (only a
# hand-made one can be) is left for verify to report instead of stopping every pass.
NEXT_BATCH = (
    select(entries)
    .join(queue, queue.c.entry_id == entries.c.id)
    .where(~select(links.c.seq).where(links.c.entry_id == entries.c.id).exists())
    .order_by(entries.c.id)
)
HEAD = select(links.c.seq, links.c.hash).order_by(links.c.seq.desc()).limit(1)


async def _lock(db: Executor, *, wait: bool) -> bool:
    conn = await db.connection() if isinstance(db, AsyncSession) else db
    if conn.sync_connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        # Each statement would commit on its own: the lock gone at once, a pass half done.
        raise RuntimeError("a seal pass needs a transaction, not an AUTOCOMMIT connection")
    if wait:
        await db.execute(select(func.pg_advisory_xact_lock(SEAL_LOCK)))
        return True
    return bool(await db.scalar(select(func.pg_try_advisory_xact_lock(SEAL_LOCK))))


def _chained(batch: Sequence[Any], seq: int, prev: str) -> list[dict[str, Any]]:
    """The batch's links after the head (`seq`, `prev`)."""
    rows = []
    for entry in batch:
        seq += 1
        digest = chain.entry_hash(prev, {**entry._mapping, "seq": seq})
        rows.append({"seq": seq, "entry_id": entry.id, "prev_hash": prev, "hash": digest})
        prev = digest
    return rows


async def _link(db: Executor, rows: list[dict[str, Any]]) -> None:
    await db.execute(insert(links), rows)


async def _dequeue(db: Executor, ids: list[int]) -> None:
    await db.execute(delete(queue).where(queue.c.entry_id.in_(ids)))


async def seal(db: Executor, *, wait: bool = False, batch: int = BATCH) -> int | None:
    """One pass in `db`'s transaction: how many entries it chained, or None when another
    sealer holds the lock (`wait=False`). The lock is held until that transaction ends."""
    if not await _lock(db, wait=wait):
        return None
    queued = (await db.execute(NEXT_BATCH.limit(batch))).all()
    if not queued:
        return 0
    head = (await db.execute(HEAD)).one_or_none()
    seq, prev = head if head is not None else (0, chain.GENESIS)
    await _link(db, _chained(queued, seq, prev))
    await _dequeue(db, [entry.id for entry in queued])
    return len(queued)


async def seal_all(db: Executor, *, batch: int = BATCH) -> int:
    """Wait for the lock, then chain everything queued that `db` can see; how many."""
    total = 0
    while (sealed := await seal(db, wait=True, batch=batch)) == batch:
        total += sealed
    return total + (sealed or 0)


_running: set[Sealer] = set()


def poke() -> None:
    """Wake this process's sealers: a commit just wrote audit entries."""
    for sealer in _running:
        sealer.poke()


class Sealer:
    """Seal passes in the background, each in its own transaction, until stopped."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        poll: float = POLL_SECONDS,
        gather: float = GATHER_SECONDS,
        batch: int = BATCH,
    ) -> None:
        self.engine, self.poll, self.gather, self.batch = engine, poll, gather, batch
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        _running.add(self)
        self._task = asyncio.create_task(self._run(), name="audit-sealer")

    def poke(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        _running.discard(self)
        if self._task is not None:
            self._task.cancel()  # a pass in flight rolls back; the next one redoes it
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def drain(self) -> int:
        """Passes until one finds less than a batch or another sealer busy; how many."""
        total = 0
        while True:
            async with self.engine.begin() as conn:
                sealed = await seal(conn, batch=self.batch)
            SEALED.inc(sealed or 0)
            total += sealed or 0
            if sealed != self.batch:
                return total

    async def _run(self) -> None:
        failures = 0
        while True:
            await self._wait(failures)
            try:
                await self.drain()
                failures = 0
            except Exception as exc:  # the database is down: log, back off, try again
                failures += 1
                FAILURES.inc()
                log.warning("audit sealer: pass failed (%s: %s); retrying", type(exc).__name__, exc)

    async def _wait(self, failures: int) -> None:
        if failures:
            await asyncio.sleep(backoff.delay(failures, base=0.2, cap=10.0))
        else:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll)
            if self._wake.is_set():
                await asyncio.sleep(self.gather)  # let the burst's other commits land
        self._wake.clear()
