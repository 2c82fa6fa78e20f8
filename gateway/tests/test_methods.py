"""The gateway's probes and own pages answer GET and HEAD only; every 405 says which
methods are allowed (contract §15). A service's 405 passes through with its `Allow`."""

from __future__ import annotations

import pytest

from .conftest import bearer


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/openapi.json", "/docs"])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
async def test_probes_and_pages_answer_get_and_head_only(gw, path, method):
    response = await gw.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_probes_answer_head(gw, path):
    assert (await gw.head(path)).status_code == 200


async def test_ops_names_get_and_head_too(gw):
    response = await gw.post("/api/admin/ops", headers=bearer(is_admin=True))
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_every_operation_documents_a_400(doc):
    for item in doc["paths"].values():
        for operation in item.values():
            assert "400" in operation["responses"], operation
    assert "not JSON" in doc["paths"]["/api/tickets"]["post"]["responses"]["400"]["description"]


@pytest.fixture(scope="module")
async def doc(gateway):
    async with gateway.client() as client:
        response = await client.get("/openapi.json")
    return response.json()
