"""The replicas of each service and which one a request goes to next.

Round robin over a service's base URLs (`AUTH_URL=http://a:8001,http://b:8001`). A replica
that refused a connection is skipped for `GATEWAY_UPSTREAM_COOLDOWN` seconds, so a dead
replica costs one refused connect per cooldown rather than one per request; when every
replica is marked down they are tried anyway, in turn: the gateway never refuses a request
without trying. No locks: one event loop, and no `await` between reading and moving the
cursor. One replica (the usual case behind a Kubernetes Service or compose DNS) costs
nothing: `pick` returns it without looking at the clock.
"""

from __future__ import annotations

import time

from servicedesk_gateway.config import Settings


class Pool:
    """One service's replicas: `pick()` an index, `bases[index]` its base URL."""

    __slots__ = ("_down_until", "_next", "bases", "cooldown")

    def __init__(self, bases: list[str], cooldown: float) -> None:
        self.bases = bases
        self.cooldown = cooldown
        self._down_until = [0.0] * len(bases)
        self._next = 0

    def pick(self, avoid: int = -1) -> int:
        """The next replica not marked down, skipping `avoid` (the one that just failed)
        when there is another; if all are marked down, the next one in turn anyway."""
        count = len(self.bases)
        if count == 1:
            return 0
        now = time.monotonic()
        start = self._next
        fallback = -1
        for step in range(count):
            index = (start + step) % count
            if index == avoid:
                continue
            if self._down_until[index] <= now:
                return self._take(index)
            if fallback < 0:
                fallback = index
        return self._take(fallback if fallback >= 0 else start)

    def _take(self, index: int) -> int:
        self._next = (index + 1) % len(self.bases)
        return index

    def down(self, index: int) -> None:
        """Skip replica `index` for the cooldown (it refused a connection)."""
        self._down_until[index] = time.monotonic() + self.cooldown

    def up(self, index: int) -> None:
        """Replica `index` answered: it is back, whatever its cooldown said."""
        if self._down_until[index]:
            self._down_until[index] = 0.0


def pools(settings: Settings, names: tuple[str, ...] | list[str]) -> dict[str, Pool]:
    """One pool per upstream name, from its `*_URL` list."""
    return {n: Pool(settings.upstream_urls(n), settings.upstream_cooldown) for n in names}
