"""`GET /api/admin/ops`: global admins only (a revoked admin token is anonymous), and what
it reports: upstream readiness, queue depths from RabbitMQ, outbox lag and event counts
from the services' metrics, the gateway's own 429s."""

from __future__ import annotations

import aio_pika
import pytest

from servicedesk_devtools.testing import unique

from .conftest import running, settings_for, token

AMQP = "amqp://guest:guest@127.0.0.1:5672/"


@pytest.fixture(scope="module")
async def queue_name():
    """A real queue holding two messages (default vhost), deleted afterwards."""
    name = unique("gw_ops")
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(name, durable=False, auto_delete=False)
        for body in (b"one", b"two"):
            await channel.default_exchange.publish(aio_pika.Message(body), routing_key=name)
        yield name
        await queue.delete(if_unused=False, if_empty=False)


@pytest.fixture(scope="module")
async def ops_gateway(upstream, queue_name):
    queues = f"{queue_name},{unique('gw_ops_missing')}"
    settings = settings_for(upstream.url, ops_queues=queues, amqp_url=AMQP)
    async with running(settings) as harness:
        yield harness


@pytest.fixture
async def og(ops_gateway):
    async with ops_gateway.client() as client:
        yield client


def auth(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


async def test_anonymous_callers_are_refused_with_401(og):
    resp = await og.get("/api/admin/ops")
    assert resp.status_code == 401
    assert resp.json()["code"] == "not_authenticated"
    assert (await og.get("/api/admin/ops", headers=auth("not-a-token"))).status_code == 401


async def test_users_who_are_not_global_admins_get_403(og):
    resp = await og.get("/api/admin/ops", headers=auth(token("ops-user", systems={"TTS": "admin"})))
    assert resp.status_code == 403
    assert resp.json()["code"] == "admin_required"


async def test_a_revoked_admin_token_is_anonymous(ops_gateway, og):
    raw = token("ops-admin-revoked", is_admin=True, jti="ops-logged-out")
    await ops_gateway.redis.set(ops_gateway.keys.deny_jti("ops-logged-out"), "1", ex=60)
    assert (await og.get("/api/admin/ops", headers=auth(raw))).status_code == 401


async def test_only_get_and_head(og):
    resp = await og.post("/api/admin/ops", headers=auth(token("ops-admin", is_admin=True)))
    assert resp.status_code == 405
    assert resp.headers["allow"] == "GET, HEAD"


async def test_an_admin_sees_health_queues_outbox_events_and_rejections(og, queue_name):
    resp = await og.get("/api/admin/ops/", headers=auth(token("ops-admin", is_admin=True)))
    assert resp.status_code == 200
    assert resp.headers["cache-control"] == "no-store"
    assert resp.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    body = resp.json()
    services = {s["name"]: s for s in body["services"]}
    assert set(services) == {"gateway", "auth", "tickets", "notifications", "ai-assist"}
    assert services["gateway"]["status"] == "ok"
    assert services["tickets"] == {
        "name": "tickets",
        "status": "ok",
        "dependencies": {"database": "ok"},
    }
    ready, missing = body["queues"]
    assert ready == {"name": queue_name, "status": "ok", "messages": 2, "consumers": 0}
    assert missing["status"] == "missing" and missing["messages"] is None
    assert body["outbox"] == [{"service": "tickets", "pending": 3, "lag_seconds": 1.5}]
    events = {e["service"]: e for e in body["events"]}
    assert events["tickets"] == {
        "service": "tickets",
        "published": 7,
        "consumed": 4,
        "dead_lettered": 1,
    }
    assert body["login_failures"] == 6
    assert set(body["rate_limited"]) == {"login", "register", "anon", "user", "admin"}
    assert body["generated_at"]


async def test_an_unreachable_broker_and_service_are_reported_not_fatal(upstream):
    settings = settings_for(
        upstream.url,
        amqp_url="amqp://guest:guest@127.0.0.1:1/",
        tickets_url="http://127.0.0.1:1",
        ops_queues="notifications",
    )
    async with running(settings) as harness, harness.client() as client:
        resp = await client.get("/api/admin/ops", headers=auth(token("ops-a", is_admin=True)))
    assert resp.status_code == 200
    body = resp.json()
    tickets = next(s for s in body["services"] if s["name"] == "tickets")
    assert tickets["status"].startswith("down")
    assert body["queues"] == [
        {"name": "notifications", "status": "unavailable", "messages": None, "consumers": None}
    ]
