"""Several replicas per service: round robin, a refused replica skipped for the cooldown,
one retry on another replica when nothing reached the service (any method) or the service
closed the connection without answering (idempotent requests only), `/readyz` and
`/openapi.json` served by whichever replica answers, and the `*_URL` lists themselves."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import REGISTRY
from pydantic import ValidationError

from servicedesk_gateway.config import Settings

from .conftest import running, settings_for
from .upstream import Upstream, free_port


@pytest.fixture(scope="module")
def second():
    """A second echo replica."""
    with Upstream() as server:
        yield server


@pytest.fixture
def dead() -> str:
    """A replica nothing listens on: connections are refused."""
    return f"http://127.0.0.1:{free_port()}"


class Dropping:
    """A replica that reads a request's head and closes the connection without a word,
    as a service does to its idle keep-alives when it gets SIGTERM."""

    def __init__(self) -> None:
        self.connections = 0
        self.server: asyncio.Server | None = None

    async def _handle(self, reader, writer) -> None:
        self.connections += 1
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"


@pytest.fixture
async def dropping():
    drop = Dropping()
    drop.server = await asyncio.start_server(drop._handle, "127.0.0.1", 0)
    yield drop
    drop.server.close()


def retries(reason: str) -> float:
    labels = {"upstream": "tickets", "reason": reason}
    return REGISTRY.get_sample_value("gateway_upstream_retries_total", labels) or 0.0


def replicas(*urls: str, **overrides):
    return running(settings_for(urls[-1], tickets_url=",".join(urls), **overrides))


def host(response) -> str:
    return dict(response.json()["headers"])["host"]


async def chunks():
    for _ in range(3):
        yield b"x" * 1000


async def test_requests_alternate_between_replicas(upstream, second):
    async with replicas(upstream.url, second.url) as gw, gw.client() as client:
        hosts = [host(await client.get("/api/tickets")) for _ in range(4)]
    first, other = (u.url.removeprefix("http://") for u in (upstream, second))
    assert hosts == [first, other, first, other]


async def test_a_refused_replica_is_skipped_for_the_cooldown(upstream, dead):
    before = retries("connect")
    async with replicas(dead, upstream.url) as gw, gw.client() as client:
        statuses = [(await client.get("/api/tickets")).status_code for _ in range(6)]
    assert statuses == [200] * 6
    assert retries("connect") - before == 1  # only the first request tried the dead one


async def test_without_a_cooldown_the_refused_replica_is_tried_again(upstream, dead):
    before = retries("connect")
    async with replicas(dead, upstream.url, upstream_cooldown=0) as gw, gw.client() as client:
        statuses = [(await client.get("/api/tickets")).status_code for _ in range(4)]
    assert statuses == [200] * 4
    assert retries("connect") - before == 4


async def test_when_every_replica_is_down_they_are_tried_anyway(dead):
    other = f"http://127.0.0.1:{free_port()}"
    async with replicas(dead, other) as gw, gw.client() as client:
        responses = [await client.get("/api/tickets") for _ in range(2)]
    for response in responses:
        assert response.status_code == 503
        assert response.json()["code"] == "upstream_unavailable"
        assert response.headers["retry-after"] == "5"


async def test_a_refused_post_is_retried_since_nothing_was_sent(upstream, dead):
    async with replicas(dead, upstream.url) as gw, gw.client() as client:
        response = await client.post("/api/tickets", content=b"abc")
    assert response.status_code == 200
    assert response.json()["method"] == "POST"
    assert response.json()["body_length"] == 3


async def test_a_refused_streamed_body_is_not_retried(upstream, dead):
    async with replicas(dead, upstream.url) as gw, gw.client() as client:
        response = await client.post("/api/tickets", content=chunks())
    assert response.status_code == 503
    assert response.json()["code"] == "upstream_unavailable"


async def test_a_post_the_replica_dropped_is_not_retried(upstream, dropping):
    before = retries("disconnected")
    async with replicas(dropping.url, upstream.url) as gw, gw.client() as client:
        response = await client.post("/api/tickets", content=b"abc")
    assert response.status_code == 502
    assert response.json()["code"] == "bad_gateway"
    assert dropping.connections >= 1
    assert retries("disconnected") == before


async def test_a_dropped_post_with_an_idempotency_key_is_retried(upstream, dropping):
    key = {"Idempotency-Key": "replicas-1"}
    async with replicas(dropping.url, upstream.url) as gw, gw.client() as client:
        response = await client.post("/api/tickets", content=b"abc", headers=key)
    assert response.status_code == 200
    assert (response.json()["method"], response.json()["body_length"]) == ("POST", 3)
    assert host(response) == upstream.url.removeprefix("http://")
    assert dropping.connections >= 1


async def test_a_dropped_get_is_retried(upstream, dropping):
    before = retries("disconnected")
    async with replicas(dropping.url, upstream.url) as gw, gw.client() as client:
        response = await client.get("/api/tickets")
    assert response.status_code == 200
    assert retries("disconnected") - before == 1


async def test_a_dropped_streamed_body_is_not_retried(upstream, dropping):
    key = {"Idempotency-Key": "replicas-2"}
    async with replicas(dropping.url, upstream.url) as gw, gw.client() as client:
        response = await client.post("/api/tickets", content=chunks(), headers=key)
    assert response.status_code == 502
    assert dropping.connections >= 1


async def test_ready_and_documented_while_one_replica_is_down(upstream, dead):
    async with replicas(dead, upstream.url) as gw, gw.client() as client:
        ready = await client.get("/readyz")
        doc = await client.get("/openapi.json")
    assert ready.status_code == 200
    assert ready.json()["dependencies"]["tickets"] == "ok"
    assert "/api/tickets" in doc.json()["paths"]


async def test_not_ready_when_every_replica_is_down(upstream, dead):
    both = f"{dead},http://127.0.0.1:{free_port()}"
    async with running(settings_for(upstream.url, tickets_url=both)) as gw, gw.client() as client:
        ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["dependencies"]["tickets"].startswith("down")


def test_a_url_list_is_parsed_and_one_url_is_as_before():
    listed = Settings(tickets_url=" http://a:8002, http://[::1]:8102/ ", metrics_port=0)
    single = Settings(tickets_url="https://tickets.internal/", tickets_port=9)
    unset = Settings(tickets_port=9)
    assert listed.upstream_urls("tickets") == ["http://a:8002", "http://[::1]:8102"]
    assert single.upstream_urls("tickets") == ["https://tickets.internal"]
    assert unset.upstream_urls("tickets") == ["http://127.0.0.1:9"]


@pytest.mark.parametrize(
    "bad", ["http://a:8002/api", "a:8002", "ftp://a", "http://u:p@a:1", "http://a:1?x=1"]
)
def test_a_bad_url_entry_is_a_settings_error(bad):
    with pytest.raises(ValidationError, match=r"TICKETS_URL entry .* is not a base URL"):
        Settings(tickets_url=f"http://ok:1,{bad}")
