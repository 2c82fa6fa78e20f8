"""A background loop for the senders: run a step until it finds nothing due, then sleep.

A step that raises (database or network trouble) is logged and retried after the
interval; the loop never dies of it. `stop()` cancels it between or during steps: the
step's transaction rolls back and its rows stay due for the next start (or replica).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


def retry_delay(attempts: int, *, base: float, cap: float) -> float:
    """Exponential backoff: base, 2·base, 4·base, … never above `cap` (seconds)."""
    return min(base * 2 ** max(attempts - 1, 0), cap)


class Worker:
    def __init__(self, name: str, step: Callable[[], Awaitable[int]], interval: float) -> None:
        self.name = name
        self.step = step
        self.interval = interval
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                while await self.step():
                    pass
            except Exception:
                log.exception("%s: step failed; retrying", self.name)
            await asyncio.sleep(self.interval)
