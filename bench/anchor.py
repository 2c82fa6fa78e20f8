"""The anchor: the least a Python service can do to answer the routes we measure.

    .venv/bin/python bench/anchor.py PORT

Environment: `AUTH_DATABASE_URL`, `TICKETS_DATABASE_URL`, `JWT_SECRET_KEYS`, `REDIS_URL`,
`REDIS_KEY_PREFIX` (the benchmark stack's, so its tokens, databases and Redis serve here).
bench/cost.py starts it beside the stack and measures each real route as a ratio of it.

One FastAPI app, one uvicorn worker (uvloop + httptools, no access log, as
`servicedesk_shared.serving`), an asyncpg pool per database opened in the lifespan, plain
SQL (bench/anchor_sql.py; asyncpg prepares and caches each statement per connection),
orjson bodies. Every route verifies the bearer token as `servicedesk_shared.tokens` does
(pinned HS256, known `kid`, `aud`, `iss`, `exp`, required claims, `type`, `sub` a UUID,
claim types) with pyjwt, then:

| route                     | work, one round trip to PostgreSQL unless said                  |
|---------------------------|------------------------------------------------------------------|
| `GET /api/users/me`       | the user, its system roles, MFA state and the token's logout    |
|                           | row (auth's `user_for_claims`): checks active and `tv`          |
| `GET /api/tickets/{id}`   | Redis revocation check (one EVALSHA, as the tickets service);   |
|                           | the ticket under the visibility rule with its people's names,  |
|                           | its AI triage (duplicates filtered by visibility) and its       |
|                           | stored SLA clocks                                                |
| `GET /api/tickets?limit=` | revocation check; a page by `updated_at` desc with names and    |
|                           | stored clocks, and the visible total (an InitPlan, same query)  |
| `POST /api/tickets`       | revocation check; ONE transaction: INSERT the ticket (initial   |
|                           | state read from `systems` in the same statement), an outbox row |
|                           | (no NOTIFY, as the services), the audit entry with its row in   |
|                           | the sealer's queue (one statement, no lock): BEGIN + 3 + COMMIT |

The create writes to tables the anchor makes at start, `anchor_tickets` and `anchor_outbox`
(`LIKE tickets/outbox INCLUDING ALL`, so the real columns, identity, generated search
vector and indexes), `anchor_audit` and `anchor_audit_unsealed` (the audit log's shape since
the sealer, 853cda1, written out here). Nobody relays `anchor_outbox` and nobody seals
`anchor_audit`: the anchor pays for the writes, not for publishing or chaining.

Not done here, and done by the real service: SLA clocks brought
to now by the working-time calendar (the anchor shows the stored ones), the AI triage row
and SLA clocks of a new ticket, idempotency keys, metrics and request-id middleware.
"""

from __future__ import annotations

import os
import sys
import uuid
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Literal

import asyncpg
import jwt
import orjson
import redis.asyncio as aioredis
import uvicorn
from fastapi import Depends, FastAPI, HTTPException, Request, Response
from pydantic import BaseModel, Field

from servicedesk_shared import tokens
from servicedesk_shared.db import SERVER_SETTINGS
from servicedesk_shared.messaging.envelope import new_event
from servicedesk_shared.redis import Keys
from servicedesk_shared.revocation import GOOD, STATE_LUA, state_keys

sys.path.insert(0, os.path.dirname(__file__))
from anchor_sql import INSERT_AUDIT, INSERT_OUTBOX, INSERT_TICKET, ME, SCHEMA, SQL, TICKET

SYSTEM = "TTS"  # the tickets service's default `system`


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def json_codec(conn: asyncpg.Connection):
    return conn.set_type_codec(
        "jsonb",
        encoder=lambda v: orjson.dumps(v).decode(),
        decoder=orjson.loads,
        schema="pg_catalog",
    )


async def open_pool(url: str) -> asyncpg.Pool:
    """As the services' engines: up to 20 connections, opened when first needed, JIT off."""
    return await asyncpg.create_pool(
        dsn(url), min_size=1, max_size=20, init=json_codec, server_settings=SERVER_SETTINGS
    )


