"""Forwarding: the request streamed to the upstream, the response streamed back.

One pooled `aiohttp.ClientSession` for every upstream (keep-alive; httpx's pool collapses
under this load, encode/httpx#3215). Bodies are never decompressed (`auto_decompress=False`)
and aiohttp's own `Accept-Encoding`/`User-Agent` are not added, so the bytes and headers the
client sees are the service's. The body limit is enforced twice: on `Content-Length` up
front, and by counting while streaming (a chunked body has no length to check).

    aiohttp.ClientConnectorError        -> 503 upstream_unavailable (nothing listening)
    asyncio.TimeoutError                -> 504 upstream_timeout (connect or read timeout)
                                           (both with Retry-After: UPSTREAM_RETRY_AFTER)
    other aiohttp.ClientError           -> 502 bad_gateway
    body over the limit while streaming -> 413 payload_too_large
    failure after the response started  -> ResponseAborted: the connection is dropped, so
                                           the client cannot take a cut body for a whole one
"""

from __future__ import annotations

import asyncio
from typing import NamedTuple

import aiohttp
from multidict import CIMultiDict
from yarl import URL

from servicedesk_gateway.config import Settings
from servicedesk_gateway.errors import BadGateway, GatewayTimeout
from servicedesk_gateway.headers import Headers
from servicedesk_gateway.merge import response_headers
from servicedesk_gateway.metrics import UPSTREAM_ERRORS
from servicedesk_shared.errors import PayloadTooLarge, ServiceError, Unavailable

BUFFER_BELOW = 64 * 1024  # bodies with a known length below this are sent in one write
UPSTREAM_RETRY_AFTER = "5"  # seconds: a restart or a replica's recovery, not a blip
_NO_AUTO_CONTENT_TYPE = CIMultiDict([("Content-Type", None)])


class PassThroughRequest(aiohttp.ClientRequest):
    """A request that adds no headers of its own (no `Accept`, `Accept-Encoding`,
    `User-Agent`, `Content-Type`): the upstream sees the client's. Without an added
    `Accept-Encoding` the upstream never compresses what the client did not ask for, which
    matters as we pass bodies through undecoded. (Cheaper, too, than `skip_auto_headers`,
    which rebuilds two header dicts per request.)"""

    def update_auto_headers(self, skip_auto_headers) -> None:
        self._skip_auto_headers = _NO_AUTO_CONTENT_TYPE


def create_session(settings: Settings) -> aiohttp.ClientSession:
    """The one pooled client; created in the lifespan, closed with it."""
    connector = aiohttp.TCPConnector(
        limit=settings.upstream_pool_size, limit_per_host=0, keepalive_timeout=30, ttl_dns_cache=300
    )
    timeout = aiohttp.ClientTimeout(
        total=None,
        connect=settings.upstream_connect_timeout,
        sock_read=settings.upstream_read_timeout,
    )
    return aiohttp.ClientSession(
        connector=connector,
        timeout=timeout,
        auto_decompress=False,
        request_class=PassThroughRequest,
        cookie_jar=aiohttp.DummyCookieJar(),  # never keep one client's cookies for another
    )


class Outgoing(NamedTuple):
    upstream: str
    method: str
    url: str
    headers: Headers
    content_length: int | None  # None: chunked, or no body at all when `has_body` is False
    has_body: bool
    limit: int


class ResponseAborted(Exception):
    """The upstream failed after our response started; only closing the connection is left."""


class _Overflow:
    """Set when the streamed body passed the limit (aiohttp wraps the exception we raise)."""

    hit = False


async def _body_stream(receive, limit: int, overflow: _Overflow):
    seen = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ConnectionAbortedError("client went away mid-body")
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen > limit:
            overflow.hit = True
            raise PayloadTooLarge()
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return


async def _read_small(receive, limit: int) -> bytes:
    chunks, seen = [], 0
    async for chunk in _body_stream(receive, limit, _Overflow()):
        chunks.append(chunk)
        seen += len(chunk)
    return b"".join(chunks)


async def forward(session: aiohttp.ClientSession, out: Outgoing, receive, send, extra: Headers):
    """Forward one request and stream the answer back; returns the status sent."""
    overflow = _Overflow()
    data = await _request_body(out, receive, overflow)
    try:
        async with session.request(
            out.method,
            URL(out.url, encoded=True),  # already percent-encoded: skip yarl's requoting
            headers=out.headers,
            data=data,
            allow_redirects=False,
        ) as resp:
            return await _relay(resp, send, extra, out.upstream)
    except ServiceError:
        raise
    except (TimeoutError, aiohttp.ClientError) as exc:
        if overflow.hit:
            raise PayloadTooLarge() from None
        raise _classify(exc, out.upstream) from None


async def _request_body(out: Outgoing, receive, overflow: _Overflow):
    if not out.has_body:
        return None
    length = out.content_length
    if length is not None and length > out.limit:
        raise PayloadTooLarge()
    if length is not None and length <= BUFFER_BELOW:
        return await _read_small(receive, out.limit)
    return _body_stream(receive, out.limit, overflow)


def _classify(exc: BaseException, upstream: str) -> ServiceError:
    if isinstance(exc, asyncio.TimeoutError):
        UPSTREAM_ERRORS.labels(upstream, "timeout").inc()
        return GatewayTimeout(headers={"Retry-After": UPSTREAM_RETRY_AFTER})
    if isinstance(exc, aiohttp.ClientConnectorError):
        UPSTREAM_ERRORS.labels(upstream, "unavailable").inc()
        return Unavailable(
            "The upstream service is unavailable",
            code="upstream_unavailable",
            headers={"Retry-After": UPSTREAM_RETRY_AFTER},
        )
    UPSTREAM_ERRORS.labels(upstream, "bad_gateway").inc()
    return BadGateway()


async def _relay(resp: aiohttp.ClientResponse, send, extra: Headers, upstream: str) -> int:
    headers = response_headers(list(resp.raw_headers), extra)
    start = {"type": "http.response.start", "status": resp.status, "headers": headers}
    length = resp.content_length
    if length is not None and length <= BUFFER_BELOW:
        body = await resp.read()
        await send(start)
        await send({"type": "http.response.body", "body": body})
        return resp.status
    await send(start)
    try:
        async for chunk in resp.content.iter_any():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    except (TimeoutError, aiohttp.ClientError) as exc:
        UPSTREAM_ERRORS.labels(upstream, "aborted").inc()
        raise ResponseAborted(f"upstream failed mid-response: {exc!r}") from exc
    await send({"type": "http.response.body", "body": b""})
    return resp.status
