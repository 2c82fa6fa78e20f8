"""Tickets end to end: the real gateway, auth and tickets processes (contract §5).

Every persona gets its own client (its own IP as the gateway sees it), because register
and login are rate-limited per IP. Roles are set by the bootstrap superuser through auth
and arrive in the token after logging in again.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest

from .conftest import ADMIN, bearer, login, next_ip, register_and_login

pytestmark = pytest.mark.e2e
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)


@dataclass
class Person:
    client: httpx.AsyncClient
    ip: str
    user: dict
    headers: dict[str, str]


@asynccontextmanager
async def gateway_client(stack) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    ip = next_ip()
    async with httpx.AsyncClient(
        base_url=stack.gateway, headers={"X-Forwarded-For": ip}, timeout=20
    ) as client:
        yield client, ip


async def admin_headers(stack) -> dict[str, str]:
    async with gateway_client(stack) as (client, _):
        return bearer(await login(client, ADMIN["username"], ADMIN["password"]))


@asynccontextmanager
async def person(stack, systems: dict[str, str] | None = None) -> AsyncIterator[Person]:
    """A registered user with `systems` roles, signed in after the roles were set."""
    async with gateway_client(stack) as (client, ip):
        payload, user, tokens = await register_and_login(client, "tk")
        if systems:
            roles = [{"system": s, "role": r} for s, r in systems.items()]
            put = await client.put(
                f"/api/admin/users/{user['id']}/roles",
                headers=await admin_headers(stack),
                json=roles,
            )
            assert put.status_code == 200, put.text
            tokens = await login(client, payload["username"], payload["password"])
        yield Person(client, ip, user, bearer(tokens))


async def new_ticket(who: Person, title: str) -> dict:
    body = {"title": title, "description": "x"}
    response = await who.client.post("/api/tickets", headers=who.headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_ticket_lives_its_life_through_the_gateway(stack):
    async with (
        person(stack) as req,
        person(stack, {"TTS": "agent"}) as agent,
        person(stack) as other,
    ):
        created = await req.client.post(
            "/api/tickets",
            headers={**req.headers, "Idempotency-Key": str(uuid.uuid4())},
            json={"title": "E2E: mail is down", "description": "Since 9:00", "priority": "high"},
        )
        assert created.status_code == 201, created.text
        ticket = created.json()
        assert ticket["requester_id"] == str(req.user["id"]) and ticket["status"] == "open"
        url = f"/api/tickets/{ticket['id']}"
        assert (await other.client.get(url, headers=other.headers)).status_code == 404
        assert (await agent.client.get(url + "/", headers=agent.headers)).status_code == 200
        listing = await agent.client.get("/api/tickets?q=mail", headers=agent.headers)
        assert ticket["id"] in [t["id"] for t in listing.json()["items"]]

        move = await req.client.post(
            url + "/transitions", headers=req.headers, json={"to": "in_progress"}
        )
        assert move.status_code == 403
        move = await agent.client.post(
            url + "/transitions", headers=agent.headers, json={"to": "in_progress"}
        )
        assert move.status_code == 200 and move.json()["status"] == "in_progress"
        move = await agent.client.post(
            url + "/transitions", headers=agent.headers, json={"to": "open"}
        )
        assert move.status_code == 409

        note = {"body": "E2E internal only", "internal": True}
        assert (
            await agent.client.post(url + "/comments", headers=agent.headers, json=note)
        ).status_code == 201
        assert (
            await req.client.post(
                url + "/comments", headers=req.headers, json={"body": "any news?"}
            )
        ).status_code == 201
        seen = await req.client.get(url + "/comments", headers=req.headers)
        assert [c["body"] for c in seen.json()] == ["any news?"]
        history = await req.client.get(url + "/history", headers=req.headers)
        assert "E2E internal only" not in history.text
        assert [h["action"] for h in history.json()][:2] == [
            "ticket.created",
            "ticket.status_changed",
        ]


async def test_attachments_through_the_gateway(stack):
    async with person(stack) as req, person(stack) as other:
        ticket = await new_ticket(req, "E2E attach")
        url = f"/api/tickets/{ticket['id']}/attachments"
        files = {"file": ("screen shot.png", PNG, "image/png")}
        up = await req.client.post(url, headers=req.headers, files=files)
        assert up.status_code == 201, up.text
        assert up.json()["content_type"] == "image/png"
        php = {"file": ("avatar.png", b"<?php system($_GET['c']);", "image/png")}
        assert (await req.client.post(url, headers=req.headers, files=php)).status_code == 415
        down = await req.client.get(f"{url}/{up.json()['id']}", headers=req.headers)
        assert down.status_code == 200 and down.content == PNG
        assert down.headers["content-disposition"].startswith("attachment;")
        assert down.headers["x-content-type-options"] == "nosniff"
        # The service's sandbox survives the gateway, which adds its frame-ancestors.
        assert down.headers.get_list("content-security-policy") == [
            "default-src 'none'; sandbox; frame-ancestors 'none'"
        ]
        assert down.headers["cache-control"] == "private, no-store"
        assert (
            await other.client.get(f"{url}/{up.json()['id']}", headers=other.headers)
        ).status_code == 404


async def test_an_oversized_upload_is_413_through_the_gateway(stack):
    async with person(stack) as req:
        ticket = await new_ticket(req, "E2E too big")
        big = {"file": ("big.txt", b"a" * (10 * 1024 * 1024 + 1), "text/plain")}
        url = f"/api/tickets/{ticket['id']}/attachments"
        assert (await req.client.post(url, headers=req.headers, files=big)).status_code == 413


async def test_export_and_audit_through_the_gateway(stack):
    async with person(stack) as req:
        for title in ("E2E export one", "=cmd|' /C calc'!A0 export"):
            await new_ticket(req, title)
        export = await req.client.get("/api/export/tickets", headers=req.headers)
        assert export.status_code == 200
        assert export.headers["content-type"] == "text/csv; charset=utf-8"
        assert export.headers["content-disposition"].startswith('attachment; filename="tickets-')
        rows = list(csv.DictReader(io.StringIO(export.text)))
        assert sorted(r["title"] for r in rows) == ["'=cmd|' /C calc'!A0 export", "E2E export one"]
        assert (await req.client.get("/api/admin/audit", headers=req.headers)).status_code == 403

        admin = await admin_headers(stack)
        page = await req.client.get(f"/api/admin/audit?actor_id={req.user['id']}", headers=admin)
        assert page.status_code == 200
        actions = [e["action"] for e in page.json()["items"]]
        assert actions == ["export", "ticket.created", "ticket.created"]
        assert {e["ip"] for e in page.json()["items"]} == {req.ip}
        verify = await req.client.get("/api/admin/audit/verify", headers=admin)
        assert verify.json()["valid"] is True and verify.json()["entries"] >= 3


async def test_workflows_through_the_gateway(stack):
    async with person(stack) as user:
        listing = await user.client.get("/api/workflows", headers=user.headers)
        assert {w["system"] for w in listing.json()} >= {"TTS", "HDTS"}
        workflow = listing.json()[0]
        system = workflow.pop("system")
        put = await user.client.put(f"/api/workflows/{system}", headers=user.headers, json=workflow)
        assert put.status_code == 403
        put = await user.client.put(
            f"/api/workflows/{system}", headers=await admin_headers(stack), json=workflow
        )
        assert put.status_code == 200, put.text
        assert (await user.client.get("/api/tickets")).status_code == 401
