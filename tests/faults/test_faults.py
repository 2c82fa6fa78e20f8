"""Faults under load, each checked with a ledger (tests/faults/ledger.py).

Two processes of every service run behind the gateway (conftest). In each scenario three
requesters file tickets while the admin comments on and moves each one, every write with
an `Idempotency-Key` and retried by the client until acknowledged (load.py); a fault is
injected and healed while that goes on; then the ledger is read from PostgreSQL and the
third party's queue and must show every acknowledged effect exactly once, nothing lost,
nothing doubled, nothing unexpected, and the audit chain intact. Each ledger is printed
(`pytest -s`) and appended to `.devstack/faults-ledger.md` (docs/reliability.md quotes it).
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from collections.abc import Awaitable, Callable

import httpx
import pytest

from servicedesk_devtools.testing import delete_redis_prefix, eventually
from servicedesk_shared import failpoints

from ..conftest import ROOT, Ollama, next_ip
from . import servers
from .conftest import Desk, People
from .ledger import Ledger, notification_changes, reckon, tickets_side
from .load import Load

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
LEDGER_FILE = ROOT / ".devstack" / "faults-ledger.md"
# uvicorn shuts down cleanly on SIGTERM, then re-raises the signal: exit status -15.
GRACEFUL = (0, -signal.SIGTERM)


async def read_ledger(desk: Desk, people: People, scenario: str, ops) -> tuple[Ledger, int]:
    found = await tickets_side(desk.database("tickets"), scenario)
    events = await desk.collect_events()
    users = [r["user_id"] for r in people.requesters]
    changes = await notification_changes(desk.database("notifications"), users)
    return reckon(scenario, ops, found, events, changes), found["unpublished"]


async def settle(desk: Desk, people: People, scenario: str, ops) -> Ledger:
    """Wait until every effect has arrived (or 120 s), then the ledger as it stands."""

    async def arrived() -> Ledger | None:
        ledger, unpublished = await read_ledger(desk, people, scenario, ops)
        nothing_lost = all(line.lost == 0 for line in ledger.lines.values())
        return ledger if nothing_lost and unpublished == 0 else None

    try:
        return await eventually(arrived, timeout=120, every=0.5)
    except TimeoutError:
        return (await read_ledger(desk, people, scenario, ops))[0]


async def verify_chain(desk: Desk, people: People) -> dict:
    async with httpx.AsyncClient(base_url=desk.gateway, timeout=60) as client:
        resp = await client.get(
            "/api/admin/audit/verify",
            headers={
                "Authorization": f"Bearer {people.admin['access']}",
                "X-Forwarded-For": next_ip(),
            },
        )
    assert resp.status_code == 200, resp.text
    return resp.json()


async def progress(load: Load, acknowledged: int, timeout: float = 90) -> None:
    """Until `acknowledged` more ops are acknowledged: the load really runs."""
    target = sum(op.acked for op in load.ops) + acknowledged
    await eventually(lambda: sum(op.acked for op in load.ops) >= target, timeout, every=0.1)


async def run_scenario(
    desk: Desk, people: People, scenario: str, fault: Callable[[Load], Awaitable[None]]
) -> Ledger:
    """Load, fault while it runs, heal, some more load, settle, ledger (asserted clean)."""
    scenario = f"{scenario}-{int(time.time())}"
    async with Load(desk.gateway, people.admin, people.requesters, scenario) as load:
        await progress(load, 15)
        try:
            await fault(load)
        finally:
            servers.ensure_up()
        await progress(load, 15)
        ops = await load.finish()
    ledger = await settle(desk, people, scenario, ops)
    chain = await verify_chain(desk, people)
    record(ledger, chain)
    print("\n" + ledger.table() + f"\n  audit chain: {chain}")
    assert ledger.clean, ledger.table()
    assert chain["valid"] is True and chain["first_broken"] is None, chain
    return ledger


def record(ledger: Ledger, chain: dict) -> None:
    LEDGER_FILE.parent.mkdir(exist_ok=True)
    with LEDGER_FILE.open("a") as out:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        out.write(f"\n{stamp}\n{ledger.table()}\n  audit chain valid: {chain['valid']}\n")


def server_errors(ledger: Ledger) -> dict[int, int]:
    return {s: n for s, n in ledger.statuses.items() if s >= 500 and s != 503}


async def test_rabbitmq_stopped_for_20_seconds(desk: Desk, people: People) -> None:
    async def fault(load: Load) -> None:
        await asyncio.to_thread(servers.rabbitmq_stop_app)
        await asyncio.sleep(20)  # the outage itself: writes go on, events wait in the outbox
        await asyncio.to_thread(servers.rabbitmq_start)

    ledger = await run_scenario(desk, people, "rabbitmq-stopped", fault)
    assert server_errors(ledger) == {}


async def test_rabbitmq_killed(desk: Desk, people: People) -> None:
    async def fault(load: Load) -> None:
        await asyncio.to_thread(servers.rabbitmq_kill)
        await progress(load, 10)  # tickets are filed while the broker is gone
        await asyncio.to_thread(servers.rabbitmq_start)

    await run_scenario(desk, people, "rabbitmq-killed", fault)


async def test_a_tickets_and_a_notifications_replica_killed_mid_batch(
    desk: Desk, people: People
) -> None:
    async def fault(load: Load) -> None:
        assert desk.kill("tickets-2", signal.SIGKILL) == -signal.SIGKILL
        assert desk.kill("notifications-2", signal.SIGKILL) == -signal.SIGKILL
        await progress(load, 10)  # the survivors carry the load and the queue
        await asyncio.to_thread(desk.restart, "tickets-2")
        await asyncio.to_thread(desk.restart, "notifications-2")

    await run_scenario(desk, people, "replicas-killed", fault)


async def test_a_relay_killed_between_publish_and_mark(desk: Desk, people: People) -> None:
    """The only tickets replica left publishes a batch and dies before marking it: the
    batch goes out again after the restart, and the consumers' inboxes absorb it."""
    seen_before = 0

    async def fault(load: Load) -> None:
        nonlocal seen_before
        assert await asyncio.to_thread(desk.kill, "tickets-2", signal.SIGTERM) in GRACEFUL
        assert await asyncio.to_thread(desk.kill, "tickets", signal.SIGTERM) in GRACEFUL
        seen_before = len(await desk.collect_events())
        await asyncio.to_thread(desk.restart, "tickets", DESK_FAILPOINTS="relay.after_publish")
        crashed = await asyncio.to_thread(desk.stack.procs["tickets"].wait, 90)
        assert crashed == failpoints.EXIT_STATUS
        await asyncio.to_thread(desk.restart, "tickets")
        await asyncio.to_thread(desk.restart, "tickets-2")

    await run_scenario(desk, people, "relay-killed", fault)
    # The crashed batch (whichever events it held) reached the third party twice.
    deliveries = Counter(str(e.id) for e in desk.events[seen_before:])
    assert max(deliveries.values()) >= 2, "the crashed relay's batch was never published again"


