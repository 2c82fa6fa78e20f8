"""Contract §16 with two processes of every service (`DESK_REPLICAS=2`, conftest's `desk`):
what must hold unchanged when a request, a limit or a clock is handled by more than one
process. Each check talks to the replicas it is about directly (`desk.url("auth-2")`)
rather than trusting the gateway to spread requests over them.

- A refresh token is one-use across replicas: rotated on one auth replica and presented
  again on the other, it is refused and its whole family is revoked there and here (§4);
  presented on both at once, exactly one presentation wins and its successor is revoked.
- The login limit is one count for every gateway process: a second gateway started here,
  one client IP alternating between the two, and the attempt over the limit is refused
  with `429` + `Retry-After` whichever gateway gets it (§3).
- With both tickets replicas running the SLA scheduler, every warning and breach of every
  target is emitted once (one event id, one count in the replicas' counters together)
  and tells the system's manager once (§13).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import partial

import aio_pika
import asyncpg
import httpx
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from servicedesk_devtools import devstack, testing
from servicedesk_gateway.config import parse_rate
from servicedesk_shared.messaging.envelope import Envelope

from ..conftest import (
    LOG_DIR,
    bearer,
    free_port,
    new_user_payload,
    next_ip,
    register_and_login,
    wait_http,
)
from .conftest import Desk, People, bind_queue, drain_queue

pytestmark = pytest.mark.e2e


# --- a refresh token reused on the other auth replica -------------------------------------


async def sign_in(http: httpx.AsyncClient, base: str) -> dict:
    """A new user (registered and signed in at `base`): a fresh refresh-token family."""
    payload = new_user_payload("replica")
    resp = await http.post(f"{base}/api/auth/register", json=payload)
    assert resp.status_code == 201, resp.text
    resp = await http.post(
        f"{base}/api/token", json={"username": payload["username"], "password": payload["password"]}
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


async def refresh(http: httpx.AsyncClient, base: str, token: str) -> httpx.Response:
    return await http.post(f"{base}/api/token/refresh", json={"refresh": token})


@pytest.mark.parametrize(("rotated_on", "reused_on"), [("auth", "auth-2"), ("auth-2", "auth")])
async def test_a_refresh_token_reused_on_the_other_auth_replica_revokes_its_family(
    desk: Desk, gateway: httpx.AsyncClient, rotated_on: str, reused_on: str
):
    one, other = desk.url(rotated_on), desk.url(reused_on)
    async with httpx.AsyncClient(timeout=30) as http:
        # Control: a family rotated on one replica rotates on the other, so the refusals
        # below are the reuse detected, not replicas that cannot read each other's tokens.
        control = await sign_in(http, one)
        resp = await refresh(http, one, control["refresh"])
        assert resp.status_code == 200, resp.text
        resp = await refresh(http, other, resp.json()["refresh"])
        assert resp.status_code == 200, resp.text

        _, _, issued = await register_and_login(gateway, "reuse")
        resp = await refresh(http, one, issued["refresh"])
        assert resp.status_code == 200, resp.text
        rotated = resp.json()
        assert rotated["refresh"] != issued["refresh"]

        resp = await refresh(http, other, issued["refresh"])
        assert resp.status_code == 401, resp.text
        # The family is revoked: its live member is refused on both replicas (the first
        # presentation would have succeeded, and rotated it, had it not been).
        for base in (other, one):
            resp = await refresh(http, base, rotated["refresh"])
            assert resp.status_code == 401, f"{base}: {resp.status_code} {resp.text}"
    resp = await gateway.post("/api/token/refresh", json={"refresh": rotated["refresh"]})
    assert resp.status_code == 401, resp.text


async def test_one_refresh_token_presented_on_both_auth_replicas_at_once_rotates_once(desk: Desk):
    """The race: the same token at both replicas in the same instant. One presentation is
    the first use (`200`), the other a reuse (`401`), which revokes the family, including
    the token the winner just got."""
    replicas = desk.replica_names("auth")
    assert len(replicas) == 2
    async with httpx.AsyncClient(timeout=30) as http:
        for _ in range(5):
            issued = await sign_in(http, desk.url(replicas[0]))
            both = await asyncio.gather(
                *(refresh(http, desk.url(r), issued["refresh"]) for r in replicas)
            )
            statuses = sorted(r.status_code for r in both)
            assert statuses == [200, 401], [(r.status_code, r.text) for r in both]
            winner = next(r for r in both if r.status_code == 200).json()
            for replica in replicas:
                resp = await refresh(http, desk.url(replica), winner["refresh"])
                assert resp.status_code == 401, f"{replica}: {resp.status_code} {resp.text}"


# --- the login limit across two gateway processes -----------------------------------------


@contextmanager
def second_gateway(desk: Desk) -> Iterator[str]:
    """Another gateway process on the same Redis, upstreams and settings: its base URL."""
    env = devstack.replica_env(desk.stack.replicas["gateway"], desk.env)
    env.update(GATEWAY_PORT=str(free_port()), GATEWAY_METRICS_PORT=str(free_port()))
    log_dir = LOG_DIR / "faults"
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / "gateway-second.log", "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "servicedesk_gateway"], env=env, stdout=log, stderr=log
        )
        try:
            url = f"http://127.0.0.1:{env['GATEWAY_PORT']}"
            wait_http(f"{url}/healthz", timeout=60, proc=proc)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


async def wrong_login(http: httpx.AsyncClient, base: str, ip: str) -> httpx.Response:
    """A failed sign-in under a name no account has, a new one each time: the auth
    service's per-account slow-down never applies, only the gateway's per-IP limit."""
    return await http.post(
        f"{base}/api/token",
        json={"username": f"nobody-{uuid.uuid4().hex[:12]}", "password": "not the password"},
        headers={"X-Forwarded-For": ip},
    )


@pytest.mark.timeout(120)
async def test_the_login_limit_counts_across_gateway_processes(desk: Desk):
    rate = parse_rate(desk.env.get("RATE_LIMIT_LOGIN") or "5/minute")
    with second_gateway(desk) as other:
        gateways = [desk.gateway, other]
        async with httpx.AsyncClient(timeout=30) as http:
            # From each gateway in turn as the first: the attempt over the limit lands on
            # the second gateway once and on the first once.
            for start in (0, 1):
                ip = next_ip()
                for k in range(rate.limit):
                    base = gateways[(start + k) % 2]
                    resp = await wrong_login(http, base, ip)
                    assert resp.status_code == 401, f"{base} attempt {k + 1}: {resp.text}"
                    assert resp.headers["RateLimit-Limit"] == str(rate.limit)
                    # One count: each gateway sees the other's attempts.
                    assert resp.headers["RateLimit-Remaining"] == str(rate.limit - k - 1), (
                        f"{base} attempt {k + 1}: {dict(resp.headers)}"
                    )
                for k in range(rate.limit, rate.limit + 2):
                    base = gateways[(start + k) % 2]
                    resp = await wrong_login(http, base, ip)
                    assert resp.status_code == 429, f"{base} attempt {k + 1}: {resp.text}"
                    retry_after = int(resp.headers["Retry-After"])
                    assert 1 <= retry_after <= rate.window_s, resp.headers


# --- SLA events with two schedulers ---------------------------------------------------------

ALL_WEEK = {
    "timezone": "UTC",
    "working_days": [1, 2, 3, 4, 5, 6, 7],
    "start": "00:00",
    "end": "24:00",
    "holidays": [],
}
ONE_MINUTE = {"first_response_minutes": 1, "resolution_minutes": 1}
LONG = {"first_response_minutes": 1440, "resolution_minutes": 2400}
TICKETS = 5
TARGETS = ("first_response", "resolution")
KINDS = {"ticket.sla.warning": "warning", "ticket.sla.breached": "breach"}


class SlaWatch:
    """A third party's durable queue bound to `ticket.sla.*` in the desk's vhost, read
    over a fresh connection each time (a broker restart in between is harmless)."""

    def __init__(self, amqp_url: str) -> None:
        self.amqp_url = amqp_url
        self.queue = f"sla-watch-{uuid.uuid4().hex[:10]}"
        self.seen: list[Envelope] = []

    async def bind(self) -> None:
        await bind_queue(self.amqp_url, self.queue, routing_key="ticket.sla.*")

    async def drain(self) -> list[Envelope]:
        """Every delivery so far, duplicates kept (the same list again while the broker is
        unreachable: the fault suite beside this one restarts it now and then)."""
        with suppress(aio_pika.exceptions.AMQPConnectionError):
            self.seen += await drain_queue(self.amqp_url, self.queue)
        return self.seen

    async def delete(self) -> None:
        connection = await aio_pika.connect(self.amqp_url, timeout=10)
        try:
            channel = await connection.channel()
            await channel.queue_delete(self.queue)
        finally:
            await connection.close()


# PostgreSQL restarting (the fault suite beside this one does that now and then).
PG_DOWN = (
    OSError,
    asyncpg.OperatorInterventionError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
)


async def fetch_rows(dsn: str, query: str, *args) -> list[asyncpg.Record]:
    """The rows, or none while PostgreSQL is unreachable (the callers poll)."""
    try:
        conn = await asyncpg.connect(dsn, timeout=10)
        try:
            return await conn.fetch(query, *args)
        finally:
            await conn.close()
    except PG_DOWN:
        return []


async def sla_counters(desk: Desk, system: str) -> dict[str, Counter]:
    """Each tickets replica's `tickets_sla_{warnings,breaches}_total` for `system`, by
    kind (each process counts only what it emitted itself)."""
    names = {"tickets_sla_warnings_total": "warning", "tickets_sla_breaches_total": "breach"}
    counts: dict[str, Counter] = {}
    async with httpx.AsyncClient(timeout=10) as http:
        for replica in desk.replica_names("tickets"):
            resp = await http.get(f"{desk.url(replica)}/metrics")
            assert resp.status_code == 200, resp.text
            counts[replica] = Counter()
            for family in text_string_to_metric_families(resp.text):
                for sample in family.samples:
                    if sample.name in names and sample.labels.get("system") == system:
                        counts[replica][names[sample.name]] += int(sample.value)
    return counts


@pytest.mark.timeout(180)
async def test_every_sla_warning_and_breach_fires_once_with_two_schedulers(
    desk: Desk, people: People, gateway: httpx.AsyncClient
):
    assert len(desk.replica_names("tickets")) == 2  # both run the scheduler (main.lifespan)
    eventually = partial(testing.eventually, every=0.5)
    admin = bearer(people.admin)
    # A system of the test's own: its policy, tickets and managers are nobody else's.
    system = f"SLA{uuid.uuid4().hex[:8].upper()}"
    resp = await gateway.post(
        "/api/systems", headers=admin, json={"code": system, "name": "Replica SLA check"}
    )
    assert resp.status_code == 201, resp.text

    async def tickets_knows_it() -> bool:
        return (await gateway.get(f"/api/sla/{system}", headers=admin)).status_code == 200

    await eventually(tickets_knows_it, timeout=30)
    resp = await gateway.put(
        f"/api/sla/{system}",
        headers=admin,
        json={
            "calendar": ALL_WEEK,
            "targets": {"urgent": ONE_MINUTE, "high": LONG, "medium": LONG, "low": LONG},
        },
    )
    assert resp.status_code == 200, resp.text

    gateway.headers["X-Forwarded-For"] = next_ip()
    _, manager, _ = await register_and_login(gateway, "slamgr")
    resp = await gateway.put(
        f"/api/admin/users/{manager['id']}/roles",
        headers=admin,
        json=[{"system": system, "role": "manager"}],
    )
    assert resp.status_code == 200, resp.text
    notifications_db = desk.database("notifications")

    async def notifications_knows_the_manager() -> bool:
        rows = await fetch_rows(
            notifications_db, "SELECT systems FROM user_directory WHERE user_id = $1", manager["id"]
        )
        return bool(rows) and orjson.loads(rows[0]["systems"]).get(system) == "manager"

    await eventually(notifications_knows_the_manager, timeout=30)

    watch = SlaWatch(desk.env["AMQP_URL"])
    await watch.bind()
    try:
        gateway.headers["X-Forwarded-For"] = next_ip()
        _, _, requester = await register_and_login(gateway, "slareq")
        filed = await asyncio.gather(
            *(
                gateway.post(
                    "/api/tickets",
                    headers=bearer(requester),
                    json={
                        "title": f"Replica SLA {n}",
                        "description": "two schedulers",
                        "priority": "urgent",
                        "system": system,
                    },
                )
                for n in range(TICKETS)
            )
        )
        assert [r.status_code for r in filed] == [201] * TICKETS, [r.text for r in filed]
        ids = {r.json()["id"] for r in filed}
        expected = {(t, target, kind) for t in ids for target in TARGETS for kind in KINDS}

        def moments(events: list[Envelope]) -> dict[tuple, set[uuid.UUID]]:
            """(ticket, target, event type) -> the distinct event ids that announced it."""
            found: dict[tuple, set[uuid.UUID]] = {}
            for e in events:
                if e.data["ticket"]["id"] in ids:
                    key = (e.data["ticket"]["id"], e.data["target"], e.type)
                    found.setdefault(key, set()).add(e.id)
            return found

        async def all_emitted() -> dict[tuple, set[uuid.UUID]]:
            found = moments(await watch.drain())
            return found if set(found) >= expected else {}

        # 80 % of a minute, then the minute, each within the 30 s §13 allows.
        found = await eventually(all_emitted, timeout=120)
        assert set(found) == expected
        doubled = {key: sorted(map(str, v)) for key, v in found.items() if len(v) != 1}
        assert not doubled, f"emitted more than once (distinct event ids): {doubled}"
        event_ids = {next(iter(v)): key for key, v in found.items()}

        # At the source: the two replicas' counters add up to one emission per moment.
        per_kind = Counter(KINDS[kind] for _, _, kind in expected)

        async def counted() -> dict[str, Counter]:
            counts = await sla_counters(desk, system)
            total = sum(counts.values(), Counter())
            return counts if all(total[k] >= n for k, n in per_kind.items()) else {}

        counts = await eventually(counted, timeout=20)
        assert sum(counts.values(), Counter()) == per_kind, counts
        print(f"\nSLA events emitted per tickets replica: {dict(counts)}")

        # The manager (nobody is assigned) is told once per event: one inbox entry and
        # one change each, for exactly the events emitted.
        async def manager_told() -> list[asyncpg.Record]:
            rows = await fetch_rows(
                notifications_db,
                """
                SELECT n.user_id, n.kind, n.ticket_id, n.event_id,
                       (SELECT count(*) FROM notification_changes c
                         WHERE c.event_id = n.event_id AND c.user_id = n.user_id) AS changes
                  FROM notifications n
                 WHERE n.ticket_id = ANY($1::bigint[]) AND n.kind LIKE 'ticket.sla.%'""",
                sorted(ids),
            )
            mine = [r for r in rows if r["user_id"] == manager["id"]]
            return rows if len(mine) >= len(expected) else []

        rows = await eventually(manager_told, timeout=30)
        mine = [r for r in rows if r["user_id"] == manager["id"]]
        assert sorted(r["event_id"] for r in mine) == sorted(event_ids), mine
        assert all(r["changes"] == 1 for r in rows), rows
        for row in mine:
            ticket, _, kind = event_ids[row["event_id"]]
            assert (row["ticket_id"], row["kind"]) == (ticket, kind)
        # Anyone else told (the system's admins) is told once per event too.
        per_user = Counter((r["user_id"], r["event_id"]) for r in rows)
        assert max(per_user.values()) == 1, per_user
        assert {r["event_id"] for r in rows} <= set(event_ids)
    finally:
        await watch.delete()
