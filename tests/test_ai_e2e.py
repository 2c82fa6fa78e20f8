"""AI assist end to end (contract §8, §9): through the gateway, the real stack, the stand-in
Ollama in a process of its own, and `scripts/refresh.py` run as a program."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from servicedesk_devtools.testing import eventually

from .conftest import (
    ADMIN,
    AI_API_KEY,
    ROOT,
    Ollama,
    RunningStack,
    bearer,
    login,
    register_and_login,
)

REFRESH = ROOT / "scripts" / "refresh.py"


@pytest.fixture
async def user(client: httpx.AsyncClient) -> dict[str, str]:
    _, _, tokens = await register_and_login(client, "ai")
    return bearer(tokens)


async def new_ticket(client: httpx.AsyncClient, headers: dict[str, str], title: str, **extra):
    body = {"title": title, "description": f"{title}. Details follow.", **extra}
    resp = await client.post("/api/tickets", json=body, headers=headers)
    assert resp.status_code == 201, resp.text
    return resp.json()


async def triage_of(client, headers, ticket_id: int, want: str = "suggested") -> dict[str, Any]:
    async def arrived() -> dict[str, Any] | None:
        resp = await client.get(f"/api/tickets/{ticket_id}", headers=headers)
        triage = resp.json().get("ai_triage") or {}
        return triage if triage.get("status") == want else None

    return await eventually(arrived, timeout=20, every=0.1)


async def breaker_reset(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """Until ai-assist's breaker is no longer open (AI_ASSIST_BREAKER_RESET=1 in the e2e
    stack): the next call is the trial, or the breaker never opened."""

    async def not_open() -> bool:
        resp = await client.get("/api/ai/status", headers=headers)
        return resp.json()["breaker"] != "open"

    await eventually(not_open, timeout=10, every=0.1)


async def test_a_suggestion_for_an_urgent_outage_comes_back_urgent(client, user) -> None:
    body = {"description": "Production is down for everyone since 9:00, nobody can log in."}
    resp = await client.post("/api/ai/suggest", json=body, headers=user)
    assert resp.status_code == 200, resp.text
    suggestion = resp.json()
    assert suggestion["priority"] == "urgent"
    assert {"title", "category", "priority", "summary", "model"} <= set(suggestion)
    assert (await client.post("/api/ai/suggest", json=body)).status_code == 401


async def test_model_output_outside_the_schema_is_a_clean_error(client, user, ollama) -> None:
    ollama.mode(reply="schema", times=1)
    body = {"description": f"Printer on floor 3 is jammed ({time.time()})"}
    resp = await client.post("/api/ai/suggest", json=body, headers=user)
    assert resp.status_code == 502
    assert resp.json()["code"] == "model_output_invalid"
    assert "apocalyptic" not in resp.text


async def test_a_hung_model_is_503_then_fast_then_recovers_and_tickets_never_wait(
    client, user, ollama: Ollama
) -> None:
    ollama.mode(delay=60)
    try:
        timings = []
        for i in range(4):
            started = time.perf_counter()
            body = {"description": f"VPN is flaky, attempt {i} {time.time()}"}
            resp = await client.post("/api/ai/suggest", json=body, headers=user)
            timings.append(time.perf_counter() - started)
            assert resp.status_code == 503, resp.text
            assert resp.json()["code"] == "model_unavailable"
        assert timings[0] < 2 + 1.5  # AI_ASSIST_TIMEOUT=2 in the e2e stack
        assert timings[-1] < 0.5  # the breaker is open: no call, no wait
        ticket = await new_ticket(client, user, "Filed while the model hangs")
        assert ticket["status"] == "open"
    finally:
        ollama.mode()
    await breaker_reset(client, user)
    body = {"description": f"My laptop screen flickers {time.time()}"}
    resp = await client.post("/api/ai/suggest", json=body, headers=user)
    assert resp.status_code == 200, resp.text


async def test_triage_arrives_on_a_new_ticket(client, user) -> None:
    ticket = await new_ticket(client, user, "Outage: the mail server is down for everyone")
    assert ticket["ai_triage"]["status"] == "pending"
    triage = await triage_of(client, user, ticket["id"])
    assert triage["priority"] == "urgent" and triage["category"] == "outage"
    assert triage["model"] and 0 <= triage["confidence"] <= 1


async def test_auto_apply_is_an_admin_setting_through_the_gateway(client, user) -> None:
    admin = bearer(await login(client, ADMIN["username"], ADMIN["password"]))
    resp = await client.get("/api/admin/ai-settings", headers=admin)
    assert resp.status_code == 200
    assert resp.json()["auto_apply"] is False  # nothing is applied unless an admin says so
    assert (await client.get("/api/admin/ai-settings", headers=user)).status_code == 403
    resp = await client.put(
        "/api/admin/ai-settings", json={"auto_apply": False, "min_confidence": 2}, headers=admin
    )
    assert resp.status_code == 422


def run_refresh(stack: RunningStack, *args: str) -> tuple[int, str]:
    env = {
        **stack.env,
        "AI_ASSIST_URL": stack.service("ai-assist"),
        "AI_ASSIST_API_KEY": AI_API_KEY,
    }
    proc = subprocess.run(
        [sys.executable, str(REFRESH), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert not proc.stderr.strip() or proc.returncode == 2, proc.stderr
    return proc.returncode, proc.stdout


def summary(out: str) -> dict[str, int]:
    block = out.split("Summary:", 1)[1]
    return {k: int(v) for k, v in re.findall(r"^  ([A-Za-z ()]+): (\d+)$", block, re.M)}


async def test_refresh_processes_then_skips_then_reprocesses_an_edited_ticket(
    client, user, stack: RunningStack, ollama: Ollama
) -> None:
    since = datetime.now(UTC).isoformat()
    tickets = [await new_ticket(client, user, f"Refresh me number {i}") for i in range(3)]
    for ticket in tickets:
        await triage_of(client, user, ticket["id"])

    code, out = run_refresh(stack, "--since", since)
    assert code == 0, out
    assert out.startswith(
        "==================================================\nTicket Refresh Script\n"
        "Max Concurrency: 5\nMax Retries: 3\nDry Run: False\n"
        "==================================================\nConnected to Redis at redis://"
    )
    assert "Found 3 tickets to process" in out
    assert summary(out) == {"Total": 3, "Processed": 3, "Skipped (idempotent)": 0, "Errors": 0}
    assert out.rstrip().endswith("=" * 50)

    code, out = run_refresh(stack, "--since", since)
    assert code == 0
    assert summary(out) == {"Total": 3, "Processed": 0, "Skipped (idempotent)": 3, "Errors": 0}

    edited = tickets[0]["id"]
    resp = await client.patch(
        f"/api/tickets/{edited}", json={"title": "Refresh me, edited"}, headers=user
    )
    assert resp.status_code == 200
    calls = ollama.calls()
    code, out = run_refresh(stack, "--since", since, "--dry-run", "--max-concurrency", "2")
    assert code == 0 and "Dry Run: True" in out and "Max Concurrency: 2" in out
    assert summary(out) == {"Total": 3, "Processed": 1, "Skipped (idempotent)": 2, "Errors": 0}
    assert f"Ticket {edited}: would process" in out
    assert ollama.calls() == calls  # the dry run asked nothing

    code, out = run_refresh(stack, "--since", since)
    assert summary(out) == {"Total": 3, "Processed": 1, "Skipped (idempotent)": 2, "Errors": 0}
    assert f"Ticket {edited}: processed" in out


async def test_refresh_retries_a_failing_model_and_counts_what_still_fails(
    client, user, stack: RunningStack, ollama: Ollama
) -> None:
    since = datetime.now(UTC).isoformat()
    ollama.mode(status=500)  # the model is down when the ticket is filed, and stays down
    try:
        ticket = await new_ticket(client, user, "Refresh through a flaky model")
        failed = await triage_of(client, user, ticket["id"], want="failed")
        assert failed["error"]
        code, out = run_refresh(stack, "--since", since, "--max-retries", "1", "--backoff", "0.1")
    finally:
        ollama.mode()
    assert code == 1, out
    assert summary(out) == {"Total": 1, "Processed": 0, "Skipped (idempotent)": 0, "Errors": 1}
    assert f"Ticket {ticket['id']}: error: gave up after 2 attempts" in out

    await breaker_reset(client, user)
    ollama.mode(status=503, times=1)  # one failure, then the model answers
    code, out = run_refresh(stack, "--since", since, "--backoff", "0.6")
    assert code == 0, out  # the failed run gave its key back: processed now
    assert summary(out) == {"Total": 1, "Processed": 1, "Skipped (idempotent)": 0, "Errors": 0}
    assert (await triage_of(client, user, ticket["id"]))["status"] == "suggested"


def test_refresh_names_a_missing_dependency_in_one_line(stack: RunningStack) -> None:
    env = {**stack.env, "REDIS_URL": "redis://127.0.0.1:1/0", "AI_ASSIST_API_KEY": "k"}
    proc = subprocess.run(
        [sys.executable, str(REFRESH)], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "refresh: Redis is not reachable (ConnectionError); set REDIS_URL"
    ]
