"""Re-run AI triage for the tickets in scope, at most N at once, idempotent per ticket version.

    .venv/bin/python scripts/refresh.py [--max-concurrency 5] [--max-retries 3] [--dry-run]
                                        [--system TTS] [--since 2026-11-01] [--ttl 604800]

Scope: every ticket that is not deleted and not in a terminal state of its system's
workflow (`closed` by default), narrowed by `--system` and `--since` (last change at or
after). For each one, the key `refresh:ticket:<id>:<updated_at>` is taken in Redis with
`SET NX` and a TTL: a ticket whose current version already holds it is Skipped
(idempotent), so a second run over unchanged tickets skips them all while an edited ticket
(new `updated_at`) is processed again. Taking the key, then asking ai-assist's
`POST /internal/triage` (which publishes `ai.triage.suggested`), retried with exponential
backoff up to `--max-retries` times; a ticket that still fails gives its key back, so a
later run tries again, and counts as an error (exit status 1). `--dry-run` reads and
reports, and changes nothing: no key taken, no triage asked for.

Environment: TICKETS_DATABASE_URL (read only), REDIS_URL, REDIS_KEY_PREFIX, AI_ASSIST_URL
(default http://127.0.0.1:$AI_ASSIST_PORT), and the key for ai-assist: AI_ASSIST_API_KEY,
else the first of AI_ASSIST_API_KEYS, else the development key `make run` generated.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import asyncpg
import httpx
import redis.asyncio as aioredis

ROOT = Path(__file__).resolve().parents[1]
DEV_AI_KEY_FILE = ROOT / ".devstack" / "ai-api-key"
RULE = "=" * 50
RETRYABLE = {429, 500, 502, 503, 504}

SCOPE = """
SELECT t.id, t.title, t.description, t.updated_at
FROM tickets t
LEFT JOIN workflow_states s ON s.system = t.system AND s.name = t.status
WHERE t.deleted_at IS NULL AND t.status <> 'closed' AND NOT coalesce(s.terminal, false)
  AND ($1::text IS NULL OR t.system = $1) AND ($2::timestamptz IS NULL OR t.updated_at >= $2)
