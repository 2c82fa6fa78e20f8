"""Events from the bus become notifications: who is told of what, exactly once."""

from __future__ import annotations

import asyncio
import uuid

import aio_pika

from servicedesk_shared.testing import eventually

from .conftest import event, scalar, ticket, user


async def inbox(client, token, user_id: str) -> list[dict]:
    return (await client.get("/api/notifications", headers=token(user_id))).json()["items"]


async def wait_until_handled(app, ev: dict) -> None:
    """The consumer has committed this event (its inbox row exists)."""

    async def handled() -> bool:
        query = "SELECT count(*) FROM inbox WHERE event_id = :e"
        return await scalar(app, query, e=uuid.UUID(ev["id"])) == 1

    await eventually(handled)


async def notified(client, token, app, ev: dict, user_id: str) -> list[dict]:
    await wait_until_handled(app, ev)
    return [n for n in await inbox(client, token, user_id) if n["event_id"] == ev["id"]]


def status_changed(t: dict, by: str, to: str = "in_progress") -> dict:
    data = {"ticket": {**t, "status": to}, "from": "open", "to": to, "changed_by": by}
    return event("ticket.status_changed", data)


def comment(t: dict, author: str, *, internal: bool, body: str | None = "Any news?") -> dict:
    data = {"ticket": t, "comment_id": 7, "author_id": author, "internal": internal,
            "created_at": t["created_at"], "body": None if internal else body}  # fmt: skip
    return event("comment.added", data)


def assigned(t: dict, *, to: str | None, by: str) -> dict:
    data = {"ticket": t, "previous_assignee_id": None, "assignee_id": to, "assigned_by": by}
    return event("ticket.assigned", data)


async def test_a_status_change_notifies_the_requester(app, client, token, publish):
    requester, agent = user(), user()
    t = ticket(requester)
    ev = status_changed(t, by=agent)
    await publish(ev)
    [note] = await notified(client, token, app, ev, requester)
    assert note["kind"] == "ticket.status_changed" and note["ticket_id"] == t["id"]
    assert note["title"] == f"Ticket #{t['id']} is now in_progress"
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
    assert note["title"] == f"Ticket #{t['id']} was assigned to you"
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
    await publish(ev, times=3)
    await wait_until_handled(app, ev)
    await asyncio.sleep(0.3)
    assert len(await notified(client, token, app, ev, requester)) == 1
