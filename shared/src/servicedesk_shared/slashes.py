"""`/api/users/` is `/api/users`: the same resource, no redirect (contract §2).

An ASGI wrapper that drops trailing slashes before routing; apps run with
`redirect_slashes=False`, so a redirect never leaks a service's own address.
"""

from __future__ import annotations


class StripTrailingSlash:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and len(path) > 1 and path.endswith("/"):
            trimmed = path.rstrip("/") or "/"
            scope = {**scope, "path": trimmed, "raw_path": trimmed.encode()}
        await self.app(scope, receive, send)
