"""Forwarding: the request streamed to the upstream, the response streamed back.

One pooled `aiohttp.ClientSession` for every upstream (keep-alive; httpx's pool collapses
under this load, encode/httpx#3215). Bodies are never decompressed (`auto_decompress=False`)
and aiohttp's own `Accept-Encoding`/`User-Agent` are not added, so the bytes and headers the
client sees are the service's. The body limit is enforced twice: on `Content-Length` up
front, and by counting while streaming (a chunked body has no length to check).

Each request goes to the next replica of its service (`upstreams.Pool`). One failure
before any answer is retried once on another replica, when there is one and the body was
buffered (a streamed body is gone once sent):

    aiohttp.ClientConnectorError        nothing reached the service: any method is retried,
                                        and the replica is skipped for the cooldown
    ServerDisconnectedError, ClientOSError  closed before answering (a replica stopping closes
                                        its idle keep-alives): the request may have run, so
                                        only GET, HEAD or one with an `Idempotency-Key`
    a timeout, or anything after the status line arrived: never retried

What is left after that is mapped here:

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
from servicedesk_gateway.metrics import UPSTREAM_ERRORS, UPSTREAM_RETRIES
from servicedesk_gateway.upstreams import Pool
from servicedesk_shared.errors import PayloadTooLarge, ServiceError, Unavailable

BUFFER_BELOW = 64 * 1024  # bodies with a known length below this are sent in one write
UPSTREAM_RETRY_AFTER = "5"  # seconds: a restart or a replica's recovery, not a blip
_NO_AUTO_CONTENT_TYPE = CIMultiDict([("Content-Type", None)])
_IDEMPOTENT = frozenset({"GET", "HEAD"})


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
        limit=settings.upstream_pool_size,
        limit_per_host=0,
        keepalive_timeout=30,
        ttl_dns_cache=settings.upstream_dns_ttl,
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
    target: str  # path and query, already percent-encoded; a replica's base goes before it
    headers: Headers
    content_length: int | None  # None: chunked, or no body at all when `has_body` is False
    has_body: bool
    limit: int


class ResponseAborted(Exception):
    """The upstream failed after our response started; only closing the connection is left."""


class _Progress:
    """How far one forward got: the streamed body passed the limit (aiohttp wraps the
    exception we raise); the upstream's status line arrived (nothing after it is retried)."""

    __slots__ = ("answered", "overflow")

    def __init__(self) -> None:
        self.overflow = False
        self.answered = False


async def _body_stream(receive, limit: int, progress: _Progress):
    seen = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ConnectionAbortedError("client went away mid-body")
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen > limit:
            progress.overflow = True
            raise PayloadTooLarge()
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return


async def _read_small(receive, limit: int) -> bytes:
    chunks, seen = [], 0
    async for chunk in _body_stream(receive, limit, _Progress()):
        chunks.append(chunk)
        seen += len(chunk)
    return b"".join(chunks)


async def forward(
    session: aiohttp.ClientSession, pool: Pool, out: Outgoing, receive, send, extra: Headers
) -> int:
    """Forward one request and stream the answer back; returns the status sent."""
    progress = _Progress()
    data = await _request_body(out, receive, progress)
    replica = pool.pick()
    try:
        return await _attempt(session, pool, replica, out, data, send, extra, progress)
    except (TimeoutError, aiohttp.ClientError) as exc:
        reason = _retry_reason(exc, out, data, progress, len(pool.bases))
        if reason is None:
            raise _failure(exc, out.upstream, progress) from None
    UPSTREAM_RETRIES.labels(out.upstream, reason).inc()
    replica = pool.pick(avoid=replica)
    try:
        return await _attempt(session, pool, replica, out, data, send, extra, progress)
    except (TimeoutError, aiohttp.ClientError) as exc:
        raise _failure(exc, out.upstream, progress) from None


async def _attempt(session, pool: Pool, replica: int, out: Outgoing, data, send, extra, progress):
    """One try on one replica; a refused connection marks the replica down."""
    try:
        async with session.request(
            out.method,
            URL(pool.bases[replica] + out.target, encoded=True),  # skip yarl's requoting
            headers=out.headers,
            data=data,
            allow_redirects=False,
        ) as resp:
            progress.answered = True
            pool.up(replica)
            return await _relay(resp, send, extra, out.upstream)
    except aiohttp.ClientConnectorError:
        pool.down(replica)
        raise


def _retry_reason(exc, out: Outgoing, data, progress: _Progress, replicas: int) -> str | None:
    """Why this failure may be tried again on another replica (see the module's table)."""
    if replicas < 2 or progress.answered or not (data is None or isinstance(data, bytes)):
        return None
    if isinstance(exc, TimeoutError):  # before the others: a connect timeout is both
        return None
    if isinstance(exc, aiohttp.ClientConnectorError):
        return "connect"
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
        return "disconnected" if _idempotent(out) else None
    return None


def _idempotent(out: Outgoing) -> bool:
    return out.method in _IDEMPOTENT or any(
        name.lower() == "idempotency-key" for name, _ in out.headers
    )


def _failure(exc: BaseException, upstream: str, progress: _Progress) -> ServiceError:
    if progress.overflow:
        return PayloadTooLarge()
    return _classify(exc, upstream)


async def _request_body(out: Outgoing, receive, progress: _Progress):
    if not out.has_body:
        return None
    length = out.content_length
    if length is not None and length > out.limit:
        raise PayloadTooLarge()
    if length is not None and length <= BUFFER_BELOW:
        return await _read_small(receive, out.limit)
    return _body_stream(receive, out.limit, progress)


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
