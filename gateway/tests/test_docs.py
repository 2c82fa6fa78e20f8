"""`/docs`: Swagger UI served by the gateway itself, same-origin only, under a strict CSP."""

from __future__ import annotations

import re

ASSET = re.compile(r'(?:src|href)="([^"]+)"')
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


async def test_the_docs_page_references_only_same_origin_assets_under_docs(gw):
    page = await gw.get("/docs")
    assert page.status_code == 200
    refs = ASSET.findall(page.text)
    assert {"/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/docs/init.js"} <= set(refs)
    assert all(ref.startswith("/docs/") for ref in refs), refs
    assert "//" not in "".join(refs)


async def test_every_asset_answers_200_with_its_content_type(gw):
    refs = ASSET.findall((await gw.get("/docs")).text)
    for ref in refs:
        response = await gw.get(ref)
        assert response.status_code == 200, ref
        assert response.headers["content-type"] == TYPES[ref[ref.rindex(".") :]], ref
        assert response.headers["x-content-type-options"] == "nosniff"
        assert len(response.content) == int(response.headers["content-length"]) > 0
    bundle = await gw.get("/docs/swagger-ui-bundle.js")
    assert b"SwaggerUIBundle" in bundle.content and len(bundle.content) > 500_000
    assert b".swagger-ui" in (await gw.get("/docs/swagger-ui.css")).content


async def test_the_docs_csp_allows_nothing_but_the_gateway_itself(gw):
    csp = (await gw.get("/docs")).headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert "http" not in csp and "unsafe" not in csp


async def test_swagger_ui_is_told_not_to_call_the_public_validator(gw):
    script = await gw.get("/docs/init.js")
    assert "validatorUrl: null" in script.text


async def test_unknown_files_under_docs_are_404(gw):
    assert (await gw.get("/docs/swagger-ui-standalone-preset.js")).status_code == 404
    assert (await gw.get("/docs/../pyproject.toml")).status_code in (400, 404)
