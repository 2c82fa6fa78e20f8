"""A background loop for the senders: run a step until it finds nothing due, then sleep;
and what a sender does with a row whose attempt failed (`retry_or_fail`).

A step that raises (database or network trouble) is logged and retried after the
interval; the loop never dies of it. `stop()` lets the step in flight finish (so what it
sent is recorded as sent) for up to `grace` seconds, then cancels it: its transaction
rolls back and its rows stay due for the next start or another replica.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from servicedesk_notifications.config import Settings
from servicedesk_notifications.database import Outgoing, utcnow
from servicedesk_notifications.metrics import SENT
from servicedesk_shared import backoff

log = logging.getLogger(__name__)


def retry_delay(attempts: int, *, base: float, cap: float) -> float:
    """Exponential backoff: base, 2·base, 4·base, … never above `cap` (seconds)."""
    return backoff.delay(max(attempts - 1, 0), base=base, cap=cap)


def retry_or_fail(
    row: Outgoing, error: str, settings: Settings, *, channel: str, max_attempts: int
) -> bool:
    """Keep the error; after `max_attempts` mark the row `failed` (True), else push its
    next attempt out by `retry_delay` (False). Counted in `SENT` under `channel`."""
    row.last_error = error[:2000]
    if row.attempts >= max_attempts:
        row.status = "failed"
        SENT.labels(channel, "failed").inc()
        return True
    base, cap = settings.retry_base_seconds, settings.retry_max_seconds
    delay = retry_delay(row.attempts, base=base, cap=cap)
    row.next_attempt_at = utcnow() + timedelta(seconds=delay)
    SENT.labels(channel, "retry").inc()
    return False


class Worker:
    def __init__(self, name: str, step: Callable[[], Awaitable[int]], interval: float) -> None:
        self.name = name
        self.step = step
        self.interval = interval
        self._task: asyncio.Task | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self, grace: float = 10.0) -> None:
        self._stopping.set()
        if self._task is None:
            return
        _, pending = await asyncio.wait([self._task], timeout=grace)
        for task in pending:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                while await self.step() and not self._stopping.is_set():
                    pass
            except Exception:
                log.exception("%s: step failed; retrying", self.name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.interval)
