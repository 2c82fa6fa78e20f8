"""`/healthz`, `/readyz` and Prometheus `/metrics` for every service, and request metrics.

`/healthz` answers 200 while the process lives. `/readyz` runs the service's readiness
checks (each an async callable returning nothing or raising) and answers 200 with each
dependency's state, or 503. Request metrics are labelled by route *template*
(`/api/users/{user_id}`), never by raw path, so label cardinality stays bounded.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

Check = Callable[[], Awaitable[object]]

REQUESTS = Counter(
    "http_requests_total", "HTTP requests handled", ["service", "method", "route", "status"]
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def route_template(scope) -> str:
    """The matched route's template, which the router leaves in the (shared) scope."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


# A method label outside these is "other": the method is the client's to choose, and each
# label value is a series kept for the life of the process.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class MetricsMiddleware:
    """Pure ASGI: counts and times every HTTP request by method, route template, status
    (the label children cached, as the gateway's: `.labels()` is not free)."""

    def __init__(self, app, *, service: str) -> None:
        self.app = app
        self.service = service
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def _observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        pair = self._children.get(key)
        if pair is None:
            labels = (self.service, method if method in METHODS else "other", route, str(status))
            pair = self._children[key] = (REQUESTS.labels(*labels), LATENCY.labels(*labels))
        pair[0].inc()
        pair[1].observe(seconds)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def capture(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            seconds = time.perf_counter() - start
            self._observe(scope["method"], route_template(scope), status, seconds)


async def run_checks(checks: dict[str, Check], timeout: float = 2.0) -> tuple[bool, dict]:
    async def one(check: Check) -> str:
        try:
            await asyncio.wait_for(check(), timeout)
            return "ok"
        except Exception as exc:
            return f"down: {type(exc).__name__}"

    names = list(checks)
    states = await asyncio.gather(*(one(checks[n]) for n in names))
    result = dict(zip(names, states, strict=True))
    return all(s == "ok" for s in states), result


def health_router(get_checks: Callable[[], dict[str, Check]]) -> APIRouter:
    """The three operational routes; `get_checks` is called per request (lifespan state)."""
    router = APIRouter(include_in_schema=False)

    # GET and HEAD only (contract §15); anything else is a 405 naming both.
    @router.api_route("/healthz", methods=["GET", "HEAD"])
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @router.api_route("/readyz", methods=["GET", "HEAD"])
    async def readyz() -> JSONResponse:
        ready, deps = await run_checks(get_checks())
        body = {"status": "ready" if ready else "not_ready", "dependencies": deps}
        return JSONResponse(body, 200 if ready else 503)

    @router.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