async def test_postgresql_restarted(desk: Desk, people: People) -> None:
    async def fault(load: Load) -> None:
        await asyncio.to_thread(servers.postgres_restart)

    ledger = await run_scenario(desk, people, "postgres-restarted", fault)
    assert server_errors(ledger) == {}, "a refusing database must be a 503, never a 500"


async def test_postgresql_down_is_503_with_retry_after(desk: Desk, people: People) -> None:
    """While the database is unreachable, the services say so: 503 + Retry-After."""
    headers = {"Authorization": f"Bearer {people.requesters[0]['access']}"}
    try:
        await asyncio.to_thread(servers.postgres_stop)
        async with httpx.AsyncClient(timeout=30) as client:
            for replica in desk.replica_names("tickets"):
                resp = await client.get(f"{desk.url(replica)}/api/tickets", headers=headers)
                assert resp.status_code == 503, resp.text
                assert resp.headers["Retry-After"] and resp.json()["code"]
            resp = await client.post(
                f"{desk.gateway}/api/tickets",
                headers={**headers, "X-Forwarded-For": next_ip()},
                json={"title": "written while the database is down", "description": "x"},
            )
            assert resp.status_code == 503 and resp.headers["Retry-After"], resp.text
    finally:
        await asyncio.to_thread(servers.postgres_start)


async def revoked_token(client: httpx.AsyncClient, people: People) -> str:
    """A requester's fresh access token, logged out."""
    from ..conftest import register_and_login

    _, _, tokens = await register_and_login(client, "revoked")
    resp = await client.post(
        "/api/auth/logout",
        json={"refresh": tokens["refresh"]},
        headers={"Authorization": f"Bearer {tokens['access']}"},
    )
    assert resp.status_code == 204, resp.text
    return tokens["access"]


