"""Events from the bus become notifications: who is told of what, exactly once."""

from __future__ import annotations

import uuid
from collections import Counter

import aio_pika

from servicedesk_devtools.testing import acked, eventually

from .conftest import event, rows, scalar, ticket, user


async def inbox(client, token, user_id: str) -> list[dict]:
    return (await client.get("/api/notifications", headers=token(user_id))).json()["items"]


async def wait_until_handled(app, ev: dict) -> None:
    """The consumer has committed this event (its inbox row exists)."""

    async def handled() -> bool:
        query = "SELECT count(*) FROM inbox WHERE event_id = :e"
        return await scalar(app, query, e=uuid.UUID(ev["id"])) == 1

    await eventually(handled)


async def deliver_all(app, publish, *deliveries: dict) -> None:
    """Publish each delivery in order (an event given again is a redelivery), then wait
    until the consumer has acked every one of them, copies included: the first copy's
    inbox row alone would let a later copy's effect arrive after the test has looked."""
    name = app.state.runtime.consumer.name
    wanted = Counter(ev["type"] for ev in deliveries)
    before = {kind: acked(name, kind) for kind in wanted}
    for ev in deliveries:
        await publish(ev)
    await eventually(lambda: all(acked(name, k) >= before[k] + n for k, n in wanted.items()))
    for ev in deliveries:
        await wait_until_handled(app, ev)


async def notified(client, token, app, ev: dict, user_id: str) -> list[dict]:
    await wait_until_handled(app, ev)
    return [n for n in await inbox(client, token, user_id) if n["event_id"] == ev["id"]]


def status_changed(t: dict, by: str, to: str = "in_progress") -> dict:
    data = {"ticket": {**t, "status": to}, "from": "open", "to": to, "changed_by": by}
    return event("ticket.status_changed", data)


def comment(t: dict, author: str, *, internal: bool, body: str | None = "Any news?") -> dict:
    data = {
        "ticket": t,
        "comment_id": 7,
        "author_id": author,
        "internal": internal,
        "created_at": t["created_at"],
        "body": None if internal else body,
    }
    return event("comment.added", data)


def assigned(t: dict, *, to: str | None, by: str) -> dict:
    data = {"ticket": t, "previous_assignee_id": None, "assignee_id": to, "assigned_by": by}
    return event("ticket.assigned", data)


async def known(app, publish, user_id: str, display_name: str, **extra) -> None:
    """The directory has heard of this person (their registration was consumed)."""
    data = {
        "user_id": user_id,
        "username": display_name.split()[0].lower(),
        "email": f"{user_id}@example.com",
        "display_name": display_name,
        "version": 1,
        **extra,
    }
    ev = event("user.registered", data)
    await publish(ev)
    await wait_until_handled(app, ev)


async def test_a_status_change_notifies_the_requester(app, client, token, publish):
    requester, agent = user(), user()
    await known(app, publish, agent, "Ada Lovelace")
    t = ticket(requester)
    ev = status_changed(t, by=agent)
    await publish(ev)
    [note] = await notified(client, token, app, ev, requester)
    assert note["kind"] == "ticket.status_changed" and note["ticket_id"] == t["id"]
    assert note["title"] == f"Ada Lovelace moved #{t['id']} to In progress"
    assert note["body"] == "“Printer on fire” moved from Open to In progress."
    assert await inbox(client, token, agent) == []


async def test_the_requesters_own_status_change_notifies_nobody(app, client, token, publish):
    requester = user()
    ev = status_changed(ticket(requester), by=requester, to="closed")
    await publish(ev)
    assert await notified(client, token, app, ev, requester) == []


async def test_a_public_comment_notifies_requester_and_assignee_not_the_author(
    app, client, token, publish
):
    requester, assignee = user(), user()
    ev = comment(ticket(requester, assignee), author=assignee, internal=False, body="Rebooted")
    await publish(ev)
    [note] = await notified(client, token, app, ev, requester)
    assert note["body"] == "Rebooted" and note["kind"] == "comment.added"
    assert await notified(client, token, app, ev, assignee) == []
    by_requester = comment(ticket(requester, assignee), author=requester, internal=False)
    await publish(by_requester)
    assert len(await notified(client, token, app, by_requester, assignee)) == 1
    assert await notified(client, token, app, by_requester, requester) == []


