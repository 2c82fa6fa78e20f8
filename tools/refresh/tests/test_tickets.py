"""Reading the open tickets from tickets' `GET /internal/tickets`, page by page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from servicedesk_refresh.refresher import version_key
from servicedesk_refresh.retry import RequestFailed
from servicedesk_refresh.tickets import Ticket, open_tickets

from .conftest import AT, TICKETS_KEY, FakeTickets


def client(fake: FakeTickets, key: str = TICKETS_KEY) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.MockTransport(fake), base_url="http://tickets", headers={"X-API-Key": key}
    )


async def read(fake: FakeTickets, **kwargs) -> list[Ticket]:
    options = {"system": None, "since": None, "retries": 2, "backoff": 0} | kwargs
    async with client(fake) as http:
        return await open_tickets(http, **options)


async def test_every_page_is_read_and_every_ticket_once() -> None:
    fake = FakeTickets()
    fake.add(7)
    tickets = await read(fake, page_size=3)
    assert [t.id for t in tickets] == [1, 2, 3, 4, 5, 6, 7]
    afters = [r.url.params.get("after") for r in fake.requests]
    assert afters == [None, "3", "6"]
    assert {r.url.params["limit"] for r in fake.requests} == {"3"}


async def test_a_page_that_ends_exactly_asks_once_more_only_if_next_says_so() -> None:
    fake = FakeTickets()
    fake.add(4)
    assert len(await read(fake, page_size=4)) == 4
    assert len(fake.requests) == 1
    assert await read(FakeTickets()) == []


async def test_the_scope_is_sent_and_since_in_utc() -> None:
    fake = FakeTickets()
    fake.add(2, at=AT - timedelta(days=1))
    fake.add(1, system="HDTS")
    wanted = fake.add(1, system="HDTS", at=AT + timedelta(hours=1))
    since = datetime(2026, 11, 23, 13, 30, tzinfo=timezone(timedelta(hours=1)))
    tickets = await read(fake, system="HDTS", since=since)
    assert [t.id for t in tickets] == [wanted[0]["id"]]
    params = fake.requests[0].url.params
    assert (params["system"], params["updated_since"]) == ("HDTS", "2026-11-23T12:30:00+00:00")


async def test_a_tickets_version_is_its_id_and_updated_at_in_utc() -> None:
    """The Redis key names the version as the script named it when it read the database
    (asyncpg's UTC datetime): keys taken before the switch still count."""
    ticket = Ticket.from_json(
        {"id": 5, "title": "t", "description": "d", "updated_at": "2026-11-23T12:00:00.25Z"}
    )
    assert ticket.updated_at == datetime(2026, 11, 23, 12, 0, 0, 250000, tzinfo=UTC)
    key = version_key("desk:", ticket)
    assert key == "desk:refresh:ticket:5:2026-11-23T12:00:00.250000+00:00"
    same = Ticket.from_json(
        {"id": 5, "title": "t", "description": "d", "updated_at": "2026-11-23T13:00:00.25+01:00"}
    )
    assert version_key("desk:", same) == key


async def test_an_overloaded_page_is_retried() -> None:
    fake = FakeTickets(failures=[503, 429])
    fake.add(2)
    assert len(await read(fake, retries=2)) == 2
    assert len(fake.requests) == 3


async def test_a_refused_key_is_not_retried() -> None:
    fake = FakeTickets()
    async with client(fake, key="wrong") as http:
        with pytest.raises(RequestFailed) as exc:
            await open_tickets(http, system=None, since=None, retries=3, backoff=0)
    assert exc.value.status == 401
    assert "A valid X-API-Key header is required" in str(exc.value)
    assert len(fake.requests) == 1


async def test_pages_that_keep_failing_give_up_with_the_last_answer() -> None:
    fake = FakeTickets(failures=[503, 503, 503])
    with pytest.raises(RequestFailed) as exc:
        await read(fake, retries=2)
    assert str(exc.value) == "gave up after 3 attempts: HTTP 503: overloaded"
    assert exc.value.status == 503
