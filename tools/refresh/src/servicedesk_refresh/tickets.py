"""The open tickets (not deleted, not closed, not in a terminal state of their system's
workflow), read page by page from tickets' `GET /internal/tickets` until `next` is null."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from servicedesk_refresh.retry import request

PATH = "/internal/tickets"
PAGE_SIZE = 500  # the endpoint's largest page


@dataclass
class Ticket:
    id: int
    title: str
    description: str
    updated_at: datetime  # in UTC: with the id, the version the Redis key names
    error: str | None = None  # why its refresh failed, once it has

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Ticket:
        updated_at = datetime.fromisoformat(item["updated_at"]).astimezone(UTC)
        return cls(item["id"], item["title"], item["description"], updated_at)


async def open_tickets(
    http: httpx.AsyncClient,
    *,
    system: str | None,
    since: datetime | None,
    retries: int,
    backoff: float,
    page_size: int = PAGE_SIZE,
) -> list[Ticket]:
    """Every open ticket in scope, by id; `since`: last changed at or after (aware)."""
    scope: dict[str, Any] = {"limit": page_size}
    if system is not None:
        scope["system"] = system
    if since is not None:
        scope["updated_since"] = since.astimezone(UTC).isoformat()
    tickets: list[Ticket] = []
    after: int | None = None
    while True:
        params = scope | ({"after": after} if after is not None else {})
        resp = await request(http, "GET", PATH, params=params, retries=retries, backoff=backoff)
        body = resp.json()
        tickets += [Ticket.from_json(item) for item in body["items"]]
        after = body["next"]
        if after is None:
            return tickets
