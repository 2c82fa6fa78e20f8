"""The gateway: a plain ASGI callable, no framework on the forwarding path.

Per request: request id -> CORS preflight -> path normalisation -> /healthz, /readyz ->
an in-flight slot (`GATEWAY_MAX_IN_FLIGHT`; none within `GATEWAY_IN_FLIGHT_WAIT`: 503
`overloaded`, see servicedesk_shared.overload) -> the web UI's files (`webui`) -> client
IP and token -> rate limit and deny-list (one Redis round trip) -> the gateway's own pages
or the route table -> forward. Every response, errors included, leaves with the security
headers, the request id and (for allowed origins) the CORS headers in `req.out`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import aiohttp
import orjson

from servicedesk_gateway import docs, metrics, ops, routes, upstreams, webui
from servicedesk_gateway.auth import TokenChecker
from servicedesk_gateway.clientip import ClientIpResolver, bucket_key
from servicedesk_gateway.config import UPSTREAM_NAMES, Settings, split_list
from servicedesk_gateway.cors import Cors
from servicedesk_gateway.errors import reads_only, send_error, send_json
from servicedesk_gateway.headers import API_CSP, DOCS_CSP, OWNED_REQUEST, forwardable
from servicedesk_gateway.headers import security_headers as make_security_headers
from servicedesk_gateway.openapi import OpenApiCache
from servicedesk_gateway.paths import normalise, upstream_path
from servicedesk_gateway.proxy import Outgoing, ResponseAborted, create_session, forward
from servicedesk_gateway.ratelimit import RateLimiter
from servicedesk_gateway.redisclient import PipelinedRedis
from servicedesk_gateway.request import Incoming, check_length
from servicedesk_shared import tokens
from servicedesk_shared.errors import (
    BadRequest,
    Forbidden,
    NotFound,
    Overloaded,
    ServiceError,
    Unauthorized,
)
from servicedesk_shared.headerguard import CODE as AMBIGUOUS
from servicedesk_shared.headerguard import ambiguity
from servicedesk_shared.logging import request_id_var, security_event
from servicedesk_shared.observability import run_checks
from servicedesk_shared.overload import IN_FLIGHT, SHED, Slots

log = logging.getLogger(__name__)
_MULTIPART_SLACK = 64 * 1024  # multipart boundaries and part headers around the file
_READS = frozenset({"GET", "HEAD"})


class Gateway:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        token_settings = tokens.TokenSettings(
            settings.keyring, settings.jwt_issuer, settings.jwt_audience
        )
        self.tokens = TokenChecker(token_settings)
        self.client_ip = ClientIpResolver(settings.trusted_proxies)
        self.cors = Cors(settings.cors_allowed_origins)
        self.pools = upstreams.pools(settings, UPSTREAM_NAMES)
        self.security = make_security_headers(tls=settings.behind_tls)
        self.security_tls = make_security_headers(tls=True)
        self.openapi = OpenApiCache(settings)
        self.web = webui.WebUI.load(Path(settings.web_dir)) if settings.web_dir else None
        self.session: aiohttp.ClientSession | None = None
        self.redis: PipelinedRedis | None = None
        self.limiter: RateLimiter | None = None
        self._metrics_server = None
        self.unlimited = {"/healthz": self._healthz, "/readyz": self._readyz}
        self.pages = {"/openapi.json": self._openapi, "/docs": self._docs}
        for path, (body, kind) in docs.assets().items():  # Swagger UI's files, init.js
            self.pages[path] = _static_page(body, kind)
        self.pages["/api/admin/ops"] = self._ops
        self.slots = Slots(settings.max_in_flight, settings.in_flight_wait)
        self._in_flight = IN_FLIGHT.labels("gateway")
        self._shed = SHED.labels("gateway", "in_flight")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        else:  # websockets are not part of the API
            await send({"type": "websocket.close", "code": 1008})

    async def _http(self, scope, receive, send) -> None:
        started = time.perf_counter()
        req = Incoming(scope)
        token = request_id_var.set(req.request_id)
        security = self.security_tls if scope["scheme"] == "https" else self.security
        req.out = [*security, (b"x-request-id", req.request_id.encode())]
        status = 500
        try:
            status = await self._dispatch(req, scope, receive, send)
        except ServiceError as exc:
            if exc.status_code in (400, 413):
                security_event("request_refused", code=exc.code, path=scope["path"][:200])
            status = await send_error(send, exc, req.out)
        except ResponseAborted:
            log.warning("upstream failed mid-response; connection dropped")
            raise
        except Exception:
            # A bug, not a client's fault: still one JSON shape and every security header.
            log.exception("unexpected error")
            status = await send_error(send, ServiceError(), req.out)
        finally:
            request_id_var.reset(token)
            metrics.observe(req.label, status, time.perf_counter() - started)

    async def _dispatch(self, req: Incoming, scope, receive, send) -> int:
        ambiguous = ambiguity(req.headers)
        if ambiguous is not None:  # one credential per request, decided before routing
            raise BadRequest(ambiguous, code=AMBIGUOUS)
        if req.preflight and req.origin:
            return await self._preflight(req, send)
        req.out += self.cors.headers(req.origin)
        path = normalise(scope["path"], scope.get("raw_path"))
        handler = self.unlimited.get(path.key)
        if handler is not None:
            req.label = path.key
            reads_only(req.method)
            return await handler(req, send)
        if not await self.slots.acquire():
            self._shed.inc()
            raise Overloaded()
        self._in_flight.inc()
        try:
            return await self._serve(req, scope, receive, send, path)
        finally:
            self._in_flight.dec()
            self.slots.release()

    async def _serve(self, req: Incoming, scope, receive, send, path) -> int:
        if self.web is not None and req.method in _READS:
            asset = self.web.find(path)
            if asset is not None:
                req.label = "webui"
                return await webui.send_asset(send, req.method, req.headers, req.out, asset)
        ip = self.client_ip.resolve(_peer(scope), req.forwarded_for)
        await self._limit(req, ip, path.key)
        page = self.pages.get(path.key)
        if page is not None:
            req.label = path.key
            reads_only(req.method)
            return await page(req, send)
        route = routes.match(path.key)
        if route is None:
            return await self._not_found(req, send, path)
        req.label = route.prefix
        return await self._forward(req, scope, receive, send, route, path, ip)

    async def _not_found(self, req: Incoming, send, path) -> int:
        """The app's own 404 page for a browser's mistyped address; JSON for everyone else."""
        page = self.web.not_found(path, req.headers) if self.web is not None else None
        if page is None or req.method not in _READS:
            raise NotFound()
        req.label = "webui"
        return await webui.send_asset(send, req.method, req.headers, req.out, page, status=404)

    async def _limit(self, req: Incoming, ip: str, key: str) -> None:
        """Count the request; raise the 429/503 it earned (headers already on `req.out`)."""
        assert self.limiter is not None
        identity = self.tokens.identify(req.authorization)
        extra = self.limiter.extra_bucket(req.method, key)
        verdict = await self.limiter.check(bucket_key(ip), identity, extra)
        req.out += verdict.headers
        req.identity = identity if verdict.authenticated else None
        # Logged out, or older than the user's token version (password change, sign out
        # everywhere): the services verify only signatures, so the gateway must refuse it.
        revoked = identity is not None and not verdict.authenticated
        if verdict.error is None and revoked and routes.refuses_revoked_tokens(key):
            verdict = verdict._replace(error=Unauthorized("Token revoked", code="token_revoked"))
        if verdict.error is not None:
            security_event(
                "request_refused",
                code=verdict.error.code,
                ip=ip,
                path=key,
                method=req.method,
                sub=identity.sub if identity else None,
            )
            raise verdict.error

    async def _forward(self, req, scope, receive, send, route, path, ip: str) -> int:
        check_length(req)
        query = scope.get("query_string") or b""
        target = upstream_path(path, route.prefix)
        if query:
            target += "?" + query.decode("latin-1")
        upload = routes.is_upload(path.key)
        limit = (
            self.settings.attachment_max_bytes + _MULTIPART_SLACK
            if upload
            else (self.settings.json_max_bytes)
        )
        out = Outgoing(
            route.upstream,
            req.method,
            target,
            self._upstream_headers(req, scope, ip),
            req.content_length if not req.chunked else None,
            req.has_body,
            limit,
        )
        assert self.session is not None
        return await forward(self.session, self.pools[route.upstream], out, receive, send, req.out)

    def _upstream_headers(self, req: Incoming, scope, ip: str) -> list[tuple[str, str]]:
        proto = "https" if self.settings.behind_tls or scope["scheme"] == "https" else "http"
        headers = [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, v in forwardable(req.headers, OWNED_REQUEST)
        ]
        headers += [
            ("X-Forwarded-For", ip),
            ("X-Forwarded-Proto", proto),
            ("X-Request-ID", req.request_id),
        ]
        if req.host:
            headers.append(("X-Forwarded-Host", req.host.decode("latin-1")))
        if req.content_length and not req.chunked:
            headers.append(("Content-Length", str(req.content_length)))
        return headers

    async def _preflight(self, req: Incoming, send) -> int:
        if not self.cors.allows(req.origin):
            security_event("cors_refused", origin=req.origin.decode("latin-1", "replace"))
            raise Forbidden("Origin not allowed", code="cors_forbidden")
        assert req.origin is not None
        headers = req.out + self.cors.preflight_headers(req.origin)
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return 204

    # -- the gateway's own routes -------------------------------------------------------

    async def _healthz(self, req: Incoming, send) -> int:
        return await send_json(send, 200, b'{"status":"ok"}', req.out)

    async def _readyz(self, req: Incoming, send) -> int:
        checks = {name: self._upstream_ready(name) for name in self.settings.required_upstreams}
        checks["redis"] = self._redis_ready
        ready, states = await run_checks(checks)
        body = {"status": "ready" if ready else "not_ready", "dependencies": states}
        return await send_json(send, 200 if ready else 503, orjson.dumps(body), req.out)

    def _upstream_ready(self, name: str):
        """Ready when any replica is: the others' requests go to it meanwhile."""

        async def check() -> None:
            bases = self.pools[name].bases
            if len(bases) == 1:
                return await self._replica_ready(bases[0])
            return await _first_success([self._replica_ready(base) for base in bases])

        return check

    async def _replica_ready(self, base: str) -> None:
        assert self.session is not None
        async with self.session.get(f"{base}/readyz") as resp:
            if resp.status != 200:
                raise RuntimeError(f"readyz answered {resp.status}")

    async def _redis_ready(self) -> None:
        assert self.redis is not None
        await self.redis.execute("PING")

    async def _openapi(self, req: Incoming, send) -> int:
        assert self.session is not None
        return await send_json(send, 200, await self.openapi.get(self.session), req.out)

    async def _docs(self, req: Incoming, send) -> int:
        headers = [(k, DOCS_CSP if v == API_CSP else v) for k, v in req.out]
        return await _send_static(send, docs.HTML, docs.HTML_TYPE, headers)

    async def _ops(self, req: Incoming, send) -> int:
        """`GET /api/admin/ops` for global admins (see `ops`)."""
        if req.identity is None:
            raise Unauthorized()
        if not req.identity.is_admin:
            raise Forbidden("Administrators only", code="admin_required")
        assert self.session is not None
        _, redis = await run_checks({"redis": self._redis_ready})
        body = await ops.collect(
            self.session,
            {name: self.pools[name].bases for name in self.settings.required_upstreams},
            amqp_url=self.settings.amqp_url,
            queues=split_list(self.settings.ops_queues),
            redis_state=redis["redis"],
        )
        return await send_json(send, 200, orjson.dumps(body), req.out)

    # -- lifespan -----------------------------------------------------------------------

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.startup()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def startup(self) -> None:
        """Open the pooled HTTP client, Redis, and the loopback metrics endpoint."""
        self.session = create_session(self.settings)
        self.redis = PipelinedRedis(self.settings.redis_url, timeout=self.settings.redis_timeout)
        self.limiter = RateLimiter(self.redis, self.settings)
        if self.settings.metrics_port:
            try:
                self._metrics_server = metrics.serve(
                    self.settings.metrics_port, self.settings.metrics_host
                )
            except OSError as exc:
                log.error("metrics endpoint not started", extra={"error": str(exc)})

    async def shutdown(self) -> None:
        if self._metrics_server is not None:
            await asyncio.to_thread(self._metrics_server.shutdown)
            self._metrics_server.server_close()
        if self.session is not None:
            await self.session.close()
        if self.redis is not None:
            await self.redis.close()


async def _send_static(send, body: bytes, content_type, headers) -> int:
    length = (b"content-length", str(len(body)).encode())
    start = {"type": "http.response.start", "status": 200}
    await send({**start, "headers": [content_type, length, *headers]})
    await send({"type": "http.response.body", "body": body})
    return 200


def _static_page(body: bytes, content_type):
    async def page(req: Incoming, send) -> int:
        return await _send_static(send, body, content_type, req.out)

    return page


async def _first_success(checks: list) -> None:
    """Return when one of `checks` succeeds (a hung replica does not hold up a ready one);
    raise the last failure when all fail."""
    tasks = [asyncio.ensure_future(check) for check in checks]
    error: BaseException | None = None
    try:
        for done in asyncio.as_completed(tasks):
            try:
                return await done
            except Exception as exc:
                error = exc
        assert error is not None
        raise error
    finally:
        for task in tasks:
            task.cancel()


def _peer(scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


def create_app(settings: Settings | None = None) -> Gateway:
    return Gateway(settings or Settings())