async def test_an_internal_note_never_reaches_the_requester_but_the_assignee(
    app, client, token, publish
):
    requester, assignee, colleague = user(), user(), user()
    ev = comment(ticket(requester, assignee), author=colleague, internal=True)
    await publish(ev)
    assert await notified(client, token, app, ev, requester) == []
    [note] = await notified(client, token, app, ev, assignee)
    assert "internal note" in note["title"].lower()
    own = comment(ticket(requester, assignee), author=assignee, internal=True)
    await publish(own)
    assert await notified(client, token, app, own, assignee) == []
    unassigned = comment(ticket(requester), author=colleague, internal=True)
    await publish(unassigned)
    assert await notified(client, token, app, unassigned, requester) == []


async def test_an_assignment_notifies_the_new_assignee(app, client, token, publish):
    requester, manager, agent = user(), user(), user()
    t = ticket(requester, agent)
    ev = assigned(t, to=agent, by=manager)
    await publish(ev)
    [note] = await notified(client, token, app, ev, agent)
    assert note["title"] == f"Someone assigned #{t['id']} to you"  # not in the directory yet
    assert await notified(client, token, app, ev, requester) == []
    unassigned = assigned(ticket(requester), to=None, by=manager)
    await publish(unassigned)
    assert await notified(client, token, app, unassigned, agent) == []


async def test_a_ticket_created_assigned_notifies_the_assignee_only(app, client, token, publish):
    requester, agent = user(), user()
    assigned = event("ticket.created", {"ticket": ticket(requester, agent)})
    plain = event("ticket.created", {"ticket": ticket(requester)})
    await publish(assigned)
    await publish(plain)
    assert len(await notified(client, token, app, assigned, agent)) == 1
    assert await notified(client, token, app, assigned, requester) == []
    assert await notified(client, token, app, plain, requester) == []


async def test_events_nobody_is_notified_of_are_consumed_quietly(app, client, token, publish):
    requester = user()
    ev = event("ticket.updated", {"ticket": ticket(requester), "changes": {}})
    await publish(ev)
    assert await notified(client, token, app, ev, requester) == []


async def test_a_poison_message_is_dead_lettered_and_the_queue_keeps_flowing(
    app, amqp_url, client, token, publish
):
    breaking = event("ticket.status_changed", {"ticket": {"id": "not a ticket"}})
    await publish(b"\x00garbage{", key="ticket.status_changed")
    await publish(breaking)
    requester = user()
    after = status_changed(ticket(requester), by=user())
    await publish(after)
    assert len(await notified(client, token, app, after, requester)) == 1
    dead = await drain_dead_letters(amqp_url, wanted=2)
    assert b"\x00garbage{" in dead
    assert any(breaking["id"].encode() in body for body in dead)


async def drain_dead_letters(amqp_url: str, wanted: int) -> list[bytes]:
    connection = await aio_pika.connect_robust(amqp_url)
    dead: list[bytes] = []
    try:
        channel = await connection.channel()
        dlq = await channel.declare_queue("notifications.dlq", passive=True)

        async def enough() -> bool:
            while (message := await dlq.get(fail=False)) is not None:
                await message.ack()
                dead.append(message.body)
            return len(dead) >= wanted

        await eventually(enough, timeout=20)
    finally:
        await connection.close()
    return dead


async def test_redelivered_events_notify_once(app, client, token, publish):
    requester = user()
    ev = status_changed(ticket(requester), by=user())
    await deliver_all(app, publish, ev, ev, ev)
    assert len(await notified(client, token, app, ev, requester)) == 1


# -- the directory: names and roles, never overwritten by older news -----------------------


def profile(user_id: str, version: int, display_name: str, **extra) -> dict:
    data = {
        "user_id": user_id,
        "username": "grace",
        "email": "grace@example.com",
        "display_name": display_name,
        "is_active": True,
        "is_admin": False,
        "is_superuser": False,
        "version": version,
        **extra,
    }
    return event("user.updated", data)


