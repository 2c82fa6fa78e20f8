"""`/api/tickets/` is `/api/tickets`: the same resource, no redirect (contract §2)."""

from __future__ import annotations


class SameWithOrWithoutSlash:
    """ASGI wrapper dropping trailing slashes before routing (`redirect_slashes` is off)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                trimmed = path.rstrip("/") or "/"
                scope = {**scope, "path": trimmed, "raw_path": trimmed.encode()}
        await self.app(scope, receive, send)
