"""E-mail over SMTP into a real sink: addressed from the user directory, retried on a
temporary failure, skipped (and logged) when the address is unknown."""

from __future__ import annotations

import uuid

from servicedesk_devtools.testing import eventually
from servicedesk_notifications.delivery import Channels, notify

from .conftest import event, rows, scalar, ticket, user
from .test_consumer import status_changed, wait_until_handled


async def register(app, publish, user_id: str, email: str) -> None:
    ev = event("user.registered", {"user_id": user_id, "username": "u", "email": email})
    ev["producer"] = "auth"
    await publish(ev)
    await wait_until_handled(app, ev)


def address() -> str:
    return f"{uuid.uuid4().hex[:12]}@example.com"


async def deliveries_for(app, user_id: str) -> list:
    return await rows(
        app,
        "SELECT e.recipient, e.status, e.attempts, e.sent_at, e.last_error, e.subject"
        " FROM email_deliveries e JOIN notifications n ON n.id = e.notification_id"
        " WHERE n.user_id = :u",
        u=user_id,
    )


async def test_a_status_change_is_mailed_to_the_requester(app, publish, smtp):
    requester, mail = user(), address()
    await register(app, publish, requester, mail)
    t = ticket(requester)
    await publish(status_changed(t, by=user()))
    [received] = await eventually(lambda: smtp.to(mail))
    message = received.message
    assert message["To"] == mail and message["From"] == "Desk <desk@example.com>"
    assert message["Subject"] == f"[Service Desk] Someone moved #{t['id']} to In progress"
    assert "moved from Open to In progress" in message.get_content()
    assert message["Auto-Submitted"] == "auto-generated"
    [(recipient, status, attempts, sent_at, error, _)] = await eventually(
        lambda: _sent(app, requester)
    )
    assert (recipient, status, attempts, error) == (mail, "sent", 1, None) and sent_at


async def test_a_temporary_smtp_failure_is_retried_with_backoff(app, publish, smtp):
    requester, mail = user(), address()
    await register(app, publish, requester, mail)
    smtp.refuse(mail, times=1)
    await publish(status_changed(ticket(requester), by=user()))
    await eventually(lambda: smtp.to(mail))
    [(_, status, attempts, _, error, _)] = await eventually(lambda: _sent(app, requester))
    assert (status, attempts, error) == ("sent", 2, None)


async def test_the_directory_keeps_the_latest_address(app, publish):
    someone = user()
    await register(app, publish, someone, "old@example.com")
    await register(app, publish, someone, "new@example.com")
    query = "SELECT email FROM user_directory WHERE user_id = :u"
    assert await scalar(app, query, u=someone) == "new@example.com"


async def test_no_known_address_means_no_email_but_the_inbox_still_gets_it(app, publish):
    stranger = user()
    ev = status_changed(ticket(stranger), by=user())
    await publish(ev)
    await wait_until_handled(app, ev)
    assert await scalar(app, "SELECT count(*) FROM notifications WHERE user_id = :u", u=stranger)
    assert await deliveries_for(app, stranger) == []


async def _sent(app, user_id: str) -> list:
    found = await deliveries_for(app, user_id)
    return found if found and found[0][1] == "sent" else []


async def test_with_the_email_channel_off_no_rows_are_written(app, publish):
    someone, mail = user(), address()
    await register(app, publish, someone, mail)
    async with app.state.runtime.sessions() as session, session.begin():
        note = await notify(
            session, Channels(email=False), user_id=someone, kind="message", title="t", body="b"
        )
    assert note is not None
    assert await deliveries_for(app, someone) == []
