"""People by name end to end (contract §12): auth's events reach tickets' directory through
real RabbitMQ, and tickets shows names, not ids, through the gateway."""

from __future__ import annotations

import httpx
import pytest

from servicedesk_devtools.testing import eventually

from .conftest import bearer, next_ip, register_and_login

pytestmark = pytest.mark.e2e


async def test_a_new_user_shows_by_name_and_a_rename_shows_within_2_seconds(stack):
    headers = {"X-Forwarded-For": next_ip()}
    async with httpx.AsyncClient(base_url=stack.gateway, headers=headers, timeout=20) as client:
        payload, user, tokens = await register_and_login(client, "ppl")
        auth = bearer(tokens)
        body = {"title": "E2E: who am I?", "description": "Names, not ids"}
        created = await client.post("/api/tickets", headers=auth, json=body)
        assert created.status_code == 201, created.text
        url = f"/api/tickets/{created.json()['id']}"

        async def requester() -> dict | None:
            return (await client.get(url, headers=auth)).json()["requester"]

        shown = await eventually(lambda: _named(requester, payload["username"]), timeout=5)
        assert shown == {
            "id": str(user["id"]),
            "username": payload["username"],
            "display_name": payload["username"],
        }

        renamed = await client.patch(
            "/api/users/me", headers=auth, json={"display_name": "Ada Lovelace"}
        )
        assert renamed.status_code == 200, renamed.text
        shown = await eventually(
            lambda: _named(requester, "Ada Lovelace", "display_name"), timeout=2
        )
        assert shown["username"] == payload["username"]
        page = (await client.get("/api/tickets", headers=auth)).json()["items"]
        assert page[0]["requester"]["display_name"] == "Ada Lovelace"


async def _named(requester, expected: str, field: str = "username") -> dict | None:
    found = await requester()
    return found if found and found[field] == expected else None
