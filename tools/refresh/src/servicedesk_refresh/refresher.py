"""Per ticket: take the Redis key of its version (`SET NX` with a TTL), then ask ai-assist's
`POST /internal/triage`, retried; a ticket that still fails gives its key back (a later run
tries again). At most `max_concurrency` tickets at once.

    key held already ──────────────────────────► skipped (idempotent)
    key taken ── triage 200 ───────────────────► processed
              └─ triage fails after retries ───► error, key deleted
    --dry-run: key present ? skipped : processed (nothing taken, nothing asked)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import httpx
import redis.asyncio as aioredis

from servicedesk_refresh.retry import request
from servicedesk_refresh.tickets import Ticket


@dataclass
class Options:
    max_concurrency: int = 5
    max_retries: int = 3
    dry_run: bool = False
    system: str | None = None
    since: datetime | None = None
    ttl: int = 7 * 24 * 3600
    backoff: float = 0.5


@dataclass
class Summary:
    total: int = 0
    processed: int = 0
    skipped: int = 0
    errors: int = 0


def version_key(prefix: str, ticket: Ticket) -> str:
    """`<prefix>refresh:ticket:<id>:<updated_at, ISO 8601 in UTC>`."""
    return f"{prefix}refresh:ticket:{ticket.id}:{ticket.updated_at.isoformat()}"


class Refresher:
    def __init__(
        self,
        options: Options,
        redis: aioredis.Redis,
        http: httpx.AsyncClient,
        *,
        prefix: str,
        report: Callable[[str, Ticket], None],
    ) -> None:
        self.options = options
        self.redis = redis
        self.http = http  # ai-assist's
        self.prefix = prefix
        self.report = report
        self.summary = Summary()
        self.gate = asyncio.Semaphore(options.max_concurrency)

    async def run(self, tickets: list[Ticket]) -> Summary:
        self.summary.total = len(tickets)
        await asyncio.gather(*(self.one(ticket) for ticket in tickets))
        return self.summary

    async def one(self, ticket: Ticket) -> None:
        async with self.gate:
            outcome = await self._refresh(ticket)
        if outcome == "processed":
            self.summary.processed += 1
        elif outcome == "skipped":
            self.summary.skipped += 1
        else:
            self.summary.errors += 1
        self.report(outcome, ticket)

    async def _refresh(self, ticket: Ticket) -> str:
        key = version_key(self.prefix, ticket)
        if self.options.dry_run:
            return "skipped" if await self.redis.exists(key) else "processed"
        if not await self.redis.set(key, "1", nx=True, ex=self.options.ttl):
            return "skipped"
        try:
            await self._triage(ticket)
        except Exception as exc:  # whatever it was, the key goes back
            await self.redis.delete(key)
            ticket.error = str(exc)
            return "error"
        return "processed"

    async def _triage(self, ticket: Ticket) -> None:
        body = {"ticket_id": ticket.id, "title": ticket.title, "description": ticket.description}
        await request(
            self.http,
            "POST",
            "/internal/triage",
            json=body,
            retries=self.options.max_retries,
            backoff=self.options.backoff,
        )
