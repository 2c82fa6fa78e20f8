"""`GET /internal/tickets`: the open tickets for the AI refresh, behind `TICKETS_API_KEYS`,
in keyset pages by id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from servicedesk_shared.apikeys import ApiKeys
from servicedesk_tickets.config import Settings
from servicedesk_tickets.runtime import Runtime

from .conftest import TEST_KEY, Api

KEY = "internal-test-key-" + "k" * 32
URL = "/internal/tickets"


@pytest.fixture
def keyed(app: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The running app accepts KEY (as if TICKETS_API_KEYS=old,KEY); its header."""
    monkeypatch.setattr(app.state.runtime, "api_keys", ApiKeys(["old-key", KEY]))
    return {"X-API-Key": KEY}


async def walk(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[dict]:
    """Every item of every page, following `next` until it is null."""
    items: list[dict] = []
    after = None
    while True:
        query = params | ({"after": after} if after else {})
        resp = await client.get(URL, params=query, headers=headers)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert len(body["items"]) <= params.get("limit", 100)
        items += body["items"]
        after = body["next"]
        if after is None:
            return items
        assert after == body["items"][-1]["id"]


def stamp(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


async def open_ids(conn: Any, since: datetime) -> list[int]:
    """The scope as the refresh script's SQL selected it, straight from the database."""
    rows = await conn.execute(
        text(
            "SELECT t.id FROM tickets t LEFT JOIN workflow_states s"
            " ON s.system = t.system AND s.name = t.status WHERE t.deleted_at IS NULL"
            " AND t.status <> 'closed' AND NOT coalesce(s.terminal, false)"
            " AND t.updated_at >= :since ORDER BY t.id"
        ),
        {"since": since},
    )
    return [row.id for row in rows]


async def test_without_a_key_or_with_a_wrong_one_it_is_401(client, keyed) -> None:
    for headers in ({}, {"X-API-Key": "wrong"}, {"X-API-Key": ""}):
        resp = await client.get(URL, headers=headers)
        assert resp.status_code == 401
        assert resp.json()["code"] == "invalid_api_key"
        assert resp.headers["WWW-Authenticate"] == "ApiKey"


async def test_a_bearer_token_is_no_key(client, keyed, personas) -> None:
    resp = await client.get(URL, headers=personas.headers("global_admin"))
    assert resp.status_code == 401


async def test_with_no_keys_configured_every_call_is_refused(client, app, monkeypatch) -> None:
    monkeypatch.setattr(app.state.runtime, "api_keys", ApiKeys([]))
    resp = await client.get(URL, headers={"X-API-Key": KEY})
    assert resp.status_code == 401
    assert resp.json()["code"] == "invalid_api_key"


async def test_the_key_is_checked_before_the_query(client, keyed) -> None:
    resp = await client.get(URL, params={"limit": 0}, headers={"X-API-Key": "wrong"})
    assert resp.status_code == 401


def test_the_keys_are_a_comma_separated_setting(app, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TICKETS_API_KEYS", " one, two ,,")
    settings = Settings(jwt_secret_keys=TEST_KEY, environment="test")
    assert settings.api_key_list() == ["one", "two"]
    assert "two" not in repr(settings)
    runtime = Runtime(settings, app.state.runtime.engine, None, None, None, None)  # type: ignore[arg-type]
    assert runtime.api_keys.verify("two") and not runtime.api_keys.verify("three")
    monkeypatch.delenv("TICKETS_API_KEYS")
    assert Settings(jwt_secret_keys=TEST_KEY, environment="test").api_key_list() == []


async def test_pages_walk_every_open_ticket_exactly_once(client, conn, api: Api, keyed) -> None:
    start = datetime.now(UTC)  # tickets other tests committed are older: left out
    mine = [(await api.create(title=f"Paged ticket {i}"))["id"] for i in range(7)]
    items = await walk(client, keyed, updated_since=stamp(start), limit=3)
    ids = [item["id"] for item in items]
    assert ids == sorted(set(mine))  # by id, each once
    assert ids == await open_ids(conn, start)
    everything = [item["id"] for item in await walk(client, keyed, limit=500)]
    assert everything == sorted(set(everything))
    assert everything == await open_ids(conn, datetime(1, 1, 1, tzinfo=UTC))
    first = next(item for item in items if item["id"] == mine[0])
    assert set(first) == {"id", "title", "description", "updated_at"}
    assert (first["title"], first["description"]) == ("Paged ticket 0", "Third floor, again.")


async def test_next_is_null_exactly_when_nothing_follows(client, api: Api, keyed) -> None:
    start = stamp(datetime.now(UTC))
    ids = [(await api.create())["id"] for _ in range(3)]
    resp = await client.get(URL, params={"updated_since": start, "limit": 3}, headers=keyed)
    assert ([t["id"] for t in resp.json()["items"]], resp.json()["next"]) == (ids, None)
    resp = await client.get(URL, params={"updated_since": start, "limit": 2}, headers=keyed)
    assert resp.json()["next"] == ids[1]
    resp = await client.get(URL, params={"updated_since": start, "after": ids[2]}, headers=keyed)
    assert resp.json() == {"items": [], "next": None}


async def test_closed_deleted_and_terminal_tickets_are_left_out(
    client, conn, api: Api, keyed
) -> None:
    open_, closed, deleted, archived = [(await api.create())["id"] for _ in range(4)]
    await conn.execute(
        text(
            "INSERT INTO workflow_states (system, name, terminal, pauses_sla,"
            " position) VALUES ('TTS', 'archived', true, false, 99)"
        )
    )
    moves = {"closed": closed, "archived": archived}
    for status, ticket_id in moves.items():
        await conn.execute(
            text("UPDATE tickets SET status = :status WHERE id = :id"),
            {"status": status, "id": ticket_id},
        )
    await conn.execute(
        text("UPDATE tickets SET deleted_at = now() WHERE id = :id"), {"id": deleted}
    )
    ids = {item["id"] for item in await walk(client, keyed, limit=500)}
    assert open_ in ids
    assert not {closed, deleted, archived} & ids


async def test_updated_since_keeps_changes_at_or_after_it(client, conn, api: Api, keyed) -> None:
    older, boundary, newer = [(await api.create())["id"] for _ in range(3)]
    noon = datetime(2001, 1, 1, 12, tzinfo=UTC)
    times = {
        older: noon - timedelta(microseconds=1),
        boundary: noon,
        newer: noon + timedelta(hours=12),
    }
    for ticket_id, at in times.items():
        await conn.execute(
            text("UPDATE tickets SET updated_at = :at WHERE id = :id"), {"at": at, "id": ticket_id}
        )
    items = await walk(client, keyed, updated_since="2001-01-01T13:00:00+01:00", limit=200)
    ids = {item["id"] for item in items}
    assert {boundary, newer} <= ids
    assert older not in ids
    at = next(item["updated_at"] for item in items if item["id"] == boundary)
    assert at in ("2001-01-01T12:00:00Z", "2001-01-01T12:00:00+00:00")


async def test_system_narrows_the_scope(client, api: Api, keyed) -> None:
    tts = (await api.create())["id"]
    hdts = (await api.create(system="HDTS"))["id"]
    ids = {item["id"] for item in await walk(client, keyed, system="HDTS", limit=500)}
    assert hdts in ids
    assert tts not in ids


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 501},
        {"limit": "many"},
        {"after": 0},
        {"after": 2**63},
        {"after": "x"},
        {"updated_since": "yesterday"},
        {"updated_since": "2026-01-01T00:00:00"},  # no zone
        {"updated_since": "0001-01-01T00:00:00+01:00"},  # before year 1 in UTC
        {"updated_since": "9999-12-31T23:59:59-01:00"},  # after year 9999 in UTC
        {"system": ""},
        {"system": "T\x00S"},
        {"system": "x" * 65},
        {"sort": "id"},  # unknown parameters are refused
    ],
)
async def test_bad_queries_are_422_never_500(client, keyed, params: dict[str, Any]) -> None:
    resp = await client.get(URL, params=params, headers=keyed)
    assert resp.status_code == 422, resp.text
    assert resp.json()["code"] == "validation_error"


async def test_the_route_is_not_in_the_openapi_document(app: Any) -> None:
    assert not [path for path in app.openapi()["paths"] if path.startswith("/internal")]
