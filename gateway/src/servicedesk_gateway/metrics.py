"""The gateway's Prometheus metrics, served on GATEWAY_METRICS_HOST:GATEWAY_METRICS_PORT
(127.0.0.1 unless a container image says otherwise), never on the public port.

The public port never answers `/metrics`: the numbers tell an attacker what hurts. Labels
are the route *prefix* (from the route table) and the status, so cardinality is bounded
whatever paths clients invent.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram, start_http_server

REQUESTS = Counter("gateway_requests_total", "Requests answered", ["route", "status"])
LATENCY = Histogram(
    "gateway_request_duration_seconds",
    "Time from request to the end of the response",
    ["route", "status"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
RATE_LIMITED = Counter("gateway_rate_limited_total", "Requests refused with 429", ["bucket"])
UPSTREAM_ERRORS = Counter(
    "gateway_upstream_errors_total", "Upstream failures by kind", ["upstream", "kind"]
)
UPSTREAM_RETRIES = Counter(
    "gateway_upstream_retries_total",
    "Requests tried again on another replica, by why the first try failed",
    ["upstream", "reason"],
)
REDIS_ERRORS = Counter("gateway_redis_errors_total", "Rate-limit/deny-list lookups that failed")

_children: dict[tuple[str, int], tuple[object, object]] = {}


def observe(route: str, status: int, seconds: float) -> None:
    """Count and time one request (label children cached: `.labels()` is not free)."""
    pair = _children.get((route, status))
    if pair is None:
        pair = _children[(route, status)] = (
            REQUESTS.labels(route, str(status)),
            LATENCY.labels(route, str(status)),
        )
    pair[0].inc()  # type: ignore[attr-defined]
    pair[1].observe(seconds)  # type: ignore[attr-defined]


def serve(port: int, host: str = "127.0.0.1"):
    """Start the metrics endpoint (loopback by default); returns the server (`.shutdown()`)."""
    server, _thread = start_http_server(port, addr=host)
    return server
