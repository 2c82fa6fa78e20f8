"""One inbox entry per ticket per burst: a ticket's changes for one recipient gather into
one unread entry while its last change is under the window old; reading it, or a quiet
spell longer than the window, starts a new one; never across tickets or recipients; a
redelivered event never counted twice; two consumers at once never open two entries."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from sqlalchemy import text

from servicedesk_devtools.testing import eventually
from servicedesk_notifications.inbox import grouping
from servicedesk_notifications.inbox import service as inbox
from servicedesk_notifications.inbox.grouping import Change
from servicedesk_notifications.inbox.service import Ticket
from servicedesk_notifications.texts import state_label

from .conftest import event, rows, scalar, ticket, user
from .test_consumer import comment, deliver_all, known, wait_until_handled
from .test_email import address, register

WINDOW = timedelta(minutes=10)


def moved(t: dict, by: str, before: str, after: str) -> dict:
    data = {"ticket": {**t, "status": after}, "from": before, "to": after, "changed_by": by}
    return event("ticket.status_changed", data)


async def handled(app, publish, *events: dict) -> None:
    """Publish each event and wait until it is consumed, in order."""
    for ev in events:
        await publish(ev)
        await wait_until_handled(app, ev)


async def entries(client, token, user_id: str, ticket_id: int | None = None) -> list[dict]:
    items = (await client.get("/api/notifications", headers=token(user_id))).json()["items"]
    return [n for n in items if ticket_id is None or n["ticket_id"] == ticket_id]


# -- words ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "label"),
    [
        ("in_progress", "In progress"),
        ("open", "Open"),
        ("on_hold_vendor", "On hold vendor"),
        ("waiting__for_parts", "Waiting for parts"),
        ("", ""),
    ],
)
def test_states_read_as_people_say_them(state, label):
    assert state_label(state) == label


def test_a_summary_lists_the_changes_in_a_fixed_order_with_labels():
    changes = [
        Change(
            "ticket.status_changed",
            "A moved #7 to In progress",
            facts={"status": ["open", "in_progress"]},
        ),
        Change("comment.added", "A commented on #7", "Rebooted\nthe router", {"comments": 1}),
        Change("ticket.assigned", "A assigned #7 to you", facts={"assigned_by": "Ana Lima"}),
        Change(
            "ticket.status_changed",
            "A moved #7 to On hold vendor",
            facts={"status": ["in_progress", "on_hold_vendor"]},
        ),
        Change("comment.added", "A commented on #7", "Any news?", {"comments": 1}),
    ]
    summary = grouping.start(changes[0], ticket_id=7, ticket_title="VPN drops")
    for change in changes[1:]:
        summary = grouping.merge(summary, change)
    title, body = grouping.render(summary)
    assert title == (
        "Ticket #7 “VPN drops”: status Open → In progress → On hold vendor;"
        " assigned to you by Ana Lima; 2 comments"
    )
    assert body.splitlines() == [
        "A moved #7 to In progress",
        "A commented on #7: Rebooted the router",
        "A assigned #7 to you",
        "A moved #7 to On hold vendor",
        "A commented on #7: Any news?",
    ]
    assert "_" not in title


def test_changes_consumed_out_of_order_are_listed_in_the_order_they_happened():
    """Two consumers may handle a ticket's events side by side: the later one first."""
    at = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    first = Change(
        "ticket.status_changed", "to In progress", facts={"status": ["open", "in_progress"]}, at=at
    )
    second = Change(
        "ticket.status_changed",
        "to Waiting",
        facts={"status": ["in_progress", "waiting"]},
        at=at + timedelta(seconds=1),
    )
    summary = grouping.merge(grouping.start(second, ticket_id=3, ticket_title="t"), first)
    title, body = grouping.render(summary)
    assert title == "Ticket #3 “t”: status Open → In progress → Waiting"
    assert body.splitlines() == ["to In progress", "to Waiting"]


def test_a_long_burst_keeps_its_title_short_and_its_body_bounded():
    change = Change("ticket.status_changed", "x", facts={"status": ["open", "waiting"]})
    summary = grouping.start(change, ticket_id=1, ticket_title="y" * 300)
    for _ in range(40):
        summary = grouping.merge(summary, change)
    title, body = grouping.render(summary)
    assert len(title) <= 200 and "…" in title
    assert len(body.splitlines()) == grouping.MAX_LINES + 1
    assert body.startswith("… 21 earlier changes")


# -- through the consumer -------------------------------------------------------------------


