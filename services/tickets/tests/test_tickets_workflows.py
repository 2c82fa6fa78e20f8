"""Workflows as data: the default of §5, moves allowed and refused, replacing a workflow."""

from __future__ import annotations

import copy

import pytest

DEFAULT_MOVES = {
    ("open", "in_progress"),
    ("in_progress", "waiting"),
    ("waiting", "in_progress"),
    ("in_progress", "resolved"),
    ("open", "closed"),
    ("resolved", "closed"),
    ("resolved", "open"),
}


async def test_every_system_starts_with_the_default_workflow(api):
    response = await api.call("user_a", "GET", "/api/workflows")
    assert response.status_code == 200
    workflows = {w["system"]: w for w in response.json()}
    assert set(workflows) >= {"TTS", "HDTS"}
    for workflow in (workflows["TTS"], workflows["HDTS"]):
        assert workflow["initial"] == "open"
        assert {(t["from"], t["to"]) for t in workflow["transitions"]} == DEFAULT_MOVES
        assert [s["name"] for s in workflow["states"] if s["terminal"]] == ["closed"]


async def test_one_workflow_and_an_unknown_system(api, client):
    assert (await api.call("user_b", "GET", "/api/workflows/HDTS")).json()["system"] == "HDTS"
    assert (await api.call("user_b", "GET", "/api/workflows/NOPE")).status_code == 404
    assert (await client.get("/api/workflows")).status_code == 401


async def walk(api, ticket_id, steps):
    for who, to, status in steps:
        response = await api.move(who, ticket_id, to)
        assert response.status_code == status, (who, to, response.text)


async def test_the_full_life_of_a_ticket(api):
    ticket = await api.create("user_a")
    await walk(
        api,
        ticket["id"],
        [
            ("agent_tts", "in_progress", 200),
            ("agent_tts", "waiting", 200),
            ("agent_tts", "in_progress", 200),
            ("agent_tts", "resolved", 200),
            ("user_a", "open", 200),
            ("agent_tts", "in_progress", 200),
            ("agent_tts", "resolved", 200),
            ("user_a", "closed", 200),
        ],
    )
    got = await api.call("user_a", "GET", f"/api/tickets/{ticket['id']}")
    assert got.json()["status"] == "closed"


@pytest.mark.parametrize(
    ("setup", "who", "to", "status"),
    [
        ([], "agent_tts", "resolved", 409),  # open -> resolved is not a move
        ([], "agent_tts", "open", 409),  # nowhere
        ([], "agent_tts", "nonsense", 409),
        ([], "user_a", "in_progress", 403),  # requester may not start work
        ([], "user_a", "closed", 200),  # requester may close
        ([("agent_tts", "in_progress"), ("agent_tts", "resolved")], "agent_tts", "open", 403),
        ([("agent_tts", "in_progress")], "user_a", "waiting", 403),
    ],
)
async def test_moves_checked_against_state_then_role(api, setup, who, to, status):
    ticket = await api.create("user_a")
    await walk(api, ticket["id"], [(w, t, 200) for w, t in setup])
    response = await api.move(who, ticket["id"], to)
    assert response.status_code == status, response.text
    if status == 409:
        assert response.json()["code"] == "transition_not_allowed"


@pytest.mark.parametrize("who", ["user_a", "agent_tts", "global_admin", "superuser"])
async def test_nothing_leaves_closed(api, who):
    ticket = await api.create("user_a")
    await walk(api, ticket["id"], [("user_a", "closed", 200)])
    for to in ("open", "in_progress", "resolved", "waiting"):
        assert (await api.move(who, ticket["id"], to)).status_code == 409


async def test_a_transition_body_with_extra_fields_is_422(api):
    ticket = await api.create("user_a")
    url = f"/api/tickets/{ticket['id']}/transitions"
    body = {"to": "in_progress", "status": "closed"}
    assert (await api.call("agent_tts", "POST", url, json=body)).status_code == 422


