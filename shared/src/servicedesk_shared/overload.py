"""Overload protection: load beyond capacity is refused at once, never queued into timeouts.

Two bounds per process, each answering `503 {"code": "overloaded"}` with `Retry-After: 1`:

    request ─► InFlightLimit: a slot free? ──no──► wait up to `wait` s for one ──none──► 503
                   │ yes                                                        reason=in_flight
                   ▼
               the app ─► a pooled DB connection within `pool_timeout`? ──no──► 503
                                                                               reason=db_pool

`/healthz`, `/readyz` and `/metrics` are never refused (a busy process is alive, and its
metrics are how an operator sees that it is busy). Refusals are counted in
`http_requests_shed_total{service, reason}`; `http_requests_in_flight{service}` is the
gauge of requests being handled. Why refuse rather than queue: a queue longer than the
clients' patience only serves requests whose callers have gone; see
https://sre.google/sre-book/handling-overload/ ("Load shedding").

`install_overload(app, service, settings)` wires both into a FastAPI service; the gateway,
a plain ASGI app, holds a `Slots` itself.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client import Counter, Gauge
from sqlalchemy.exc import TimeoutError as PoolTimeout

from servicedesk_shared.errors import Overloaded, error_body

IN_FLIGHT = Gauge(
    "http_requests_in_flight", "HTTP requests being handled (probes not counted)", ["service"]
)
SHED = Counter(
    "http_requests_shed_total",
    "Requests refused with 503 overloaded: no request slot (in_flight) or no DB connection "
    "within the pool timeout (db_pool)",
    ["service", "reason"],
)
EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})
RETRY_AFTER = "1"


class Slots:
    """At most `limit` holders. A caller finding none free waits up to `wait` seconds, in
    arrival order, with at most `limit` callers waiting; otherwise `acquire` says False."""

    def __init__(self, limit: int, wait: float = 0.0) -> None:
        self.limit = limit
        self.wait = wait
        self.held = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> bool:
        if self.held < self.limit and not self._waiters:
            self.held += 1
            return True
        if self.wait <= 0 or len(self._waiters) >= self.limit:
            return False
        return await self._wait()

    async def _wait(self) -> bool:
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(turn)
        try:
            async with asyncio.timeout(self.wait):
                await turn
            return True
        except TimeoutError:
            return _handed(turn)  # a release may have handed the slot over as time ran out
        except BaseException:
            if _handed(turn):
                self.release()
            raise
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(turn)

    def release(self) -> None:
        """Hand the slot to the longest waiter, or free it."""
        while self._waiters:
            turn = self._waiters.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self.held -= 1


def _handed(turn: asyncio.Future[None]) -> bool:
    return turn.done() and not turn.cancelled()


_BODY = orjson.dumps(error_body(Overloaded.detail, Overloaded.code))
_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(_BODY)).encode()),
    (b"retry-after", RETRY_AFTER.encode()),
]


class InFlightLimit:
    """Pure ASGI: at most `limit` HTTP requests in the app at once (probes exempt)."""

    def __init__(self, app, *, service: str, limit: int, wait: float = 0.1) -> None:
        self.app = app
        self.slots = Slots(limit, wait)
        # Read when scraped, not counted per request (two locked updates each, measured).
        IN_FLIGHT.labels(service).set_function(lambda: self.slots.held)
        self.refused = SHED.labels(service, "in_flight")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        if not await self.slots.acquire():
            self.refused.inc()
            await send({"type": "http.response.start", "status": 503, "headers": _HEADERS})
            await send({"type": "http.response.body", "body": _BODY})
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.slots.release()


def install_overload(app: FastAPI, service: str, settings) -> None:
    """Bound in-flight requests (`max_in_flight`, `in_flight_wait` of `settings`) and answer
    an exhausted DB pool (SQLAlchemy's pool `TimeoutError`) with the same 503, never a 500.
    Call it after `install_error_handlers` and before the metrics middleware is added, so
    the metrics count refusals too."""
    refused = SHED.labels(service, "db_pool")

    async def pool_exhausted(_: Request, exc: PoolTimeout) -> JSONResponse:
        refused.inc()
        return JSONResponse(
            error_body("No database connection free; retry shortly", Overloaded.code),
            Overloaded.status_code,
            headers={"Retry-After": RETRY_AFTER},
        )

    app.add_exception_handler(PoolTimeout, pool_exhausted)
    app.add_middleware(
        InFlightLimit, service=service, limit=settings.max_in_flight, wait=settings.in_flight_wait
    )
