"""Signed webhooks: admin registration, signature recipe, retries, the delivery log, and
the effect of one event delivered three times on every channel."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid

import pytest

from servicedesk_devtools.testing import eventually

from .conftest import HOOKS_HOST, rows, scalar, ticket, user
from .test_consumer import comment, deliver_all, notified, status_changed, wait_until_handled
from .test_email import address, register

BASE = "/api/notifications/webhooks"


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The receiver's side, exactly as docs/events.md tells third parties to do it."""
    signed = f"{headers['x-webhook-id']}.{headers['x-webhook-timestamp']}.".encode() + body
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["x-signature"])


@pytest.fixture
async def hook(client, admin, receiver):
    """`await hook(types)` registers a webhook on the receiver; deleted after the test."""
    made: list[str] = []

    async def register_hook(types: list[str], url: str | None = None) -> dict:
        url = url or f"http://{HOOKS_HOST}:{receiver.port}/hook/{uuid.uuid4().hex}"
        resp = await client.post(BASE, json={"url": url, "event_types": types}, headers=admin)
        assert resp.status_code == 201, resp.text
        made.append(resp.json()["id"])
        return resp.json()

    yield register_hook
    for webhook_id in made:
        await client.delete(f"{BASE}/{webhook_id}", headers=admin)


async def delivery(client, admin, webhook_id: str, event_id: str, status: str) -> dict | None:
    log = (await client.get(f"{BASE}/{webhook_id}/deliveries", headers=admin)).json()
    found = [d for d in log["items"] if d["event_id"] == event_id and d["status"] == status]
    return found[0] if found else None


async def test_admins_register_list_and_delete_webhooks(client, admin, token, hook):
    made = await hook(["ticket.status_changed", "comment.added"])
    assert made["secret"].startswith("whsec_") and len(made["secret"]) > 40
    listed = (await client.get(BASE, headers=admin)).json()["items"]
    mine = [w for w in listed if w["id"] == made["id"]]
    assert mine and "secret" not in mine[0]
    assert mine[0]["event_types"] == ["ticket.status_changed", "comment.added"]
    assert (await client.delete(f"{BASE}/{made['id']}", headers=admin)).status_code == 204
    assert (await client.get(f"{BASE}/{made['id']}/deliveries", headers=admin)).status_code == 404
    assert (await client.delete(f"{BASE}/{made['id']}", headers=admin)).status_code == 404
    listed = (await client.get(BASE, headers=admin)).json()["items"]
    assert made["id"] not in {w["id"] for w in listed}


async def test_only_global_admins_manage_webhooks(client, token, receiver):
    body = {"url": f"http://{HOOKS_HOST}:{receiver.port}/x", "event_types": ["ticket.created"]}
    plain, system_admin = token(user()), token(user(), systems={"TTS": "admin"})
    for headers in (plain, system_admin):
        assert (await client.post(BASE, json=body, headers=headers)).status_code == 403
        assert (await client.get(BASE, headers=headers)).status_code == 403
    assert (await client.get(BASE)).status_code == 401
    superuser = token(user(), roles=["user", "superuser"])
    assert (await client.get(BASE, headers=superuser)).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"url": f"http://{HOOKS_HOST}/x", "event_types": []},
        {"url": f"http://{HOOKS_HOST}/x", "event_types": ["ticket.exploded"]},
        {"url": f"http://{HOOKS_HOST}/x", "event_types": ["ticket.created"], "secret": "mine"},
        {"url": "ftp://files.example.com/x", "event_types": ["ticket.created"]},
        {"url": "not a url", "event_types": ["ticket.created"]},
    ],
    ids=["no-types", "unknown-type", "own-secret", "ftp", "garbage-url"],
)
async def test_invalid_registrations_are_422(client, admin, body):
    resp = await client.post(BASE, json=body, headers=admin)
    assert resp.status_code == 422, resp.text


async def test_deliveries_are_signed_with_the_documented_recipe(
    app, client, admin, hook, receiver, publish
):
    made = await hook(["ticket.status_changed"])
    ev = status_changed(ticket(user()), by=user())
    await publish(ev)
    [request] = await eventually(lambda: receiver.about(ev["id"]))
    assert request.method == "POST" and request.target.startswith("/hook/")
    assert verify(made["secret"], request.headers, request.body)
    assert not verify("whsec_wrong", request.headers, request.body)
    assert json.loads(request.body)["id"] == ev["id"]
    assert json.loads(request.body)["data"]["changed_by"] == ev["data"]["changed_by"]
    assert request.headers["host"] == f"{HOOKS_HOST}:{receiver.port}"  # pinned IP, same Host
    assert request.headers["x-webhook-event"] == "ticket.status_changed"
    assert request.headers["content-type"] == "application/json"
    assert await eventually(lambda: delivery(client, admin, made["id"], ev["id"], "delivered"))


