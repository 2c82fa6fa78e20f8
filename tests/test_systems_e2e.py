"""Systems end to end (contract §12): a superuser adds one in auth through the gateway,
gives someone a role in it at once, and auth's `system.created` reaches tickets through
real RabbitMQ, which gives the system its default workflow and SLA policy."""

from __future__ import annotations

import uuid

import pytest

from servicedesk_devtools.testing import eventually

from .conftest import ADMIN, bearer, login, register_and_login

pytestmark = pytest.mark.e2e


async def test_a_new_system_takes_staff_and_gets_its_workflow_and_sla_policy(client):
    admin = bearer(await login(client, ADMIN["username"], ADMIN["password"]))
    code = "E2E_" + uuid.uuid4().hex[:8].upper()
    created = await client.post(
        "/api/systems", headers=admin, json={"code": code, "name": "End to end"}
    )
    assert created.status_code == 201, created.text
    assert created.json() == {"code": code, "name": "End to end"}
    again = await client.post("/api/systems", headers=admin, json={"code": code, "name": "x"})
    assert again.status_code == 409 and again.json()["code"] == "system_exists"
    listed = (await client.get("/api/systems", headers=admin)).json()
    assert {"name": code, "description": "End to end"} in listed

    payload, user, _ = await register_and_login(client, "sys")
    roles = [{"system": code, "role": "agent"}]
    given = await client.put(f"/api/admin/users/{user['id']}/roles", headers=admin, json=roles)
    assert given.status_code == 200, given.text
    tokens = await login(client, payload["username"], payload["password"])
    me = (await client.get("/api/users/me", headers=bearer(tokens))).json()
    assert me["systems"] == {code: "agent"}

    async def policy() -> dict | None:
        response = await client.get(f"/api/sla/{code}", headers=bearer(tokens))
        return response.json() if response.status_code == 200 else None

    stored = await eventually(policy, timeout=5)
    assert stored["system"] == code and stored["updated_at"] is not None
    assert stored["targets"]["urgent"]["first_response_minutes"] == 30

    async def workflow() -> dict | None:
        listed = (await client.get("/api/workflows", headers=bearer(tokens))).json()
        return next((w for w in listed if w["system"] == code), None)

    found = await eventually(workflow, timeout=5)
    assert found["initial"] == "open" and len(found["transitions"]) == 7