@asynccontextmanager
async def lifespan(app: FastAPI):
    env = os.environ
    app.state.keyring = tokens.KeyRing.from_string(env["JWT_SECRET_KEYS"])
    app.state.auth = await open_pool(env["AUTH_DATABASE_URL"])
    app.state.tickets = await open_pool(env["TICKETS_DATABASE_URL"])
    async with app.state.tickets.acquire() as conn:
        for statement in SCHEMA:
            await conn.execute(statement)
    redis = aioredis.from_url(env.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    app.state.keys = Keys(env.get("REDIS_KEY_PREFIX", "desk:"))
    check = STATE_LUA + "return token_state(KEYS[1], KEYS[2], KEYS[3], ARGV[1])\n"
    app.state.revocation = redis.register_script(check)
    yield
    await app.state.auth.close()
    await app.state.tickets.close()
    await redis.aclose()


app = FastAPI(lifespan=lifespan, openapi_url=None)


def unauthorized() -> HTTPException:
    return HTTPException(401, "Invalid or expired token")


def _checked(claims: dict) -> dict:
    """The claim types `tokens.AccessClaims` insists on, without a model."""
    if claims.get("type") != tokens.ACCESS or str(uuid.UUID(claims["sub"])) != claims["sub"]:
        raise unauthorized()
    typed = all(isinstance(claims[k], str) for k in ("jti", "username", "email", "iss", "aud"))
    typed &= all(type(claims.get(k, 0)) is int for k in ("iat", "exp", "tv"))
    typed &= type(claims["is_admin"]) is bool and isinstance(claims["systems"], dict)
    typed &= isinstance(claims["roles"], list) and set(claims["roles"]) <= tokens.GLOBAL_ROLES
    if not typed or not set(claims["systems"].values()) <= tokens.SYSTEM_ROLES:
        raise unauthorized()
    return claims


async def claims(request: Request) -> dict:
    """The verified claims of the Bearer token (401 otherwise)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        raise unauthorized()
    try:
        header = jwt.get_unverified_header(token)
        key = request.app.state.keyring.get(header.get("kid") or "")
        if header.get("alg") != tokens.ALGORITHM or key is None:
            raise unauthorized()
        found = jwt.decode(
            token,
            key,
            algorithms=[tokens.ALGORITHM],
            audience="servicedesk",
            issuer="servicedesk-auth",
            options={"require": list(tokens.ACCESS_CLAIMS)},
        )
        return _checked(found)
    except (jwt.PyJWTError, KeyError, ValueError):
        raise unauthorized() from None


async def principal(request: Request, found: dict = Depends(claims)) -> dict:
    """`claims`, not revoked per Redis (the tickets service's one EVALSHA)."""
    state = request.app.state
    keys = state_keys(state.keys, sub=found["sub"], jti=found["jti"])
    if int(await state.revocation(keys=keys, args=[found.get("tv", 0)])) != GOOD:
        raise unauthorized()
    return found


def visibility(found: dict) -> tuple[bool, list]:
    """(admin, [caller id, systems where agent or above]): the args of `VISIBLE`."""
    admin = found["is_admin"] or not {"admin", "superuser"}.isdisjoint(found["roles"])
    staff = [s for s, r in found["systems"].items() if r in ("agent", "manager", "admin")]
    return admin, [found["sub"], staff]


def as_json(body, status: int = 200) -> Response:
    return Response(orjson.dumps(body, default=str), status, media_type="application/json")


def person(user_id, name, shown):
    return (
        None
        if user_id is None
        else {"id": user_id, "username": name, "display_name": shown or name}
    )


def clock(paused, remaining, due, met):
    if remaining is None:
        return None
    return {
        "due_at": due,
        "met_at": met,
        "breached": remaining < 0 if met else remaining <= 0,
        "paused": bool(paused) and met is None,
        "remaining_seconds": remaining,
    }


def ticket_body(row, at: int = 0) -> dict:
    """`TICKET`, `NAMES`, `CLOCKS` of `row` from column `at` on, as the API shows them."""
    body = dict(zip(TICKET_NAMES, row[at : at + 11], strict=True))
    names, clocks = row[at + 11 : at + 15], row[at + 15 : at + 22]
    body["requester"] = person(body["requester_id"], *names[:2])
    body["assignee"] = person(body["assignee_id"], *names[2:])
    p = clocks[0]
    body["sla"] = {"first_response": clock(p, *clocks[1:4]), "resolution": clock(p, *clocks[4:])}
    return body


TICKET_NAMES = [c.strip().removeprefix("t.") for c in TICKET.split(",")]
TRIAGE = (
    "tr_status",
    "tr_category",
    "tr_priority",
    "tr_title",
    "summary",
    "confidence",
    "model",
    "error",
    "applied",
    "tr_updated_at",
)


@app.get("/api/users/me")
async def me(request: Request, found: dict = Depends(claims)) -> Response:
    row = await request.app.state.auth.fetchrow(ME, uuid.UUID(found["sub"]), found["jti"])
    if row is None or row["logged_out"] or not row["is_active"]:
        raise unauthorized()
    if found.get("tv", 0) != row["token_version"]:
        raise unauthorized()
    body = {
        k: row[k]
        for k in (
            "id",
            "username",
            "email",
            "display_name",
            "is_active",
            "is_admin",
            "is_superuser",
            "systems",
            "mfa_enabled",
            "created_at",
        )
    }
    body["roles"] = ["user"] + ["admin"] * row["is_admin"] + ["superuser"] * row["is_superuser"]
    return as_json(body)


@app.get("/api/tickets/{ticket_id}")
async def ticket(ticket_id: int, request: Request, found: dict = Depends(principal)):
    admin, args = visibility(found)
    row = await request.app.state.tickets.fetchrow(SQL["detail", admin], *args, ticket_id)
    if row is None:
        raise HTTPException(404, "Ticket not found")
    body = ticket_body(row)
    triage = None
    if row["tr_status"] is not None:
        triage = {k.removeprefix("tr_"): row[k] for k in TRIAGE}
        triage["possible_duplicates"] = row["duplicates"]
    body["ai_triage"] = triage
    return as_json(body)


@app.get("/api/tickets")
async def tickets_page(request: Request, limit: int = 50, found: dict = Depends(principal)):
    admin, args = visibility(found)
    rows = await request.app.state.tickets.fetch(SQL["page", admin], *args, min(limit, 100))
    items = [ticket_body(row, 1) for row in rows]
    return as_json({"items": items, "total": rows[0]["total"] if rows else 0})


class NewTicket(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=20000)
    priority: Literal["low", "medium", "high", "urgent"] = "medium"
    category: str | None = Field(None, max_length=100)
    system: str | None = Field(None, max_length=64)


@app.post("/api/tickets", status_code=201)
async def create(data: NewTicket, request: Request, found: dict = Depends(principal)):
    now = datetime.now(UTC)
    async with request.app.state.tickets.acquire() as conn, conn.transaction():
        values = (data.title, data.description, data.priority, data.category, found["sub"])
        row = await conn.fetchrow(INSERT_TICKET, *values, now, data.system or SYSTEM)
        if row is None:
            raise HTTPException(422, "Unknown system")
        body = dict(zip(TICKET_NAMES, row, strict=True))
        event = new_event(
            "ticket.created",
            {"ticket": body},
            producer="tickets",
            correlation_id=request.headers.get("x-request-id"),
        )
        await conn.execute(INSERT_OUTBOX, uuid.UUID(event["id"]), event["type"], event, now)
        await conn.execute(
            INSERT_AUDIT,
            now,
            found["sub"],
            found["username"],
            str(body["id"]),
            body,
            request.headers.get("x-request-id"),
            request.client.host if request.client else None,
        )
    return as_json(
        {
            **body,
            "requester": person(found["sub"], found["username"], None),
            "assignee": None,
            "ai_triage": None,
            "sla": None,
        },
        201,
    )


@app.get("/healthz")
async def healthz() -> Response:
    return as_json({"status": "ok"})


if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
    )