async def refused_everywhere(desk: Desk, token: str) -> None:
    """The token is refused (401) at the gateway and on every replica's own port."""
    auth = {"Authorization": f"Bearer {token}"}
    targets = [f"{desk.gateway}/api/tickets"]
    targets += [f"{desk.url(r)}/api/tickets" for r in desk.replica_names("tickets")]
    targets += [f"{desk.url(r)}/api/users/me" for r in desk.replica_names("auth")]
    targets += [f"{desk.url(r)}/api/notifications" for r in desk.replica_names("notifications")]
    async with httpx.AsyncClient(timeout=15) as client:

        async def all_refused() -> bool:
            codes = []
            for url in targets:
                resp = await client.get(url, headers={**auth, "X-Forwarded-For": next_ip()})
                assert resp.status_code in (401, 503), (url, resp.status_code, resp.text)
                codes.append(resp.status_code)
            return set(codes) == {401}

        await eventually(all_refused, timeout=30, every=0.5)


async def test_redis_restarted(desk: Desk, people: People, gateway: httpx.AsyncClient) -> None:
    token = await revoked_token(gateway, people)
    user = {"Authorization": f"Bearer {people.requesters[0]['access']}"}

    async def fault(load: Load) -> None:
        await asyncio.to_thread(servers.redis_stop)
        # Down: the gateway refuses rather than letting requests through unlimited.
        resp = await gateway.get("/api/tickets", headers=user)
        assert resp.status_code == 503 and resp.headers["Retry-After"], resp.text
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        for replica in desk.replica_names("tickets"):
            resp = await gateway.get(f"{desk.url(replica)}/api/tickets", headers=user)
            assert resp.status_code == 503, resp.text
        ready = await gateway.get("/readyz")
        assert ready.status_code == 503 and ready.json()["dependencies"]["redis"] != "ok"
        await asyncio.to_thread(servers.redis_start)  # empty: it keeps nothing on disk

    await run_scenario(desk, people, "redis-restarted", fault)
    await refused_everywhere(desk, token)
    await login_limit_holds(gateway)


async def test_redis_flushed(desk: Desk, people: People, gateway: httpx.AsyncClient) -> None:
    token = await revoked_token(gateway, people)

    async def fault(load: Load) -> None:
        # Every key of this stack (the machine's Redis is shared with the suite's other
        # stack; a restart, above, loses everything of everyone).
        await delete_redis_prefix(desk.env["REDIS_KEY_PREFIX"])

    await run_scenario(desk, people, "redis-flushed", fault)
    await refused_everywhere(desk, token)
    await login_limit_holds(gateway)


async def login_limit_holds(gateway: httpx.AsyncClient) -> None:
    """Rate limits are back: the 6th login attempt a minute from one address is refused."""
    ip = next_ip()
    codes = []
    for _ in range(6):
        resp = await gateway.post(
            "/api/token",
            json={"username": f"nobody-{ip}", "password": "wrong password 1"},
            headers={"X-Forwarded-For": ip},
        )
        codes.append(resp.status_code)
    assert codes[:5] == [401] * 5 and codes[5] == 429, codes


async def test_ollama_hanging(desk: Desk, people: People, ollama: Ollama) -> None:
    calls: dict[str, int] = {}

    async def fault(load: Load) -> None:
        calls["before"] = await asyncio.to_thread(ollama.calls)
        created = sum(op.acked for op in load.ops if op.kind == "create")
        await asyncio.to_thread(ollama.mode, delay=3600)
        try:
            await progress(load, 90)
        finally:
            await asyncio.to_thread(ollama.mode)
        calls["during"] = await asyncio.to_thread(ollama.calls) - calls["before"]
        calls["creates"] = sum(op.acked for op in load.ops if op.kind == "create") - created

    ledger = await run_scenario(desk, people, "ollama-hanging", fault)
    print(f"  ollama calls while hanging: {calls}")
    # Triage backs off (breaker): far fewer model calls than tickets filed meanwhile.
    assert calls["during"] < calls["creates"], calls
    assert server_errors(ledger) == {}


async def test_sigterm_to_a_replica_under_load(desk: Desk, people: People) -> None:
    """In-flight requests finish, new ones go to the other replica: no 5xx at all."""

    async def fault(load: Load) -> None:
        assert await asyncio.to_thread(desk.kill, "tickets", signal.SIGTERM) in GRACEFUL
        await progress(load, 10)
        await asyncio.to_thread(desk.restart, "tickets")
        assert await asyncio.to_thread(desk.kill, "tickets-2", signal.SIGTERM) in GRACEFUL
        await progress(load, 10)
        await asyncio.to_thread(desk.restart, "tickets-2")

    ledger = await run_scenario(desk, people, "sigterm", fault)
    assert {s for s in ledger.statuses if s >= 500 or s == 0} == set(), ledger.table()