async def test_a_tickets_changes_within_the_window_are_one_entry(app, client, token, publish):
    requester, agent = user(), user()
    await known(app, publish, agent, "Ana Lima")
    t = ticket(requester, agent, title="VPN drops")
    await handled(
        app,
        publish,
        moved(t, agent, "open", "in_progress"),
        comment(t, agent, internal=False, body="Which client version?"),
        moved(t, agent, "in_progress", "waiting"),
        comment(t, agent, internal=False, body="Please try 5.2"),
        comment(t, agent, internal=True),  # never reaches the requester
    )
    [entry] = await entries(client, token, requester)
    assert entry["ticket_id"] == t["id"] and entry["count"] == 4 and entry["read_at"] is None
    assert entry["title"] == (
        f"Ticket #{t['id']} “VPN drops”: status Open → In progress → Waiting; 2 comments"
    )
    assert entry["body"].splitlines() == [
        f"Ana Lima moved #{t['id']} to In progress",
        f"Ana Lima commented on #{t['id']}: Which client version?",
        f"Ana Lima moved #{t['id']} to Waiting",
        f"Ana Lima commented on #{t['id']}: Please try 5.2",
    ]
    assert entry["updated_at"] > entry["created_at"] and entry["kind"] == "ticket.status_changed"
    summary = entry["summary"]
    assert [move[1:] for move in summary["moves"]] == [
        ["open", "in_progress"],
        ["in_progress", "waiting"],
    ]
    assert summary["ticket"] == {"id": t["id"], "title": "VPN drops"}
    assert (summary["comments"], summary["notes"], summary["created"]) == (2, 0, False)
    assert "lines" not in summary  # the body says those
    page = (await client.get("/api/notifications", headers=token(requester))).json()
    assert (page["total"], page["unread"]) == (1, 1)


async def test_a_single_change_keeps_its_own_words(app, client, token, publish):
    requester = user()
    t = ticket(requester)
    await handled(app, publish, moved(t, user(), "open", "in_progress"))
    [entry] = await entries(client, token, requester)
    assert entry["count"] == 1 and entry["title"] == f"Someone moved #{t['id']} to In progress"
    assert entry["body"] == "“Printer on fire” moved from Open to In progress."


async def test_reading_the_entry_marks_the_group_and_the_next_change_starts_anew(
    app, client, token, publish
):
    requester, agent = user(), user()
    t = ticket(requester, agent)
    await handled(
        app, publish, moved(t, agent, "open", "in_progress"), comment(t, agent, internal=False)
    )
    [first] = await entries(client, token, requester)
    read = await client.post(f"/api/notifications/{first['id']}/read", headers=token(requester))
    assert read.status_code == 200 and read.json()["count"] == 2 and read.json()["read_at"]
    await handled(app, publish, moved(t, agent, "in_progress", "resolved"))
    newest, older = await entries(client, token, requester)
    assert older == read.json()  # untouched by the later change
    assert newest["count"] == 1 and newest["read_at"] is None
    assert newest["title"].endswith(f"#{t['id']} to Resolved")
    unread = (await client.get("/api/notifications", headers=token(requester))).json()["unread"]
    assert unread == 1


async def test_read_all_also_ends_the_burst(app, client, token, publish):
    requester, agent = user(), user()
    t = ticket(requester, agent)
    await handled(app, publish, moved(t, agent, "open", "in_progress"))
    await client.post("/api/notifications/read-all", headers=token(requester))
    await handled(app, publish, moved(t, agent, "in_progress", "waiting"))
    assert [n["count"] for n in await entries(client, token, requester)] == [1, 1]


async def test_a_change_after_a_quiet_spell_longer_than_the_window_starts_anew(
    app, client, token, publish, settings
):
    requester, agent = user(), user()
    t = ticket(requester, agent)
    await handled(app, publish, moved(t, agent, "open", "in_progress"))
    quiet = settings.group_window_seconds + 1
    async with app.state.runtime.engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE notifications SET updated_at = updated_at - make_interval(secs => :q)"
                " WHERE user_id = :u"
            ),
            {"q": quiet, "u": requester},
        )
    await handled(app, publish, comment(t, agent, internal=False))
    newest, older = await entries(client, token, requester)
    assert (newest["kind"], newest["count"]) == ("comment.added", 1)
    assert (older["kind"], older["count"]) == ("ticket.status_changed", 1)
    assert older["read_at"] is None  # still unread, just no longer gathering
    query = "SELECT count(*) FROM notifications WHERE user_id = :u AND gathering"
    assert await scalar(app, query, u=requester) == 1


