"""The one-off backfill of the directory of people, against a small stand-in for auth's
`GET /internal/users` (the same shape and paging), run in-process."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, Header, HTTPException, Query
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker

from servicedesk_tickets.people.backfill import backfill

KEY = "k" * 32


def directory_user(username: str, version: int = 1, **fields: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "username": username,
        "email": f"{username}@example.com",
        "display_name": username.title(),
        "is_active": True,
        "is_admin": False,
        "is_superuser": False,
        "systems": {},
        "version": version,
        **fields,
    }


def stand_in_auth(users: list[dict[str, Any]]) -> FastAPI:
    """auth's `/internal/users`: ordered by id, `after`/`limit`, `next`, X-API-Key."""
    app = FastAPI()
    ordered = sorted(users, key=lambda u: uuid.UUID(u["id"]))

    @app.get("/internal/users")
    async def list_users(
        x_api_key: Annotated[str | None, Header()] = None,
        after: uuid.UUID | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> dict[str, Any]:
        if x_api_key != KEY:
            raise HTTPException(401)
        rest = [u for u in ordered if after is None or uuid.UUID(u["id"]) > after]
        page = rest[:limit]
        return {"items": page, "next": page[-1]["id"] if len(rest) > limit else None}

    return app


def auth_client(users: list[dict[str, Any]], key: str = KEY) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(stand_in_auth(users))
    return httpx.AsyncClient(
        transport=transport, base_url="http://auth", headers={"X-API-Key": key}
    )


@pytest.fixture
def sessions(conn) -> async_sessionmaker:
    return async_sessionmaker(
        bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


async def stored(conn, user_id: str) -> dict[str, Any]:
    row = await conn.execute(text("SELECT * FROM people WHERE user_id = :id"), {"id": user_id})
    return dict(row.mappings().one())


async def test_the_backfill_pages_through_every_user(conn, sessions):
    users = [directory_user(f"user{i}", systems={"TTS": "agent"}) for i in range(5)]
    async with auth_client(users) as client:
        counts = await backfill(sessions, client, limit=2)
    assert (counts.seen, counts.applied) == (5, 5)
    for user in users:
        row = await stored(conn, user["id"])
        assert (row["username"], row["display_name"], row["systems"]) == (
            user["username"],
            user["display_name"],
            {"TTS": "agent"},
        )


async def test_running_the_backfill_again_changes_nothing(conn, sessions):
    users = [directory_user("ada"), directory_user("grace")]
    async with auth_client(users) as client:
        await backfill(sessions, client)
        again = await backfill(sessions, client)
    assert (again.seen, again.applied) == (2, 0)


async def test_the_backfill_never_overwrites_what_events_made_newer(conn, sessions):
    user = directory_user("ada", version=3, display_name="Stale")
    await conn.execute(
        text(
            "INSERT INTO people (user_id, username, display_name, systems, version, "
            "systems_version) VALUES (:id, 'ada', 'Fresh', '{\"TTS\": \"manager\"}', 9, 9)"
        ),
        {"id": user["id"]},
    )
    async with auth_client([user]) as client:
        assert (await backfill(sessions, client)).applied == 0
    row = await stored(conn, user["id"])
    assert (row["display_name"], row["systems"]) == ("Fresh", {"TTS": "manager"})


async def test_the_backfill_refuses_to_go_on_without_a_valid_key(sessions):
    async with auth_client([directory_user("ada")], key="wrong") as client:
        with pytest.raises(httpx.HTTPStatusError):
            await backfill(sessions, client)
