"""Re-run AI triage for the tickets in scope, at most N at once, idempotent per ticket version.

    .venv/bin/python scripts/refresh.py [--max-concurrency 5] [--max-retries 3] [--dry-run]
                                        [--system TTS] [--since 2026-11-01] [--ttl 604800]

Scope: every ticket that is not deleted and not in a terminal state of its system's
workflow (`closed` by default), narrowed by `--system` and `--since` (last change at or
after), read from tickets' `GET /internal/tickets` page by page. For each one, the key
`refresh:ticket:<id>:<updated_at>` is taken in Redis with `SET NX` and a TTL: a ticket
whose current version already holds it is Skipped (idempotent), so a second run over
unchanged tickets skips them all while an edited ticket (new `updated_at`) is processed
again. Taking the key, then asking ai-assist's `POST /internal/triage` (which publishes
`ai.triage.suggested`), retried with exponential backoff up to `--max-retries` times; a
ticket that still fails gives its key back, so a later run tries again, and counts as an
error (exit status 1). `--dry-run` reads and reports, and changes nothing: no key taken,
no triage asked for. A dependency unreachable or refusing the key: one line on stderr,
exit status 2. Environment: see `servicedesk_refresh.config`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import UTC, datetime
from typing import TextIO

import httpx
import redis.asyncio as aioredis

from servicedesk_refresh import config as configuration
from servicedesk_refresh.config import Config, Upstream
from servicedesk_refresh.output import Progress, footer, header, redacted
from servicedesk_refresh.refresher import Options, Refresher, Summary
from servicedesk_refresh.retry import RequestFailed
from servicedesk_refresh.tickets import Ticket, open_tickets

Transport = httpx.AsyncBaseTransport


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
        args.max_concurrency,
        args.max_retries,
        args.dry_run,
        args.system,
        args.since,
        args.ttl,
        args.backoff,
    )


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
    """An ISO 8601 date or time, in UTC; without a zone it is local time."""
    try:
        parsed = datetime.fromisoformat(value)
        return (parsed if parsed.tzinfo else parsed.astimezone()).astimezone(UTC)
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO 8601 date or time") from None


def client(upstream: Upstream, transport: Transport | None = None) -> httpx.AsyncClient:
    """One service's internal API with its key; no proxies from the environment."""
    headers = {"X-API-Key": upstream.key or ""}
    return httpx.AsyncClient(
        base_url=upstream.url, headers=headers, timeout=60, trust_env=False, transport=transport
    )


async def connect_redis(url: str) -> aioredis.Redis:
    redis = aioredis.from_url(url, socket_connect_timeout=3, socket_timeout=5)
    try:
        await redis.ping()
    except (aioredis.RedisError, OSError) as exc:
        await redis.aclose()
        raise FatalError(f"Redis is not reachable ({type(exc).__name__}); set REDIS_URL") from None
    return redis


async def load_tickets(
    cfg: Config, options: Options, transport: Transport | None = None
) -> list[Ticket]:
    async with client(cfg.tickets, transport) as http:
        try:
            return await open_tickets(
                http,
                system=options.system,
                since=options.since,
                retries=options.max_retries,
                backoff=options.backoff,
            )
        except RequestFailed as exc:
            hint = (
                "set TICKETS_API_KEY (one of TICKETS_API_KEYS)"
                if exc.status in (401, 403)
                else "set TICKETS_URL"
            )
            raise FatalError(f"tickets at {cfg.tickets.url}: {exc}; {hint}") from None
        except (ValueError, KeyError, TypeError) as exc:  # 2xx, but not the listing's shape
            raise FatalError(
                f"tickets at {cfg.tickets.url}: not a ticket listing ({type(exc).__name__}); "
                "set TICKETS_URL"
            ) from None


def check_keys(cfg: Config, options: Options) -> None:
    if not cfg.tickets.key:
        raise FatalError("no key for tickets; set TICKETS_API_KEY (one of TICKETS_API_KEYS)")
    if not cfg.ai_assist.key and not options.dry_run:
        raise FatalError("no key for ai-assist; set AI_ASSIST_API_KEY (one of AI_ASSIST_API_KEYS)")


async def refresh(
    options: Options, cfg: Config, out: TextIO, transport: Transport | None = None
) -> Summary:
    """The whole run: header, Redis, the tickets, the refresher, the summary block
    (`transport`: the HTTP transport of both clients, for tests)."""
    check_keys(cfg, options)
    print(header(options), file=out)
    redis = await connect_redis(cfg.redis_url)
    try:
        print(f"Connected to Redis at {redacted(cfg.redis_url)}", file=out)
        tickets = await load_tickets(cfg, options, transport)
        print(f"Found {len(tickets)} tickets to process", file=out, flush=True)
        async with client(cfg.ai_assist, transport) as http:
            progress = Progress(len(tickets), out, dry_run=options.dry_run)
            refresher = Refresher(options, redis, http, prefix=cfg.prefix, report=progress)
            summary = await refresher.run(tickets)
    finally:
        await redis.aclose()
    print(footer(summary), file=out)
    return summary


def main(argv: list[str] | None = None, env: dict[str, str] | None = None) -> int:
    """0: every ticket processed or skipped; 1: some errors; 2: fatal (or bad arguments)."""
    options = parse_args(argv)
    cfg = configuration.from_env(dict(os.environ) if env is None else env)
    try:
        summary = asyncio.run(refresh(options, cfg, sys.stdout))
    except FatalError as exc:
        print(f"refresh: {exc}", file=sys.stderr)
        return 2
    return 1 if summary.errors else 0
