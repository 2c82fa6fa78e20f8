"""`GET /`: the web UI's built files (`frontend/dist`), served from memory.

The files are read once at start (the build is a few hundred KB), each with its type, a
strong ETag and, for text, a gzip copy, so a request costs a dict lookup and no disk I/O.
Vite names the assets under `/assets/` by content hash: they are cached for a year as
`immutable`; everything else (`index.html` above all) is `no-cache`, revalidated by ETag,
so a new build reaches browsers at the next navigation.

Client-side routes (`/tickets/42`, `/admin/audit`) get `index.html`, but only for the first
path segments the build lists in `app-routes.json` (generated from `frontend/src/routes.ts`):
`/api/*`, `/internal/*`, `/metrics` and any other unknown path keep their JSON 404 — except
for a browser's navigation (`Accept: text/html`) outside the reserved segments, which gets
`index.html` with status 404, so a mistyped address shows the app's own "Page not found"
rather than raw JSON (`WebUI.not_found`).

These responses carry `WEB_CSP` instead of the API's `default-src 'none'`: scripts, styles,
fetches and images from this origin only, no `'unsafe-inline'` anywhere, no framing
(https://cheatsheetseries.owasp.org/cheatsheets/Content_Security_Policy_Cheat_Sheet.html).
They are not rate-limited: a navigation carries no token, so counting the app's files would
spend a signed-in user's anonymous budget on page loads, and a file from memory costs less
than the Redis round trip that would count it.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import mimetypes
from pathlib import Path
from typing import NamedTuple

import orjson

from servicedesk_gateway.headers import Headers
from servicedesk_gateway.paths import Path as RequestPath

log = logging.getLogger(__name__)

WEB_CSP = (
    b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    b"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    b"form-action 'self'; frame-ancestors 'none'"
)
IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"
ROUTES_FILE = "app-routes.json"
# Never the app, whatever the build claims: these belong to the API and the operators.
RESERVED = frozenset({"", "api", "internal", "metrics", "healthz", "readyz", "docs", "assets"})
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".map": "application/json",
    ".woff2": "font/woff2",
}
_COMPRESSIBLE = (".js", ".css", ".html", ".json", ".svg", ".txt", ".map")
_OVERRIDDEN = frozenset({b"content-security-policy", b"cache-control", b"vary"})


class Asset(NamedTuple):
    body: bytes
    gzipped: bytes | None
    etag: bytes
    headers: Headers  # content-type, etag, cache-control


def _asset(path: Path, immutable: bool) -> Asset:
    body = path.read_bytes()
    kind = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
    etag = b'"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'
    gzipped = None
    if path.suffix in _COMPRESSIBLE and len(body) > 1024:
        gzipped = gzip.compress(body, compresslevel=9, mtime=0)
    headers = [
        (b"content-type", (kind or "application/octet-stream").encode()),
        (b"etag", etag),
        (b"cache-control", IMMUTABLE if immutable else REVALIDATE),
    ]
    return Asset(body, gzipped, etag, headers)


class WebUI:
    """The built app: every file by its URL path, and the client-side route segments."""

    def __init__(self, files: dict[str, Asset], segments: frozenset[str]) -> None:
        self.files = files
        self.index = files["/index.html"]
        self.segments = segments - RESERVED

    @classmethod
    def load(cls, root: Path) -> WebUI | None:
        """The build in `root`, or None (logged) when there is none."""
        if not (root / "index.html").is_file():
            log.warning("web UI not served: no build", extra={"dir": str(root)})
            return None
        files = {}
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            relative = path.relative_to(root).as_posix()
            files["/" + relative] = _asset(path, immutable=relative.startswith("assets/"))
        segments: list[str] = []
        if (root / ROUTES_FILE).is_file():
            segments = orjson.loads((root / ROUTES_FILE).read_bytes())
        log.info("web UI served", extra={"dir": str(root), "files": len(files)})
        return cls(files, frozenset(s.lower() for s in segments if isinstance(s, str)))

    def find(self, path: RequestPath) -> Asset | None:
        """The file at `path`, `index.html` for `/` and client-side routes, else None."""
        asset = self.files.get(path.canonical)
        if asset is not None:
            return asset
        first = path.key.split("/", 2)[1]
        if path.key == "/" or first in self.segments:
            return self.index
        return None

    def not_found(self, path: RequestPath, request_headers: Headers) -> Asset | None:
        """`index.html` for a browser navigating to an unknown non-reserved path, else None."""
        first = path.key.split("/", 2)[1]
        if first in RESERVED or b"text/html" not in _header(request_headers, b"accept"):
            return None
        return self.index


def response_headers(out: Headers, asset: Asset, gzipped: bool) -> Headers:
    """The request's security headers with the app's CSP and caching, plus the file's own."""
    headers = [(k, v) for k, v in out if k not in _OVERRIDDEN]
    headers += [(b"content-security-policy", WEB_CSP), *asset.headers]
    headers.append((b"vary", b"Origin, Accept-Encoding"))
    if gzipped:
        headers.append((b"content-encoding", b"gzip"))
    return headers


def _header(headers: Headers, name: bytes) -> bytes:
    return b",".join(v for k, v in headers if k == name)


async def send_asset(
    send, method: str, request_headers: Headers, out: Headers, asset, status: int = 200
) -> int:
    """Answer with `asset`: 304 when the browser's copy is current, gzip when accepted."""
    if status == 200 and asset.etag in _header(request_headers, b"if-none-match"):
        headers = response_headers(out, asset, gzipped=False)
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return 304
    use_gzip = asset.gzipped is not None and b"gzip" in _header(request_headers, b"accept-encoding")
    body = asset.gzipped if use_gzip else asset.body
    headers = response_headers(out, asset, gzipped=use_gzip)
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})
    return status
