"""`/api/sla/{system}`: read by anyone signed in, replaced by the system's admins, every
problem named at once."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_tickets.sla.policy import create_default_policy
from servicedesk_tickets.systems.service import DEFAULT_WORKFLOW

DEFAULT_TARGETS = {
    "urgent": {"first_response_minutes": 30, "resolution_minutes": 240},
    "high": {"first_response_minutes": 120, "resolution_minutes": 480},
    "medium": {"first_response_minutes": 480, "resolution_minutes": 1440},
    "low": {"first_response_minutes": 1440, "resolution_minutes": 2400},
}
BERLIN = {
    "calendar": {
        "timezone": "Europe/Berlin",
        "working_days": [1, 2, 3, 4, 5, 6],
        "start": "08:00",
        "end": "18:00",
        "holidays": ["2026-12-24", "2026-12-25"],
    },
    "targets": {
        **DEFAULT_TARGETS,
        "urgent": {"first_response_minutes": 15, "resolution_minutes": None},
    },
}


async def test_every_system_starts_with_the_default_policy(api):
    for system in ("TTS", "HDTS"):
        response = await api.call("user_a", "GET", f"/api/sla/{system}")
        assert response.status_code == 200
        body = response.json()
        assert body["calendar"] == {
            "timezone": "UTC",
            "working_days": [1, 2, 3, 4, 5],
            "start": "09:00",
            "end": "17:00",
            "holidays": [],
        }
        assert body["targets"] == DEFAULT_TARGETS


async def test_reading_needs_a_sign_in_and_a_known_system(api, client):
    assert (await client.get("/api/sla/TTS")).status_code == 401
    assert (await api.call("user_a", "GET", "/api/sla/NOPE")).status_code == 404


async def test_a_system_admin_replaces_its_policy_and_it_is_audited(api, conn, personas):
    response = await api.call("admin_tts", "PUT", "/api/sla/TTS", json=BERLIN)
    assert response.status_code == 200, response.text
    assert (await api.call("user_b", "GET", "/api/sla/TTS")).json()["calendar"] == (
        BERLIN["calendar"]
    )
    entry = (
        await conn.execute(
            text(
                "SELECT actor_id, old, new FROM audit_log WHERE action = 'sla_policy.replaced' "
                "AND object_id = 'TTS' ORDER BY id DESC LIMIT 1"
            )
        )
    ).one()
    assert entry.actor_id == personas.ids["admin_tts"]
    assert entry.old["calendar"]["timezone"] == "UTC"
    assert entry.new["targets"]["urgent"] == {
        "first_response_minutes": 15,
        "resolution_minutes": None,
    }


@pytest.mark.parametrize(
    ("who", "system"),
    [("agent_tts", "TTS"), ("manager_tts", "TTS"), ("admin_tts", "HDTS"), ("user_a", "TTS")],
)
async def test_only_the_systems_admins_may_change_it(api, who, system):
    response = await api.call(who, "PUT", f"/api/sla/{system}", json=BERLIN)
    assert response.status_code == 403


async def test_a_global_admin_may_change_any_system(api):
    response = await api.call("global_admin", "PUT", "/api/sla/HDTS", json=BERLIN)
    assert response.status_code == 200


async def test_bad_input_names_every_problem_at_once(api):
    bad = {
        "calendar": {
            "timezone": "Mars/Olympus",
            "working_days": [1, 1, 8, 0],
            "start": "18:00",
            "end": "09:00",
            "holidays": ["2026-12-24", "Xmas", "2026-02-30"],
        },
        "targets": {
            **DEFAULT_TARGETS,
            "low": {"first_response_minutes": 0, "resolution_minutes": -5},
            "high": {"first_response_minutes": 525_601, "resolution_minutes": 480},
        },
    }
    response = await api.call("admin_tts", "PUT", "/api/sla/TTS", json=bad)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_sla_policy"
    assert body["errors"] == [
        "calendar.timezone: unknown timezone 'Mars/Olympus'",
        "calendar.working_days: 8 is not an ISO weekday (1-7)",
        "calendar.working_days: 0 is not an ISO weekday (1-7)",
        "calendar.working_days: 1 is listed twice",
        "calendar.start '18:00' is not before calendar.end '09:00'",
        "calendar.holidays[1]: 'Xmas' is not a date (YYYY-MM-DD)",
        "calendar.holidays[2]: '2026-02-30' is not a date (YYYY-MM-DD)",
        "targets.low.first_response_minutes: 0 is not a positive number of minutes",
        "targets.low.resolution_minutes: -5 is not a positive number of minutes",
        "targets.high.first_response_minutes: 525601 is over a year (525600 minutes)",
    ]


async def test_bad_times_of_day_and_no_working_days_are_named(api):
    bad = {
        **BERLIN,
        "calendar": {**BERLIN["calendar"], "working_days": [], "start": "9am", "end": "24:30"},
    }
    response = await api.call("admin_tts", "PUT", "/api/sla/TTS", json=bad)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        "calendar.working_days: name at least one day",
        "calendar.start: '9am' is not HH:MM",
        "calendar.end: '24:30' is not a time of day between 00:00 and 24:00",
    ]


async def test_a_missing_priority_or_unknown_field_is_a_plain_422(api):
    targets = {k: v for k, v in DEFAULT_TARGETS.items() if k != "low"}
    response = await api.call(
        "admin_tts", "PUT", "/api/sla/TTS", json={**BERLIN, "targets": targets}
    )
    assert response.status_code == 422
    response = await api.call("admin_tts", "PUT", "/api/sla/TTS", json={**BERLIN, "x": 1})
    assert response.status_code == 422


async def test_a_new_system_gets_the_default_policy(api, conn):
    await conn.execute(
        text(
            "INSERT INTO systems (code, name, initial_state, updated_at) "
            "VALUES ('SLA_NEW', 'New', 'open', now())"
        )
    )
    async with AsyncSession(bind=conn, join_transaction_mode="create_savepoint") as session:
        await create_default_policy(session, system="SLA_NEW")
        await create_default_policy(session, system="SLA_NEW")  # idempotent
        await session.commit()
    body = (await api.call("user_a", "GET", "/api/sla/SLA_NEW")).json()
    assert body["targets"] == DEFAULT_TARGETS and body["updated_at"] is not None


async def test_the_default_workflows_waiting_pauses_the_sla(api):
    for system in ("TTS", "HDTS"):
        workflow = (await api.call("user_a", "GET", f"/api/workflows/{system}")).json()
        assert [s["name"] for s in workflow["states"] if s["pauses_sla"]] == ["waiting"]
    assert [s.name for s in DEFAULT_WORKFLOW.states if s.pauses_sla] == ["waiting"]
