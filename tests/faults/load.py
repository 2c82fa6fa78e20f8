"""A steady load of ticket work through the gateway, as careful clients send it.

Each requester files tickets; for each ticket the admin adds a comment and moves it to
`in_progress`. Every write carries an `Idempotency-Key` of its own and is retried with the
same key after a 502/503/504/429 or a broken connection, until it is acknowledged or the
client gives up (`give_up` seconds after the load stops). Every attempt's status is kept:
the ledger needs to know what was sent, what was acknowledged and what clients saw.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
import uuid
from dataclasses import dataclass, field

import httpx

RETRYABLE = frozenset({429, 502, 503, 504})
TRANSPORT_ERROR = 0  # the status recorded for an attempt that got no HTTP answer


@dataclass
class Op:
    kind: str  # create | comment | transition
    marker: str  # the ticket's title or the comment's body: how the ledger finds it
    ticket_id: int | None = None
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    statuses: list[int] = field(default_factory=list)
    result: dict | None = None

    @property
    def acked(self) -> bool:
        return self.result is not None


class Load:
    """Run `workers` requesters' cycles against the gateway until `stop()`."""

    def __init__(self, gateway: str, admin: dict, requesters: list[dict], scenario: str) -> None:
        self.gateway = gateway
        self.admin = admin
        self.requesters = requesters
        self.scenario = scenario
        self.ops: list[Op] = []
        self.give_up = 120.0
        self._stopping = asyncio.Event()
        self._stopped_at: float | None = None
        self._tasks: list[asyncio.Task] = []
        self._numbers = itertools.count(1)

    async def __aenter__(self) -> Load:
        self._client = httpx.AsyncClient(base_url=self.gateway, timeout=15)
        self._tasks = [asyncio.create_task(self._worker(r)) for r in self.requesters]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._tasks)
        await self._client.aclose()

    def stop(self) -> None:
        if not self._stopping.is_set():
            self._stopped_at = time.monotonic()
            self._stopping.set()

    async def finish(self) -> list[Op]:
        """Stop starting new work, wait for every op in flight to end; all ops."""
        self.stop()
        await asyncio.gather(*self._tasks)
        return self.ops

    def statuses(self) -> list[int]:
        return [s for op in self.ops for s in op.statuses]

    async def _worker(self, requester: dict) -> None:
        while not self._stopping.is_set():
            n = next(self._numbers)
            title = f"{self.scenario}:{n} printer jammed again"
            created = await self._send(
                Op("create", title),
                requester,
                "/api/tickets",
                {"title": title, "description": "tray 2, since this morning"},
            )
            if created.acked:
                ticket_id = created.result["id"]
                body = f"{self.scenario}:{n} comment: on my way"
                comment = Op("comment", body, ticket_id)
                await self._send(
                    comment, self.admin, f"/api/tickets/{ticket_id}/comments", {"body": body}
                )
                move = Op("transition", f"{self.scenario}:{n}", ticket_id)
                await self._send(
                    move, self.admin, f"/api/tickets/{ticket_id}/transitions", {"to": "in_progress"}
                )
            await asyncio.sleep(0.05)

    async def _send(self, op: Op, who: dict, path: str, body: dict) -> Op:
        self.ops.append(op)
        headers = {"Authorization": f"Bearer {who['access']}", "Idempotency-Key": op.key}
        delay = 0.1
        while True:
            try:
                resp = await self._client.post(path, json=body, headers=headers)
                op.statuses.append(resp.status_code)
                if resp.status_code in (200, 201):
                    op.result = resp.json()
                    return op
                if resp.status_code not in RETRYABLE:
                    return op  # refused for good: the ledger reports it unacknowledged
            except httpx.TransportError:
                op.statuses.append(TRANSPORT_ERROR)
            if self._gave_up():
                return op
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)

    def _gave_up(self) -> bool:
        return self._stopped_at is not None and time.monotonic() - self._stopped_at > self.give_up
