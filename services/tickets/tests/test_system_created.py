"""`system.created` from auth: the real consumer gives the new system the default workflow
and SLA policy, once; a redelivery or an event for a system that has them changes nothing."""

from __future__ import annotations

from sqlalchemy import text

from servicedesk_tickets.sla.policy import DEFAULT

from .conftest import system_created

ROWS = text(
    "SELECT (SELECT count(*) FROM systems WHERE code = :c), "
    "(SELECT count(*) FROM workflow_states WHERE system = :c), "
    "(SELECT count(*) FROM workflow_transitions WHERE system = :c), "
    "(SELECT count(*) FROM sla_policies WHERE system = :c)"
)


async def counts(conn, code: str) -> tuple:
    return tuple((await conn.execute(ROWS, {"c": code})).one())


async def test_the_event_gives_the_system_the_default_workflow_and_sla_policy(api, deliver):
    assert await deliver(system_created("FAC_1", "Facilities")) == "ack"
    workflow = (await api.call("user_a", "GET", "/api/workflows/FAC_1")).json()
    assert workflow["initial"] == "open" and len(workflow["transitions"]) == 7
    assert [s["name"] for s in workflow["states"] if s["pauses_sla"]] == ["waiting"]
    policy = await api.call("user_a", "GET", "/api/sla/FAC_1")
    assert policy.status_code == 200
    stored = policy.json()
    assert stored["targets"] == DEFAULT.model_dump(mode="json")["targets"]
    assert stored["updated_at"] is not None  # a stored row, not the fallback
    ticket = await api.create("user_a", system="FAC_1")
    assert ticket["status"] == "open"


async def test_a_redelivery_changes_nothing(api, deliver, conn):
    event = system_created("FAC_2", "Facilities")
    await deliver(event)
    before = await counts(conn, "FAC_2")
    assert before == (1, 5, 7, 1)
    assert await deliver(event) == "ack"
    assert await counts(conn, "FAC_2") == before


async def test_a_system_with_its_own_workflow_and_policy_keeps_them(api, deliver, conn):
    before = (await api.call("user_a", "GET", "/api/workflows/TTS")).json()
    policy = (await api.call("user_a", "GET", "/api/sla/TTS")).json()
    assert await deliver(system_created("TTS", "Renamed?")) == "ack"
    assert (await api.call("user_a", "GET", "/api/workflows/TTS")).json() == before
    assert (await api.call("user_a", "GET", "/api/sla/TTS")).json() == policy
    name = await conn.scalar(text("SELECT name FROM systems WHERE code = 'TTS'"))
    assert name != "Renamed?"


async def test_tickets_no_longer_answers_api_systems(api):
    assert (await api.call("superuser", "GET", "/api/systems")).status_code == 404
    response = await api.call("superuser", "POST", "/api/systems", json={"code": "HR", "name": "x"})
    assert response.status_code in (404, 405)


async def test_the_new_system_is_listed_with_the_workflows(api, deliver):
    await deliver(system_created("OPS", "Ops"))
    listed = (await api.call("user_a", "GET", "/api/workflows")).json()
    assert "OPS" in {w["system"] for w in listed}