def roles(user_id: str, version: int, systems: dict) -> dict:
    data = {
        "user_id": user_id,
        "actor_id": user(),
        "systems": systems,
        "previous": {},
        "version": version,
    }
    return event("user.roles_changed", data)


async def test_an_older_profile_or_roles_event_never_overwrites_a_newer_one(app, publish):
    person = user()
    events = [
        profile(person, 5, "Grace Hopper"),
        roles(person, 6, {"TTS": "manager"}),
        profile(person, 3, "G. Hopper (old)"),
        roles(person, 4, {"TTS": "agent"}),
        profile(person, 2, "Ancient"),
        profile(person, 7, "Rear Admiral Hopper"),
    ]
    for ev in events:
        await publish(ev)
        await wait_until_handled(app, ev)
    [(display, systems, active)] = await rows(
        app,
        "SELECT display_name, systems, is_active FROM user_directory WHERE user_id = :u",
        u=person,
    )
    assert (display, systems, active) == ("Rear Admiral Hopper", {"TTS": "manager"}, True)


async def test_roles_before_the_registration_keep_the_roles_and_learn_the_name(app, publish):
    person = user()
    for ev in (roles(person, 2, {"HDTS": "admin"}),):
        await publish(ev)
        await wait_until_handled(app, ev)
    await known(app, publish, person, "Katherine Johnson")
    [(display, systems)] = await rows(
        app, "SELECT display_name, systems FROM user_directory WHERE user_id = :u", u=person
    )
    assert (display, systems) == ("Katherine Johnson", {"HDTS": "admin"})


# -- SLA notices ----------------------------------------------------------------------------


def sla(kind: str, t: dict, target: str = "resolution") -> dict:
    data = {"ticket": t, "target": target, "due_at": t["created_at"], "elapsed_ratio": 1.0}
    return event(f"ticket.sla.{kind}", data)


async def test_an_sla_breach_tells_the_assignee(app, client, token, publish):
    requester, agent = user(), user()
    t = ticket(requester, agent, system="TTS")
    ev = sla("breached", t)
    await publish(ev)
    [note] = await notified(client, token, app, ev, agent)
    assert note["kind"] == "ticket.sla.breached"
    assert note["title"] == f"SLA breached: #{t['id']} missed its resolution target"
    assert note["summary"] is None  # an entry of its own, never gathering
    assert await notified(client, token, app, ev, requester) == []


async def test_an_sla_warning_on_an_unassigned_ticket_tells_the_systems_managers(
    app, client, token, publish
):
    system = f"S{uuid.uuid4().hex[:6].upper()}"
    manager, admin, agent, departed = user(), user(), user(), user()
    for person, role in (
        (manager, "manager"),
        (admin, "admin"),
        (agent, "agent"),
        (departed, "manager"),
    ):
        ev = roles(person, 1, {system: role, "TTS": "agent"})
        await publish(ev)
        await wait_until_handled(app, ev)
    gone = profile(departed, 2, "Gone", is_active=False)
    await publish(gone)
    await wait_until_handled(app, gone)
    t = ticket(user(), None, system=system)
    ev = sla("warning", t, target="first_response")
    await publish(ev)
    [note] = await notified(client, token, app, ev, manager)
    assert note["title"] == f"SLA at risk: #{t['id']} first response due soon"
    assert len(await notified(client, token, app, ev, admin)) == 1
    assert await notified(client, token, app, ev, agent) == []
    assert await notified(client, token, app, ev, departed) == []


async def test_sla_alerts_are_entries_of_their_own_never_folded_into_a_burst(
    app, client, token, publish
):
    requester, agent = user(), user()
    t = ticket(requester, agent, system="TTS")
    events = [
        comment(t, requester, internal=False),
        sla("warning", t),
        sla("breached", t),
        comment(t, requester, internal=False),
    ]
    for ev in events:
        await publish(ev)
        await wait_until_handled(app, ev)
    entries = [n for n in await inbox(client, token, agent) if n["ticket_id"] == t["id"]]
    kinds = sorted(n["kind"] for n in entries)
    assert kinds == ["comment.added", "ticket.sla.breached", "ticket.sla.warning"]
    [burst] = [n for n in entries if n["kind"] == "comment.added"]
    assert burst["count"] == 2  # both comments, the alerts apart
