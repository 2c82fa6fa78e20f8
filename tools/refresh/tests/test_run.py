"""The whole run in-process: both services faked behind one mock transport, a real Redis;
what is printed, the exit status, and one line for what is fatal."""

from __future__ import annotations

import io
import re

import httpx
import pytest

from servicedesk_devtools.testing import REDIS_URL
from servicedesk_refresh import cli
from servicedesk_refresh.config import Config, Upstream
from servicedesk_refresh.refresher import Options

from .conftest import AI_KEY, TICKETS_KEY, FakeAi, FakeTickets, routed

TICKETS_HINT = "TICKETS_API_KEY (one of TICKETS_API_KEYS)"


def config(redis, *, tickets_key: str | None = TICKETS_KEY, ai_key: str | None = AI_KEY):
    _, prefix = redis
    return Config(
        tickets=Upstream("http://tickets", tickets_key),
        ai_assist=Upstream("http://ai", ai_key),
        redis_url=REDIS_URL,
        prefix=prefix,
    )


def summary(out: str) -> dict[str, int]:
    block = out.split("Summary:", 1)[1]
    return {k: int(v) for k, v in re.findall(r"^  ([A-Za-z ()]+): (\d+)$", block, re.M)}


async def refresh(redis, tickets: FakeTickets, ai: FakeAi, cfg=None, **options) -> str:
    out = io.StringIO()
    cfg = cfg or config(redis)
    await cli.refresh(Options(backoff=0, **options), cfg, out, routed(tickets, ai))
    return out.getvalue()


async def test_a_run_prints_the_contracts_blocks_and_a_second_run_skips(redis) -> None:
    tickets, ai = FakeTickets(), FakeAi()
    tickets.add(3)
    out = await refresh(redis, tickets, ai)
    assert out.startswith(
        "==================================================\nTicket Refresh Script\n"
        "Max Concurrency: 5\nMax Retries: 3\nDry Run: False\n"
        "==================================================\n"
        f"Connected to Redis at {REDIS_URL}\nFound 3 tickets to process\n"
    )
    assert summary(out) == {"Total": 3, "Processed": 3, "Skipped (idempotent)": 0, "Errors": 0}
    assert out.endswith("=" * 50 + "\n")
    assert sorted(body["ticket_id"] for body in ai.bodies) == [1, 2, 3]
    again = await refresh(redis, tickets, ai)
    assert summary(again) == {"Total": 3, "Processed": 0, "Skipped (idempotent)": 3, "Errors": 0}


async def test_a_dry_run_needs_no_ai_key_and_asks_nothing(redis) -> None:
    tickets, ai = FakeTickets(), FakeAi()
    tickets.add(2)
    out = await refresh(redis, tickets, ai, config(redis, ai_key=None), dry_run=True)
    assert "Dry Run: True" in out and "Ticket 1: would process" in out
    assert summary(out)["Processed"] == 2
    assert ai.bodies == []


def test_errors_are_counted_and_main_exits_1(redis, monkeypatch, capsys) -> None:
    tickets, ai = FakeTickets(), FakeAi(reply=lambda r: httpx.Response(422, json={"detail": "no"}))
    tickets.add(1)
    real = cli.refresh
    monkeypatch.setattr(
        cli, "refresh", lambda o, c, out: real(o, config(redis), out, routed(tickets, ai))
    )
    assert cli.main([], env={}) == 1
    out = capsys.readouterr().out
    assert "Ticket 1: error: HTTP 422: no" in out
    assert summary(out)["Errors"] == 1


@pytest.mark.parametrize(
    ("cfg", "line"),
    [
        ({"tickets_key": None}, f"no key for tickets; set {TICKETS_HINT}"),
        (
            {"ai_key": None},
            "no key for ai-assist; set AI_ASSIST_API_KEY (one of AI_ASSIST_API_KEYS)",
        ),
        (
            {"tickets_key": "wrong"},
            "tickets at http://tickets: HTTP 401: A valid X-API-Key header "
            f"is required; set {TICKETS_HINT}",
        ),
    ],
)
async def test_a_missing_or_refused_key_is_fatal_in_one_line(redis, cfg, line) -> None:
    with pytest.raises(cli.FatalError) as exc:
        await refresh(redis, FakeTickets(), FakeAi(), config(redis, **cfg))
    assert str(exc.value) == line


async def test_tickets_unreachable_is_fatal_after_the_retries(redis) -> None:
    calls = 0

    def down(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("All connection attempts failed", request=request)

    out = io.StringIO()
    with pytest.raises(cli.FatalError) as exc:
        await cli.refresh(
            Options(max_retries=1, backoff=0), config(redis), out, httpx.MockTransport(down)
        )
    assert str(exc.value) == (
        "tickets at http://tickets: gave up after 2 attempts: ConnectError: "
        "All connection attempts failed; set TICKETS_URL"
    )
    assert calls == 2


def test_redis_unreachable_is_fatal_in_one_line(capsys) -> None:
    env = {"REDIS_URL": "redis://127.0.0.1:1/0", "TICKETS_API_KEY": "k", "AI_ASSIST_API_KEY": "k"}
    assert cli.main([], env=env) == 2
    assert capsys.readouterr().err.splitlines() == [
        "refresh: Redis is not reachable (ConnectionError); set REDIS_URL"
    ]


async def test_an_answer_that_is_no_listing_is_fatal(redis) -> None:
    def html(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<!doctype html><title>Service Desk</title>")

    with pytest.raises(cli.FatalError) as exc:
        await cli.refresh(
            Options(backoff=0), config(redis), io.StringIO(), httpx.MockTransport(html)
        )
    assert str(exc.value) == (
        "tickets at http://tickets: not a ticket listing (JSONDecodeError); set TICKETS_URL"
    )