async def test_a_failed_delivery_is_retried_and_the_log_shows_every_attempt(
    client, admin, hook, receiver, publish
):
    made = await hook(["ticket.status_changed"])
    ev = status_changed(ticket(user()), by=user())
    receiver.answer(ev["id"], 500)
    await publish(ev)
    done = await eventually(lambda: delivery(client, admin, made["id"], ev["id"], "delivered"))
    assert done["attempts"] == 2 and done["delivered_at"]
    first, second = done["log"]
    assert (first["attempt"], first["status_code"], first["error"]) == (1, 500, "HTTP 500")
    assert (second["attempt"], second["status_code"], second["error"]) == (2, 200, None)
    assert first["latency_ms"] >= 0 and second["at"] > first["at"]
    assert len(receiver.about(ev["id"])) == 2


async def test_a_redirect_is_never_followed(client, admin, hook, receiver, publish):
    made = await hook(["ticket.status_changed"])
    ev = status_changed(ticket(user()), by=user())
    steal = f"/steal/{uuid.uuid4().hex}"
    location = f"Location: http://127.0.0.1:{receiver.port}{steal}\r\n"
    receiver.answer(ev["id"], 302, location)
    await publish(ev)
    done = await eventually(lambda: delivery(client, admin, made["id"], ev["id"], "delivered"))
    first = done["log"][0]
    assert first["status_code"] == 302 and "not followed" in first["error"]
    assert not [r for r in receiver.requests if r.target == steal]


async def test_one_event_delivered_three_times_has_one_effect_on_every_channel(
    app, client, admin, token, hook, receiver, publish, smtp
):
    requester, mail = user(), address()
    await register(app, publish, requester, mail)
    made = await hook(["ticket.status_changed"])
    ev = status_changed(ticket(requester), by=user())
    await deliver_all(app, publish, ev, ev, ev)  # all three handled, not only the first
    await eventually(lambda: delivery(client, admin, made["id"], ev["id"], "delivered"))
    await eventually(lambda: smtp.to(mail))
    assert len(await notified(client, token, app, ev, requester)) == 1
    event_id = uuid.UUID(ev["id"])
    query = "SELECT count(*) FROM webhook_deliveries WHERE event_id = :e"
    assert await scalar(app, query, e=event_id) == 1
    query = "SELECT count(*) FROM notifications WHERE event_id = :e"
    assert await scalar(app, query, e=event_id) == 1
    assert len(smtp.to(mail)) == 1 and len(receiver.about(ev["id"])) == 1


async def test_events_of_types_nobody_subscribed_to_are_not_delivered(
    app, client, admin, hook, receiver, publish
):
    made = await hook(["comment.added"])
    ev = status_changed(ticket(user()), by=user())
    await publish(ev)
    await wait_until_handled(app, ev)
    log = (await client.get(f"{BASE}/{made['id']}/deliveries", headers=admin)).json()
    assert ev["id"] not in {d["event_id"] for d in log["items"]}


async def test_a_burst_queues_each_subscribed_event_once_and_no_other(
    app, client, admin, hook, publish
):
    """The consumer handles a burst in groups, reading once per group which types any
    webhook wants: each wanted event still gets its delivery, the others none."""
    made = await hook(["ticket.status_changed"])
    t = ticket(user())
    moves = [status_changed(t, by=user()) for _ in range(12)]
    notes = [comment(t, user(), internal=False) for _ in range(12)]
    for ev in [x for pair in zip(moves, notes, strict=True) for x in pair]:
        await publish(ev)
    for ev in [*moves, *notes]:
        await wait_until_handled(app, ev)
    query = "SELECT event_id FROM webhook_deliveries WHERE webhook_id = :w"
    queued = await rows(app, query, w=uuid.UUID(made["id"]))
    assert sorted(str(row.event_id) for row in queued) == sorted(ev["id"] for ev in moves)


async def test_a_receiver_that_keeps_failing_gets_bounded_attempts_then_failed(
    client, admin, hook, receiver, publish, settings
):
    made = await hook(["ticket.status_changed"])
    ev = status_changed(ticket(user()), by=user())
    for _ in range(settings.webhook_max_attempts + 2):
        receiver.answer(ev["id"], 503)
    await publish(ev)
    failed = await eventually(
        lambda: delivery(client, admin, made["id"], ev["id"], "failed"), timeout=15
    )
    assert failed["attempts"] == settings.webhook_max_attempts == len(failed["log"])
    assert failed["last_error"] == "HTTP 503" and failed["delivered_at"] is None
    gaps = [b["at"] > a["at"] for a, b in zip(failed["log"], failed["log"][1:], strict=False)]
    assert all(gaps)
    assert len(receiver.about(ev["id"])) == settings.webhook_max_attempts