async def current(api, system="HDTS") -> dict:
    workflow = (await api.call("user_a", "GET", f"/api/workflows/{system}")).json()
    workflow.pop("system")
    return workflow


async def test_admins_replace_a_workflow_and_it_is_used_and_audited(api):
    workflow = await current(api)
    workflow["states"].insert(1, {"name": "triage", "terminal": False})
    workflow["transitions"] += [
        {"from": "open", "to": "triage", "roles": ["agent"]},
        {"from": "triage", "to": "in_progress", "roles": ["manager"]},
    ]
    response = await api.call("global_admin", "PUT", "/api/workflows/HDTS", json=workflow)
    assert response.status_code == 200, response.text
    assert "triage" in [s["name"] for s in response.json()["states"]]
    ticket = await api.create("user_a", system="HDTS")
    await walk(
        api, ticket["id"], [("agent_hdts", "triage", 200), ("agent_hdts", "in_progress", 403)]
    )
    audit = await api.call("global_admin", "GET", "/api/admin/audit?object_type=workflow")
    entry = audit.json()["items"][0]
    assert (entry["action"], entry["object_id"]) == ("workflow.replaced", "HDTS")
    assert "triage" not in str(entry["old"]) and "triage" in str(entry["new"])


@pytest.mark.parametrize(
    ("who", "system", "status"),
    [
        ("admin_tts", "TTS", 200),
        ("admin_tts", "HDTS", 403),
        ("manager_tts", "TTS", 403),
        ("agent_tts", "TTS", 403),
        ("user_a", "TTS", 403),
        ("superuser", "HDTS", 200),
        ("global_admin", "NOPE", 404),
    ],
)
async def test_who_may_replace_a_workflow(api, who, system, status):
    workflow = await current(api, "TTS")
    response = await api.call(who, "PUT", f"/api/workflows/{system}", json=workflow)
    assert response.status_code == status


def broken(mutate) -> dict:
    def apply(workflow: dict) -> dict:
        workflow = copy.deepcopy(workflow)
        mutate(workflow)
        return workflow

    return apply


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda w: w.update(initial="nowhere"), "initial state 'nowhere' is not a state"),
        (lambda w: w["states"].append({"name": "limbo"}), "state 'limbo' is not reachable"),
        (
            lambda w: w["transitions"].append({"from": "closed", "to": "open", "roles": ["admin"]}),
            "leaves terminal state 'closed'",
        ),
        (
            lambda w: w["transitions"].append({"from": "open", "to": "waiting", "roles": ["god"]}),
            "unknown role 'god'",
        ),
        (
            lambda w: w["transitions"].append({"from": "open", "to": "mars", "roles": ["agent"]}),
            "unknown state 'mars'",
        ),
        (lambda w: w["states"].append({"name": "open"}), "state 'open' is listed twice"),
        (
            lambda w: (
                w.update(
                    states=[s for s in w["states"] if s["name"] != "waiting"],
                    transitions=[
                        t for t in w["transitions"] if "waiting" not in (t["from"], t["to"])
                    ],
                )
                or None
            ),
            "state 'waiting' is still used by tickets",
        ),
    ],
)
async def test_an_invalid_workflow_is_422_listing_the_problems(api, mutate, problem):
    ticket = await api.create("user_a", system="HDTS")
    await walk(
        api, ticket["id"], [("agent_hdts", "in_progress", 200), ("agent_hdts", "waiting", 200)]
    )
    workflow = broken(mutate)(await current(api))
    response = await api.call("global_admin", "PUT", "/api/workflows/HDTS", json=workflow)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "invalid_workflow"
    assert any(problem in p for p in body["errors"]), body["errors"]


async def test_several_problems_are_listed_at_once(api):
    workflow = await current(api)
    workflow["initial"] = "nowhere"
    workflow["transitions"].append({"from": "closed", "to": "open", "roles": ["x"]})
    response = await api.call("global_admin", "PUT", "/api/workflows/HDTS", json=workflow)
    assert len(response.json()["errors"]) >= 3
