"""Text types of the tickets' request schemas, all `servicedesk_shared.types.text`: no NUL
or lone surrogate reaches PostgreSQL (a 422 at the edge, not a 500), and each limit is in
the OpenAPI."""

from __future__ import annotations

from servicedesk_shared.types import Text, text

__all__ = ["Body", "Name", "Text", "Title"]

Name = text(1, 64)
Title = text(5, 200, strip=True)
Body = text(1, 50_000)
