"""The web UI at `/`: its files from memory with the app's CSP and caching, `index.html`
for client-side routes only, the API's 404s and CSP untouched, and no rate limit on it."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from servicedesk_gateway.headers import API_CSP
from servicedesk_gateway.webui import WEB_CSP

from .conftest import running, settings_for

INDEX = (
    b'<!doctype html><title>desk</title><script type="module" src="/assets/app-1a2b.js"></script>'
)
SCRIPT = b"console.log('the app');\n" * 200


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("dist")
    (root / "assets").mkdir()
    (root / "index.html").write_bytes(INDEX)
    (root / "assets" / "app-1a2b.js").write_bytes(SCRIPT)
    (root / "favicon.svg").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    # "api" and "assets" are refused even if a build lists them.
    (root / "app-routes.json").write_text(json.dumps(["tickets", "admin", "api", "assets"]))
    return root


@pytest.fixture(scope="module")
async def web(upstream, build):
    settings = settings_for(upstream.url, web_dir=str(build), rate_limit_anon="5/minute")
    async with running(settings) as harness:
        yield harness


@pytest.fixture
async def ui(web):
    async with web.client() as client:
        yield client


def assert_app_headers(resp) -> None:
    csp = resp.headers["content-security-policy"]
    assert csp == WEB_CSP.decode()
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["x-frame-options"] == "DENY"
    assert resp.headers["x-request-id"]
    assert "server" not in resp.headers


async def test_the_app_is_served_at_the_root_with_its_own_csp(ui):
    resp = await ui.get("/")
    assert resp.status_code == 200
    assert resp.content == INDEX
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    assert resp.headers["cache-control"] == "no-cache"
    assert resp.headers["etag"]
    assert_app_headers(resp)


@pytest.mark.parametrize("path", ["/tickets", "/tickets/42", "/TICKETS/7/", "/admin/audit"])
async def test_client_side_routes_get_the_index(ui, path):
    resp = await ui.get(path)
    assert resp.status_code == 200
    assert resp.content == INDEX
    assert_app_headers(resp)


async def test_hashed_assets_are_cached_for_a_year_and_gzipped_when_accepted(ui):
    resp = await ui.get("/assets/app-1a2b.js", headers={"Accept-Encoding": "gzip"})
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/javascript; charset=utf-8"
    assert resp.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert resp.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in resp.headers["vary"]
    assert resp.content == SCRIPT  # httpx decoded it
    assert int(resp.headers["content-length"]) == len(gzip.compress(SCRIPT, 9, mtime=0))
    plain = await ui.get("/assets/app-1a2b.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == SCRIPT


async def test_a_current_copy_is_answered_304(ui):
    etag = (await ui.get("/")).headers["etag"]
    resp = await ui.get("/", headers={"If-None-Match": etag})
    assert resp.status_code == 304
    assert resp.content == b""
    assert_app_headers(resp)


async def test_head_sends_headers_only(ui):
    resp = await ui.head("/tickets/3")
    assert resp.status_code == 200
    assert resp.content == b""
    assert int(resp.headers["content-length"]) == len(INDEX)


@pytest.mark.parametrize(
    "path",
    [
        "/api",
        "/api/unknown",
        "/apitoken",
        "/internal/x",
        "/metrics",
        "/assets/missing.js",
        "/nowhere",
        "/api/tickets/readyz",
    ],
)
async def test_unknown_api_and_private_paths_stay_json_404(ui, path):
    resp = await ui.get(path)
    assert resp.status_code == 404
    assert resp.json()["code"] == "not_found"
    assert resp.headers["content-security-policy"] == API_CSP.decode()


@pytest.mark.parametrize("path", ["/nowhere", "/tickets-old/3", "/Foo/bar"])
async def test_a_browser_navigating_to_an_unknown_path_gets_the_app_with_a_404(ui, path):
    resp = await ui.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert resp.status_code == 404
    assert resp.content == INDEX
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    assert_app_headers(resp)


@pytest.mark.parametrize("path", ["/api/nowhere", "/internal/x", "/metrics", "/assets/x.js"])
async def test_a_browser_still_gets_json_under_reserved_paths(ui, path):
    resp = await ui.get(path, headers={"Accept": "text/html"})
    assert resp.status_code == 404
    assert resp.json()["code"] == "not_found"
    assert resp.headers["content-security-policy"] == API_CSP.decode()


async def test_only_reads_get_the_app(ui):
    resp = await ui.post("/tickets", json={})
    assert resp.status_code == 404
    assert resp.headers["content-security-policy"] == API_CSP.decode()


async def test_api_responses_keep_the_api_csp(ui):
    resp = await ui.get("/api/tickets")
    assert resp.headers["content-security-policy"] == API_CSP.decode()
    assert resp.headers["cache-control"] == "no-store"


async def test_the_app_is_not_rate_limited_but_the_api_still_is(ui):
    for _ in range(12):  # the anonymous limit here is 5/minute
        assert (await ui.get("/tickets")).status_code == 200
    statuses = [(await ui.get("/api/nowhere")).status_code for _ in range(7)]
    assert statuses[:5] == [404] * 5 and statuses[-1] == 429


async def test_without_a_build_the_root_is_a_404(gw):
    resp = await gw.get("/")
    assert resp.status_code == 404
    assert resp.json()["code"] == "not_found"