async def test_changes_never_gather_across_tickets_or_recipients(app, client, token, publish):
    requester, other_requester, agent = user(), user(), user()
    first, second = ticket(requester, agent), ticket(requester, agent)
    theirs = ticket(other_requester, agent)
    await handled(
        app,
        publish,
        moved(first, agent, "open", "in_progress"),
        moved(second, agent, "open", "in_progress"),
        moved(theirs, agent, "open", "in_progress"),
        comment(first, requester, internal=False),
        comment(first, agent, internal=False),
    )
    mine = await entries(client, token, requester)
    assert sorted((n["ticket_id"], n["count"]) for n in mine) == [
        (first["id"], 2),
        (second["id"], 1),
    ]
    [their_entry] = await entries(client, token, other_requester)
    assert (their_entry["ticket_id"], their_entry["count"]) == (theirs["id"], 1)
    # The assignee heard of the requester's comment only, in an entry of their own.
    [assignee_entry] = await entries(client, token, agent)
    assert assignee_entry["ticket_id"] == first["id"] and assignee_entry["count"] == 1


async def test_a_redelivered_event_is_not_counted_twice(app, client, token, publish):
    requester, agent = user(), user()
    t = ticket(requester, agent)
    first, second = moved(t, agent, "open", "in_progress"), comment(t, agent, internal=False)
    await deliver_all(app, publish, first, first, first, second, second)
    [entry] = await entries(client, token, requester)
    assert entry["count"] == 2 and len(entry["body"].splitlines()) == 2


async def test_each_change_is_mailed_on_its_own(app, client, token, publish, smtp):
    requester, agent, mail = user(), user(), address()
    await register(app, publish, requester, mail)
    t = ticket(requester, agent)
    await handled(
        app,
        publish,
        moved(t, agent, "open", "in_progress"),
        moved(t, agent, "in_progress", "waiting"),
    )
    received = await eventually(lambda: len(smtp.to(mail)) == 2 and smtp.to(mail))
    subjects = sorted(r.message["Subject"] for r in received)
    assert subjects == [
        f"[Service Desk] Someone moved #{t['id']} to {s}" for s in ("In progress", "Waiting")
    ]
    [entry] = await entries(client, token, requester)
    assert entry["count"] == 2


# -- the service itself: idempotent past the consumer's inbox, safe with two consumers ------


def change(n: int) -> Change:
    return Change("ticket.status_changed", f"change {n}", facts={"status": ["open", f"s{n}"]})


async def test_recording_the_same_event_twice_counts_it_once(app):
    """Past the consumer's inbox: the second recording is refused and its transaction,
    which had already counted the change into the entry, rolls back."""
    person, event_id, about = user(), uuid.uuid4(), Ticket(next_ticket(), "Same event")
    record = partial(
        inbox.record,
        user_id=person,
        change=change(1),
        ticket=about,
        event_id=event_id,
        window=WINDOW,
    )
    async with app.state.runtime.sessions() as session, session.begin():
        await record(session)
    with pytest.raises(inbox.AlreadyRecorded):
        async with app.state.runtime.sessions() as session, session.begin():
            await record(session)
    [(count, changes)] = await rows(
        app,
        "SELECT n.count, (SELECT count(*) FROM notification_changes c"
        " WHERE c.notification_id = n.id) FROM notifications n WHERE n.user_id = :u",
        u=person,
    )
    assert (count, changes) == (1, 1)


async def test_two_consumers_recording_at_once_open_one_entry(app):
    """The first transaction opens the entry and holds it uncommitted; the second one's
    insert waits on the unique index, finds it taken once the first commits, and merges."""
    person, about = user(), Ticket(next_ticket(), "Race")
    sessions = app.state.runtime.sessions
    async with sessions() as first, sessions() as second:
        async with first.begin():
            await inbox.record(
                first,
                user_id=person,
                change=change(1),
                ticket=about,
                event_id=uuid.uuid4(),
                window=WINDOW,
            )

            async def other() -> None:
                async with second.begin():
                    await inbox.record(
                        second,
                        user_id=person,
                        change=change(2),
                        ticket=about,
                        event_id=uuid.uuid4(),
                        window=WINDOW,
                    )

            racing = asyncio.create_task(other())
            await eventually(lambda: waiting_on_a_lock(app))
        await racing
    [(count, title)] = await rows(
        app, "SELECT count, title FROM notifications WHERE user_id = :u", u=person
    )
    assert count == 2 and title == f"Ticket #{about.id} “Race”: status Open → S1 → S2"


async def test_without_a_window_nothing_gathers(app):
    person, about = user(), Ticket(next_ticket(), "No grouping")
    for n in (1, 2):
        async with app.state.runtime.sessions() as session, session.begin():
            await inbox.record(
                session, user_id=person, change=change(n), ticket=about, event_id=uuid.uuid4()
            )
    query = "SELECT count(*) FROM notifications WHERE user_id = :u AND count = 1"
    assert await scalar(app, query, u=person) == 2


def next_ticket() -> int:
    return ticket(user())["id"]


async def waiting_on_a_lock(app) -> bool:
    query = (
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    return await scalar(app, query) >= 1
