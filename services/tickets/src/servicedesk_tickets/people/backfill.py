"""`python -m servicedesk_tickets.people.backfill`: fill the directory of people from auth,
once, for users that existed before tickets consumed auth's events.

Pages through auth's `GET /internal/users?after=&limit=` (auth's own port, `X-API-Key`),
never auth's database, and applies each user with the directory's version rule, so it
is idempotent and safe to run while the consumer is applying events: a row the events
already made newer is left alone. Each page commits in its own transaction.

Settings: `TICKETS_AUTH_URL` (default http://127.0.0.1:8001), `TICKETS_AUTH_API_KEY`
(one of auth's `AUTH_API_KEYS`), and the service's `TICKETS_DATABASE_URL`.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicedesk_shared.db import create_engine, session_factory
from servicedesk_shared.startup import load_settings
from servicedesk_tickets.config import Settings
from servicedesk_tickets.people import service as people
from servicedesk_tickets.people.schemas import ProfileChange, RolesChange

PAGE_SIZE = 500


class BackfillSettings(Settings):
    auth_url: str = "http://127.0.0.1:8001"
    auth_api_key: SecretStr | None = None


@dataclass
class Counts:
    seen: int = 0
    applied: int = 0


async def pages(client: httpx.AsyncClient, *, limit: int = PAGE_SIZE) -> AsyncIterator[list]:
    """Every page of auth's directory, in id order, until `next` is null."""
    after: str | None = None
    while True:
        params: dict[str, Any] = {"limit": limit} | ({"after": after} if after else {})
        response = await client.get("/internal/users", params=params)
        response.raise_for_status()
        body = response.json()
        yield body["items"]
        after = body["next"]
        if not after:
            return


async def apply_user(session: AsyncSession, item: dict[str, Any]) -> bool:
    """One directory user: the profile and the roles, each only if newer; True if changed."""
    user_id = str(item["id"])
    profile = ProfileChange.model_validate({**item, "user_id": user_id})
    roles = RolesChange(user_id=user_id, systems=item.get("systems") or {}, version=item["version"])
    applied = await people.apply_profile(session, change=profile, occurred_at=None)
    return await people.apply_roles(session, change=roles, occurred_at=None) or applied


async def backfill(
    sessions: async_sessionmaker[AsyncSession], client: httpx.AsyncClient, *, limit: int = PAGE_SIZE
) -> Counts:
    """Apply every user auth lists; one transaction per page."""
    counts = Counts()
    async for items in pages(client, limit=limit):
        async with sessions.begin() as session:
            for item in items:
                counts.applied += await apply_user(session, item)
        counts.seen += len(items)
    return counts


async def run(settings: BackfillSettings) -> Counts:
    if settings.auth_api_key is None:
        raise SystemExit("backfill: TICKETS_AUTH_API_KEY is not set")
    engine = create_engine(settings.database_url, pool_size=1)
    headers = {"X-API-Key": settings.auth_api_key.get_secret_value()}
    try:
        async with httpx.AsyncClient(
            base_url=settings.auth_url, headers=headers, timeout=30
        ) as client:
            return await backfill(session_factory(engine), client)
    finally:
        await engine.dispose()


def main() -> None:
    settings = load_settings(BackfillSettings, "tickets backfill")
    counts = asyncio.run(run(settings))
    print(f"backfill: {counts.seen} users seen, {counts.applied} applied", file=sys.stderr)


if __name__ == "__main__":
    main()