ORDER BY t.id
"""


@dataclass
class Options:
    max_concurrency: int
    max_retries: int
    dry_run: bool
    system: str | None
    since: datetime | None
    ttl: int
    backoff: float


@dataclass
class Summary:
    total: int = 0
    processed: int = 0
    skipped: int = 0
    errors: int = 0


class FatalError(Exception):
    """A dependency is unreachable or misconfigured: one line, exit status 2."""


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description="Re-run AI triage for open tickets.")
    parser.add_argument("--max-concurrency", type=_positive, default=5)
    parser.add_argument("--max-retries", type=_non_negative, default=3)
    parser.add_argument("--dry-run", action="store_true", help="report only; change nothing")
    parser.add_argument("--system", help="only tickets of this system (e.g. TTS)")
    parser.add_argument(
        "--since", type=_timestamp, help="only tickets changed at or after (ISO 8601)"
    )
    parser.add_argument("--ttl", type=_positive, default=7 * 24 * 3600, help="key TTL, seconds")
    parser.add_argument("--backoff", type=float, default=0.5, help="first retry delay, seconds")
    args = parser.parse_args(argv)
    return Options(
        args.max_concurrency, args.max_retries, args.dry_run, args.system, args.since, args.ttl,
        args.backoff,
    )  # fmt: skip


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


def _timestamp(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO 8601 date or time") from None
    return parsed if parsed.tzinfo else parsed.astimezone()


def redacted(url: str) -> str:
    """The URL without its password, for printing."""
    scheme, sep, rest = url.partition("://")
    creds, at, host = rest.rpartition("@")
    if not at:
        return url
    user = creds.split(":", 1)[0]
    return f"{scheme}{sep}{user + ':***' if user else '***'}@{host}"


def ai_api_key(env: dict[str, str]) -> str | None:
    if env.get("AI_ASSIST_API_KEY"):
        return env["AI_ASSIST_API_KEY"]
    keys = [k.strip() for k in env.get("AI_ASSIST_API_KEYS", "").split(",") if k.strip()]
    if keys:
        return keys[0]
    return DEV_AI_KEY_FILE.read_text().strip() if DEV_AI_KEY_FILE.exists() else None


def version_key(prefix: str, ticket: dict[str, Any]) -> str:
    return f"{prefix}refresh:ticket:{ticket['id']}:{ticket['updated_at'].isoformat()}"


async def load_tickets(database_url: str, options: Options) -> list[dict[str, Any]]:
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    try:
        conn = await asyncpg.connect(dsn, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        raise FatalError(
            f"PostgreSQL is not reachable ({type(exc).__name__}); set TICKETS_DATABASE_URL"
        ) from None
    try:
        rows = await conn.fetch(SCOPE, options.system, options.since)
    finally:
        await conn.close()
    return [dict(row) for row in rows]


class Refresher:
    def __init__(
        self,
        options: Options,
        redis: aioredis.Redis,
        http: httpx.AsyncClient,
        *,
        prefix: str,
        report: Callable[[str, dict[str, Any]], None],
    ) -> None:
        self.options = options
        self.redis = redis
        self.http = http
        self.prefix = prefix
        self.report = report
        self.summary = Summary()
        self.gate = asyncio.Semaphore(options.max_concurrency)

    async def run(self, tickets: list[dict[str, Any]]) -> Summary:
        self.summary.total = len(tickets)
        await asyncio.gather(*(self.one(ticket) for ticket in tickets))
        return self.summary

    async def one(self, ticket: dict[str, Any]) -> None:
        async with self.gate:
            outcome = await self._refresh(ticket)
        if outcome == "processed":
            self.summary.processed += 1
        elif outcome == "skipped":
            self.summary.skipped += 1
        else:
            self.summary.errors += 1
        self.report(outcome, ticket)

    async def _refresh(self, ticket: dict[str, Any]) -> str:
        key = version_key(self.prefix, ticket)
        if self.options.dry_run:
            return "skipped" if await self.redis.exists(key) else "processed"
        if not await self.redis.set(key, "1", nx=True, ex=self.options.ttl):
            return "skipped"
        try:
            await self._triage(ticket)
        except Exception as exc:
            await self.redis.delete(key)  # a later run tries again
            ticket["error"] = str(exc)
            return "error"
        return "processed"

    async def _triage(self, ticket: dict[str, Any]) -> None:
        body = {k: ticket[k] for k in ("title", "description")} | {"ticket_id": ticket["id"]}
        for attempt in range(self.options.max_retries + 1):
            try:
                resp = await self.http.post("/internal/triage", json=body)
            except httpx.HTTPError as exc:
                error: str = f"{type(exc).__name__}: {exc}"
            else:
                if resp.status_code == 200:
                    return
                error = f"HTTP {resp.status_code}: {_detail(resp)}"
                if resp.status_code not in RETRYABLE:
                    raise RuntimeError(error)
            if attempt < self.options.max_retries:
                await asyncio.sleep(self.options.backoff * 2**attempt)
        raise RuntimeError(f"gave up after {self.options.max_retries + 1} attempts: {error}")


def _detail(resp: httpx.Response) -> str:
    try:
        return str(resp.json().get("detail", ""))[:200]
    except ValueError:
        return resp.text[:200]


class Progress:
    """A bar on a terminal; one plain line per ticket otherwise (logs, CI, pipes)."""

    def __init__(self, total: int, out: TextIO, *, dry_run: bool) -> None:
        self.total, self.out, self.dry_run = total, out, dry_run
        self.done = 0
        self.tty = out.isatty()

    def __call__(self, outcome: str, ticket: dict[str, Any]) -> None:
        self.done += 1
        if self.tty:
            filled = int(30 * self.done / max(self.total, 1))
            bar = "#" * filled + "-" * (30 - filled)
            self.out.write(f"\r[{bar}] {self.done}/{self.total}")
            if self.done == self.total:
                self.out.write("\n")
        else:
            self.out.write(self._line(outcome, ticket) + "\n")
        self.out.flush()

    def _line(self, outcome: str, ticket: dict[str, Any]) -> str:
        if outcome == "error":
            return f"Ticket {ticket['id']}: error: {ticket.get('error')}"
        if outcome == "skipped":
            return f"Ticket {ticket['id']}: skipped (idempotent)"
        return f"Ticket {ticket['id']}: {'would process' if self.dry_run else 'processed'}"


def header(options: Options) -> str:
    return "\n".join([
        RULE, "Ticket Refresh Script", f"Max Concurrency: {options.max_concurrency}",
        f"Max Retries: {options.max_retries}", f"Dry Run: {options.dry_run}", RULE,
    ])  # fmt: skip


def footer(summary: Summary) -> str:
    return "\n".join([
        "", "Summary:", f"  Total: {summary.total}", f"  Processed: {summary.processed}",
        f"  Skipped (idempotent): {summary.skipped}", f"  Errors: {summary.errors}", RULE,
    ])  # fmt: skip


async def connect_redis(url: str) -> aioredis.Redis:
    client = aioredis.from_url(url, socket_connect_timeout=3, socket_timeout=5)
    try:
        await client.ping()
    except (aioredis.RedisError, OSError) as exc:
        await client.aclose()
        raise FatalError(f"Redis is not reachable ({type(exc).__name__}); set REDIS_URL") from None
    return client


async def refresh(options: Options, env: dict[str, str], out: TextIO) -> Summary:
    redis_url = env.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    database_url = env.get("TICKETS_DATABASE_URL") or (
        "postgresql://postgres@127.0.0.1:5432/desk_tickets"
    )
    ai_url = env.get("AI_ASSIST_URL", "").split(",")[0].strip() or (
        f"http://127.0.0.1:{env.get('AI_ASSIST_PORT', '8004')}"
    )
    key = ai_api_key(env)
    if not key and not options.dry_run:
        raise FatalError("no key for ai-assist; set AI_ASSIST_API_KEY (one of AI_ASSIST_API_KEYS)")
    print(header(options), file=out)
    redis = await connect_redis(redis_url)
    try:
        print(f"Connected to Redis at {redacted(redis_url)}", file=out)
        tickets = await load_tickets(database_url, options)
        print(f"Found {len(tickets)} tickets to process", file=out, flush=True)
        async with httpx.AsyncClient(
            base_url=ai_url, headers={"X-API-Key": key or ""}, timeout=60, trust_env=False
        ) as http:
            progress = Progress(len(tickets), out, dry_run=options.dry_run)
            refresher = Refresher(
                options, redis, http, prefix=env.get("REDIS_KEY_PREFIX", "desk:"), report=progress
            )
            summary = await refresher.run(tickets)
    finally:
        await redis.aclose()
    print(footer(summary), file=out)
    return summary


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    try:
        summary = asyncio.run(refresh(options, dict(os.environ), sys.stdout))
    except FatalError as exc:
        print(f"refresh: {exc}", file=sys.stderr)
        return 2
    return 1 if summary.errors else 0


if __name__ == "__main__":
    sys.exit(main())
