"""A circuit breaker, so a hung model costs callers milliseconds once it is known down.

    closed ──N failures in a row──► open ──after `reset` seconds──► half-open
      ▲                               ▲                                │
      └────────── trial succeeds ─────┼──────── trial fails ───────────┘

In half-open exactly one caller (the trial) reaches the model; the others are refused at
once, like in open. Per process: each replica learns on its own (cheap, no shared state).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from servicedesk_ai_assist import metrics

CLOSED, HALF_OPEN, OPEN = 0, 1, 2
NAMES = {CLOSED: "closed", HALF_OPEN: "half_open", OPEN: "open"}


class CircuitBreaker:
    def __init__(
        self, *, failures: int, reset: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.threshold = failures
        self.reset = reset
        self.clock = clock
        self._failures = 0
        self._opened_at = 0.0
        self._state = CLOSED
        self._trial_running = False
        metrics.BREAKER_STATE.set(CLOSED)

    @property
    def state(self) -> str:
        if self._state == OPEN and self.clock() - self._opened_at >= self.reset:
            return NAMES[HALF_OPEN]
        return NAMES[self._state]

    def allow(self) -> bool:
        """May a call go to the model now? (A True in half-open makes it the trial.)"""
        if self._state == CLOSED:
            return True
        if self._state == OPEN and self.clock() - self._opened_at >= self.reset:
            self._set(HALF_OPEN)
        if self._state == HALF_OPEN and not self._trial_running:
            self._trial_running = True
            return True
        metrics.BREAKER_REJECTIONS.inc()
        return False

    def record_success(self) -> None:
        self._failures = 0
        self._trial_running = False
        self._set(CLOSED)

    def record_failure(self) -> None:
        self._trial_running = False
        self._failures += 1
        if self._state == HALF_OPEN or self._failures >= self.threshold:
            self._opened_at = self.clock()
            self._set(OPEN)

    def release(self) -> None:
        """The call ended without telling anything about the model (e.g. cancelled)."""
        self._trial_running = False

    def _set(self, state: int) -> None:
        self._state = state
        metrics.BREAKER_STATE.set(state)
