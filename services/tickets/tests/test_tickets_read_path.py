"""The read path (`GET /api/tickets`, `GET /api/tickets/{id}`): no transaction, the ticket,
its visibility and its people in one query, the body built once. The guarantees hold on it:
the same visibility rule (404, never 403), revoked tokens refused, bodies as the models say.
"""

from __future__ import annotations

from sqlalchemy import text

from servicedesk_shared import tokens
from servicedesk_shared.redis import Keys
from servicedesk_tickets.ticketing.schemas import TicketDetail

# As in test_tickets_visibility.py (the matrix on the test transaction's path).
EVERYONE = (
    "user_a",
    "user_b",
    "agent_tts",
    "agent_hdts",
    "manager_tts",
    "admin_tts",
    "global_admin",
    "superuser",
)
SEES = {
    "TTS": {"user_a", "agent_tts", "manager_tts", "admin_tts", "global_admin", "superuser"},
    "HDTS": {"user_a", "agent_hdts", "global_admin", "superuser"},
}


async def _seen(api, who: str, ticket_id: int) -> tuple[int, bool]:
    """(status of GET /api/tickets/{id}, whether the list shows the ticket) for `who`."""
    detail = await api.call(who, "GET", f"/api/tickets/{ticket_id}")
    listed = await api.call(who, "GET", "/api/tickets", params={"limit": 100})
    assert listed.status_code == 200
    return detail.status_code, ticket_id in {t["id"] for t in listed.json()["items"]}


async def test_reads_outside_a_transaction_show_exactly_what_the_rule_lets_through(committing_api):
    """Committed tickets, read on the real pool (AUTOCOMMIT sessions, not the test's)."""
    for system, seers in SEES.items():
        ticket = await committing_api.create("user_a", system=system)
        for who in EVERYONE:
            status, listed = await _seen(committing_api, who, ticket["id"])
            assert (status, listed) == ((200, True) if who in seers else (404, False)), who


async def test_the_detail_is_the_model_and_names_its_people(api):
    ticket = await api.create("user_a", system="TTS")
    assignee = {"assignee_id": api.personas.ids["agent_tts"]}
    assigned = await api.call("manager_tts", "PATCH", f"/api/tickets/{ticket['id']}", json=assignee)
    assert assigned.status_code == 200
    response = await api.call("agent_tts", "GET", f"/api/tickets/{ticket['id']}")
    assert response.status_code == 200
    body = response.json()
    assert body == TicketDetail.model_validate(body).model_dump(mode="json")
    assert body["requester"] == {
        "id": api.personas.ids["user_a"],
        "username": "user_a",
        "display_name": "User A",
    }
    assert body["assignee"]["username"] == "agent_tts"
    assert body["ai_triage"]["status"] == "pending"


async def test_the_read_detail_equals_the_write_paths_detail(api):
    """A transition answers with the detail built on the write path (people by their own
    query); reading it back gives the same body."""
    ticket = await api.create("user_a", system="TTS")
    moved = await api.move("agent_tts", ticket["id"], "in_progress")
    assert moved.status_code == 200, moved.text
    read = await api.call("agent_tts", "GET", f"/api/tickets/{ticket['id']}")
    written, shown = moved.json(), read.json()
    assert {k: v for k, v in shown.items() if k != "sla"} == {
        k: v for k, v in written.items() if k != "sla"
    }
    assert shown["sla"].keys() == written["sla"].keys()


async def test_unknown_people_are_named_null_as_before(api, conn):
    ticket = await api.create("user_a", system="TTS")
    await conn.execute(
        text("DELETE FROM people WHERE user_id = :u"), {"u": api.personas.ids["user_a"]}
    )
    body = (await api.call("agent_tts", "GET", f"/api/tickets/{ticket['id']}")).json()
    assert body["requester"] == {
        "id": api.personas.ids["user_a"],
        "username": None,
        "display_name": None,
    }
    assert body["assignee"] is None


async def test_a_revoked_token_reads_nothing(api, app, settings):
    ticket = await api.create("user_a", system="TTS")
    token = api.personas.token("agent_tts")
    jti = tokens.verify_access(settings.token_settings, token).jti
    keys = Keys(settings.redis_key_prefix)
    await app.state.runtime.redis.set(keys.deny_jti(jti), "1", ex=60)
    headers = {"Authorization": f"Bearer {token}"}
    for path in (f"/api/tickets/{ticket['id']}", "/api/tickets"):
        response = await api.client.get(path, headers=headers)
        assert response.status_code == 401, path
        assert response.json()["code"] == "token_revoked"


async def test_the_tickets_read_only_routes_keep_the_rules_outside_a_transaction(committing_api):
    """Comments, history, attachments and similar tickets of a committed ticket, and the
    workflows, read on the real pool (AUTOCOMMIT sessions): the visibility rule (404 for
    whoever may not see the ticket) and internal notes for staff only hold there too."""
    ticket = await committing_api.create("user_a", system="TTS")
    base = f"/api/tickets/{ticket['id']}"
    for who, body, internal in (
        ("user_a", "Public reply", False),
        ("agent_tts", "Staff only note", True),
    ):
        added = await committing_api.call(
            who, "POST", f"{base}/comments", json={"body": body, "internal": internal}
        )
        assert added.status_code == 201, added.text
    for who in EVERYONE:
        seer = who in SEES["TTS"]
        for path in ("comments", "history", "attachments", "similar"):
            response = await committing_api.call(who, "GET", f"{base}/{path}")
            assert response.status_code == (200 if seer else 404), (who, path)
        if seer:
            comments = (await committing_api.call(who, "GET", f"{base}/comments")).json()
            history = (await committing_api.call(who, "GET", f"{base}/history")).json()
            staff = who != "user_a"
            bodies = ["Public reply", "Staff only note"] if staff else ["Public reply"]
            assert [c["body"] for c in comments] == bodies, who
            assert sum(e["action"] == "comment.added" for e in history) == len(bodies), who
    workflow = await committing_api.call("user_b", "GET", "/api/workflows/TTS")
    assert workflow.status_code == 200
    assert workflow.json()["system"] == "TTS"


def test_the_detail_statement_is_kept_per_visibility_not_per_request():
    """`read_named` compiles the detail once per caller's `visibility_key`: what the rule
    does not read (a name, a requester-only role) shares the statement; the caller's id
    or staff systems do not, and the SQL text is shared by callers of one shape."""
    from servicedesk_shared.principal import Principal
    from servicedesk_tickets.ticketing import service

    def caller(uid: str, **systems: str) -> Principal:
        return Principal(
            id=uid, username=uid, email="", is_admin=False, is_superuser=False, systems=systems
        )

    agent = service._DETAIL(caller("u1", TTS="agent"))
    assert service._DETAIL(caller("u1", TTS="agent", HDTS="requester")) is agent
    other = service._DETAIL(caller("u2", TTS="agent"))
    assert other is not agent and other.sql == agent.sql and other.args != agent.args
    assert service._DETAIL(caller("u1", TTS="agent", HDTS="manager")).sql != agent.sql
