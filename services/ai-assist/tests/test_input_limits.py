"""No input makes ai-assist answer 5xx (contract §15); probes answer GET and HEAD only."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "raw",
    [b'{"description": "a\\u0000b"}', b'{"description": "a\\ud800b"}', b'{"description": "  "}'],
)
async def test_nul_surrogates_and_blank_descriptions_are_422(client, auth, raw):
    resp = await client.post(
        "/api/ai/suggest", content=raw, headers=auth() | {"content-type": "application/json"}
    )
    assert resp.status_code == 422, resp.text
    assert resp.json()["code"] == "validation_error"


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_probes_answer_get_and_head_only(client, path):
    assert (await client.head(path)).status_code == 200
    resp = await client.put(path)
    assert resp.status_code == 405
    assert resp.headers["allow"] == "GET, HEAD"
