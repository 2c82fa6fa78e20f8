"""`scripts/refresh.py` in pieces: arguments, output, and the refresher against real Redis
with ai-assist replaced by an httpx mock transport (the e2e tests use the real one)."""

from __future__ import annotations

import asyncio
import importlib.util
import io
import sys
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis

from servicedesk_shared.testing import REDIS_URL, delete_redis_prefix, unique

from .conftest import ROOT

spec = importlib.util.spec_from_file_location("refresh", ROOT / "scripts" / "refresh.py")
refresh = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
sys.modules["refresh"] = refresh
spec.loader.exec_module(refresh)  # type: ignore[union-attr]


def test_defaults_are_the_contracts() -> None:
    options = refresh.parse_args([])
    assert (options.max_concurrency, options.max_retries, options.dry_run) == (5, 3, False)
    assert options.system is None and options.since is None


@pytest.mark.parametrize(
    "argv", [["--max-concurrency", "0"], ["--max-retries", "-1"], ["--since", "yesterday"]]
)
def test_bad_arguments_exit_2_with_a_message(argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        refresh.parse_args(argv)
    assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_passwords_never_print() -> None:
    assert refresh.redacted("redis://:s3cret@cache:6379/0") == "redis://***@cache:6379/0"
    assert refresh.redacted("redis://u:s3cret@cache/0") == "redis://u:***@cache/0"
    assert refresh.redacted("redis://localhost:6379/0") == "redis://localhost:6379/0"


def test_the_summary_block_is_the_seeds() -> None:
    summary = refresh.Summary(total=3, processed=0, skipped=3, errors=0)
    assert refresh.footer(summary) == (
        "\nSummary:\n  Total: 3\n  Processed: 0\n  Skipped (idempotent): 3\n  Errors: 0\n"
        + "=" * 50
    )


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_on_a_terminal_lines_otherwise() -> None:
    ticket = {"id": 7}
    tty = Tty()
    bar = refresh.Progress(2, tty, dry_run=False)
    bar("processed", ticket)
    bar("skipped", ticket)
    assert tty.getvalue() == "\r[" + "#" * 15 + "-" * 15 + "] 1/2\r[" + "#" * 30 + "] 2/2\n"
    plain = io.StringIO()
    lines = refresh.Progress(2, plain, dry_run=True)
    lines("processed", ticket)
    lines("error", {"id": 8, "error": "boom"})
    assert plain.getvalue() == "Ticket 7: would process\nTicket 8: error: boom\n"


@pytest.fixture
async def redis() -> Any:
    prefix = unique("refresh-test") + ":"
    client = aioredis.from_url(REDIS_URL)
    yield client, prefix
    await client.aclose()
    await delete_redis_prefix(prefix)


def tickets(n: int) -> list[dict[str, Any]]:
    at = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    return [{"id": i, "title": f"T{i}", "description": "d", "updated_at": at} for i in range(n)]


async def run(redis, handler, items, **options) -> tuple[Any, list[str]]:
    client, prefix = redis
    seen: list[str] = []
    opts = refresh.Options(**({"max_concurrency": 2, "max_retries": 2, "dry_run": False,
                                "system": None, "since": None, "ttl": 60, "backoff": 0.01}
                               | options))  # fmt: skip
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(handler), base_url="http://ai"
    ) as http:
        refresher = refresh.Refresher(
            opts, client, http, prefix=prefix, report=lambda o, t: seen.append(o)
        )
        return await refresher.run(items), seen


async def test_concurrency_is_bounded_and_a_second_run_skips(redis) -> None:
    in_flight = peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        return httpx.Response(200, json={"status": "suggested"})

    items = tickets(6)
    first, _ = await run(redis, handler, items)
    assert (first.total, first.processed, first.skipped, first.errors) == (6, 6, 0, 0)
    assert peak == 2
    second, _ = await run(redis, handler, items)
    assert (second.processed, second.skipped) == (0, 6)


async def test_retries_then_gives_the_key_back(redis) -> None:
    calls = 0

    def flaky(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(503, json={"detail": "model down", "code": "model_unavailable"})

    items = tickets(1)
    summary, seen = await run(redis, flaky, items, max_retries=2)
    assert (summary.errors, calls, seen) == (1, 3, ["error"])
    assert "model down" in items[0]["error"]
    healed, _ = await run(redis, lambda r: httpx.Response(200, json={}), items)
    assert healed.processed == 1  # the key was released


async def test_client_errors_are_not_retried(redis) -> None:
    calls = 0

    def refused(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(401, json={"detail": "A valid X-API-Key header is required"})

    summary, _ = await run(redis, refused, tickets(1))
    assert (summary.errors, calls) == (1, 1)


async def test_a_dry_run_takes_no_key_and_calls_nothing(redis) -> None:
    def never(request: httpx.Request) -> httpx.Response:
        raise AssertionError("a dry run called ai-assist")

    items = tickets(2)
    summary, _ = await run(redis, never, items, dry_run=True)
    assert (summary.processed, summary.skipped) == (2, 0)
    client, prefix = redis
    assert not await client.keys(f"{prefix}*")
