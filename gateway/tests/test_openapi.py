"""`/openapi.json` merges the upstreams' documents; `/docs` serves Swagger UI under a CSP."""

from __future__ import annotations

import pytest

from .conftest import running, settings_for
from .upstream import free_port


@pytest.fixture(scope="module")
async def doc(gateway):
    async with gateway.client() as client:
        response = await client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_it_is_openapi_3_1_with_a_bearer_scheme(doc):
    assert doc["openapi"] == "3.1.0"
    assert doc["components"]["securitySchemes"]["HTTPBearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }


def test_only_public_routes_remain_without_trailing_slashes(doc):
    assert set(doc["paths"]) == {"/api/tickets", "/api/tickets/{ticket_id}", "/api/admin/ops"}


def test_every_operation_documents_the_gateways_own_errors(doc):
    post = doc["paths"]["/api/tickets"]["post"]
    get = doc["paths"]["/api/tickets/{ticket_id}"]["get"]
    assert {"413", "429", "503"} <= set(post["responses"])
    assert {"429", "503"} <= set(get["responses"])
    assert "413" not in get["responses"]
    assert get["security"] == [{}, {"HTTPBearer": []}]


def test_every_error_is_detail_and_code(doc):
    schemas = doc["components"]["schemas"]
    for item in doc["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if status[0] in "45":
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    schema = schemas[ref.rsplit("/", 1)[1]]
                    assert {"detail", "code"} <= set(schema["required"]), status


async def test_a_down_upstream_is_left_out_and_retried(upstream):
    dead = f"http://127.0.0.1:{free_port()}"
    settings = settings_for(upstream.url, upstreams="auth,tickets", auth_url=dead)
    async with running(settings) as gw, gw.client() as client:
        response = await client.get("/openapi.json")
    assert set(response.json()["paths"]) == {
        "/api/tickets",
        "/api/tickets/{ticket_id}",
        "/api/admin/ops",
    }


async def test_docs_page_loads_no_inline_script(gw):
    page = await gw.get("/docs")
    script = await gw.get("/docs/init.js")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert '<script src="/docs/init.js">' in page.text
    assert "<script>" not in page.text
    assert "SwaggerUIBundle" in script.text
    assert page.headers["x-frame-options"] == "DENY"
