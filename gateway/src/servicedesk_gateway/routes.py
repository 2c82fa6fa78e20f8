"""The route table: which public path prefix goes to which service. Nothing else is forwarded.

Matching is on the normalised, lower-cased path (see `paths`). A path that no prefix
claims is a 404 from the gateway itself, so a service's `/internal/*`, `/metrics`,
`/healthz` and `/readyz` can never be reached through the public port; segments named like
those are refused even under a public prefix, in case a service mounts one there.
"""

from __future__ import annotations

from typing import NamedTuple

ROUTES: dict[str, str] = {
    "/api/token": "auth",
    "/api/auth": "auth",
    "/api/users": "auth",
    "/api/admin/users": "auth",
    "/api/systems": "auth",  # auth owns systems (roles refer to them); tickets follows on events
    "/api/people": "tickets",
    "/api/admin/orphaned-assignments": "tickets",
    "/api/tickets": "tickets",
    "/api/views": "tickets",
    "/api/workflows": "tickets",
    "/api/sla": "tickets",
    "/api/export": "tickets",
    "/api/admin/audit": "tickets",
    "/api/admin/ai-settings": "tickets",
    "/api/notifications": "notifications",
    "/api/ai": "ai-assist",
}
_BLOCKED_SEGMENTS = frozenset({"internal", "metrics", "healthz", "readyz"})
# Where a revoked bearer token is ignored rather than refused: signing in, refreshing and
# registering take no bearer token, and a client holding a dead one must still get a new one.
_SIGN_IN = ("/api/token", "/api/auth/register")


class Route(NamedTuple):
    prefix: str  # also the metrics label: bounded cardinality
    upstream: str


_TABLE = sorted((Route(p, u) for p, u in ROUTES.items()), key=lambda r: -len(r.prefix))


def match(key: str) -> Route | None:
    """The route for a normalised, lower-cased path, or None (a 404)."""
    for route in _TABLE:
        prefix = route.prefix
        if key.startswith(prefix) and (len(key) == len(prefix) or key[len(prefix)] == "/"):
            return None if _blocked(key, len(prefix)) else route
    return None


def _blocked(key: str, start: int) -> bool:
    rest = key[start + 1 :]
    return bool(rest) and not _BLOCKED_SEGMENTS.isdisjoint(rest.split("/"))


def is_upload(key: str) -> bool:
    """`/api/tickets/{id}/attachments`: the one place bodies may exceed the JSON limit."""
    parts = key.split("/")
    return len(parts) == 5 and parts[2] == "tickets" and parts[4] == "attachments"


def refuses_revoked_tokens(key: str) -> bool:
    """A revoked or outdated bearer token is a 401 everywhere but the sign-in paths."""
    return not any(key == p or key.startswith(p + "/") for p in _SIGN_IN)
