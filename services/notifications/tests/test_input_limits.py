"""No input makes notifications answer 5xx (contract §15): NUL characters and lone
surrogates on the internal API are 422s; probes answer GET and HEAD only."""

from __future__ import annotations

import pytest

from .conftest import API_KEYS, user

URL = "/internal/notifications"
KEY = {"X-API-Key": API_KEYS[0]}


@pytest.mark.parametrize("field", ["user_id", "title", "body", "kind"])
async def test_a_nul_in_any_field_of_the_internal_api_is_a_422(client, field):
    body = {"user_id": user(), "title": "Backup finished", "body": "ok", field: "a\x00b"}
    resp = await client.post(URL, json=body, headers=KEY)
    assert resp.status_code == 422, resp.text
    assert resp.json()["code"] == "validation_error"


async def test_a_lone_surrogate_on_the_internal_api_is_a_422(client):
    raw = b'{"user_id": "u1", "title": "Backup \\udc00 finished"}'
    resp = await client.post(URL, content=raw, headers={**KEY, "Content-Type": "application/json"})
    assert resp.status_code == 422, resp.text


async def test_a_huge_offset_is_a_422(client, token):
    resp = await client.get(
        "/api/notifications", params={"offset": "9" * 39}, headers=token(user())
    )
    assert resp.status_code == 422


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_probes_answer_get_and_head_only(client, path):
    assert (await client.head(path)).status_code == 200
    resp = await client.delete(path)
    assert resp.status_code == 405
    assert resp.headers["allow"] == "GET, HEAD"
