"""`GET /openapi.json`: one OpenAPI 3.1 document for the API as the gateway exposes it.

Each required upstream's own `/openapi.json` is fetched (on the first request, then cached
for `GATEWAY_OPENAPI_TTL` seconds, or 5 seconds while any upstream was down) and merged:

- only paths the route table forwards to that upstream survive (no `/internal`, `/metrics`,
  `/healthz`, `/readyz`), written without a trailing slash, as the gateway serves them;
- every operation documents what the gateway itself may answer — 400 (a malformed path,
  two credentials, a body that is not JSON), 429 and 503 always, 413 when it takes a
  body — and every error status is `{"detail", "code"}` (FastAPI's default
  422 schema is replaced: our services answer `{"detail", "code", "errors"}`);
- a schema name two services define differently is prefixed with the service's name;
- the `HTTPBearer` security scheme is declared; operations that declare none of their own
  accept it optionally (`security: [{}, {"HTTPBearer": []}]`);
- the gateway's own `GET /api/admin/ops` is added (see `ops`).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

import aiohttp
import orjson

from servicedesk_gateway import ops as gateway_ops
from servicedesk_gateway import routes
from servicedesk_gateway.config import Settings
from servicedesk_shared.openapi import DESCRIPTIONS, ErrorBody

log = logging.getLogger(__name__)
Doc = dict[str, Any]
_REF = "#/components/schemas/"
_METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}
RETRY_SOON_S = 5.0

ERROR_SCHEMA = ErrorBody.model_json_schema()
VALIDATION_SCHEMA = {
    "title": "ValidationErrorBody",
    "type": "object",
    "required": ["detail", "code"],
    "properties": {
        "detail": {"type": "string", "title": "Detail"},
        "code": {"type": "string", "title": "Code"},
        "errors": {
            "type": "array",
            # A field's problem (`loc`, `msg`, `type`), or a rule the whole body broke, in
            # words (a weak password's rules, a workflow's unreachable state, an SLA
            # policy's problems): both kinds occur, so both are documented.
            "items": {
                "anyOf": [
                    {
                        "type": "object",
                        "properties": {
                            "loc": {"type": "array", "items": {}},
                            "msg": {"type": "string"},
                            "type": {"type": "string"},
                        },
                    },
                    {"type": "string"},
                ]
            },
        },
    },
}
BEARER = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


def _error_response(status: int, schema: str = "ErrorBody") -> Doc:
    content = {"application/json": {"schema": {"$ref": _REF + schema}}}
    return {"description": DESCRIPTIONS.get(status, "Error"), "content": content}


def _rename_conflicts(name: str, doc: Doc, schemas: Doc) -> Doc:
    """`doc` with each schema that clashes with one already in `schemas` renamed."""
    own = doc.get("components", {}).get("schemas", {})
    clashes = [s for s in own if s in schemas and schemas[s] != own[s]]
    if not clashes:
        return doc
    text = orjson.dumps(doc).decode()
    prefix = re.sub(r"\W", "_", name) + "_"
    for schema in clashes:
        text = text.replace(f'"{_REF}{schema}"', f'"{_REF}{prefix}{schema}"')
    renamed = orjson.loads(text)
    theirs = renamed["components"]["schemas"]
    for schema in clashes:
        theirs[prefix + schema] = theirs.pop(schema)
    return renamed


def _public_paths(name: str, paths: Doc) -> Doc:
    kept = {}
    for path, item in paths.items():
        public = path.rstrip("/") or "/"
        route = routes.match(public.lower())
        if route is not None and route.upstream == name:
            kept[public] = {m: _operation(op) if m in _METHODS else op for m, op in item.items()}
    return kept


def _operation(op: Doc, own: tuple[int, ...] = ()) -> Doc:
    responses = dict(op.get("responses", {}))
    for status in own:
        responses[str(status)] = _error_response(status)
    for status, response in list(responses.items()):
        if status.startswith(("4", "5")):
            schema = "ValidationErrorBody" if status == "422" else "ErrorBody"
            responses[status] = {**_error_response(int(status), schema), **_described(response)}
    extra = [400, 429, 503] + ([413] if "requestBody" in op else [])
    for status in extra:
        responses.setdefault(str(status), _error_response(status))
    op = {**op, "responses": responses}
    op.setdefault("security", [{}, {"HTTPBearer": []}])
    return op


def _described(response: Doc) -> Doc:
    return {"description": response["description"]} if response.get("description") else {}


def merge(docs: dict[str, Doc]) -> Doc:
    """One document from each upstream's (already fetched) document."""
    paths: Doc = {}
    schemas: Doc = {"ErrorBody": ERROR_SCHEMA, "ValidationErrorBody": VALIDATION_SCHEMA}
    schemes: Doc = {"HTTPBearer": BEARER}
    for name, doc in docs.items():
        doc = _rename_conflicts(name, doc, schemas)
        components = doc.get("components", {})
        schemas.update((k, v) for k, v in components.get("schemas", {}).items() if k not in schemas)
        schemes.update(components.get("securitySchemes", {}))
        paths.update(_public_paths(name, doc.get("paths", {})))
    paths["/api/admin/ops"] = {"get": _operation(gateway_ops.PATH["get"], (401, 403))}
    schemas["OpsReport"] = gateway_ops.SCHEMA
    return {
        "openapi": "3.1.0",
        "info": {"title": "Service Desk API", "version": "1.0.0"},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": schemas, "securitySchemes": schemes},
    }


class OpenApiCache:
    """The merged document, re-fetched when stale."""

    def __init__(self, settings: Settings) -> None:
        self.upstreams = {n: settings.upstream_urls(n) for n in settings.required_upstreams}
        self.ttl = settings.openapi_ttl
        self._body = b""
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def get(self, session: aiohttp.ClientSession) -> bytes:
        if time.monotonic() < self._expires:
            return self._body
        async with self._lock:
            if time.monotonic() >= self._expires:
                await self._refresh(session)
        return self._body

    async def _refresh(self, session: aiohttp.ClientSession) -> None:
        names = list(self.upstreams)
        fetched = await asyncio.gather(*(self._fetch(session, n) for n in names))
        docs = {n: d for n, d in zip(names, fetched, strict=True) if d is not None}
        self._body = orjson.dumps(merge(docs))
        complete = len(docs) == len(names)
        self._expires = time.monotonic() + (self.ttl if complete else RETRY_SOON_S)

    async def _fetch(self, session: aiohttp.ClientSession, name: str) -> Doc | None:
        """The document of the first replica that gives one (they all serve the same)."""
        for base in self.upstreams[name]:
            url = f"{base}/openapi.json"
            try:
                async with session.get(url, timeout=aiohttp.ClientTimeout(total=3)) as resp:
                    resp.raise_for_status()
                    return orjson.loads(await resp.read())
            except (TimeoutError, aiohttp.ClientError, orjson.JSONDecodeError) as exc:
                log.warning("openapi fetch failed", extra={"url": base, "error": repr(exc)})
        return None
