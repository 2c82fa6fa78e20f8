"""The anchor: the least a Python service can do to answer the routes we measure.

    .venv/bin/python bench/anchor.py PORT

Environment: `AUTH_DATABASE_URL`, `TICKETS_DATABASE_URL`, `JWT_SECRET_KEYS`, `REDIS_URL`,
`REDIS_KEY_PREFIX` (the benchmark stack's, so its tokens, databases and Redis serve here).
bench/cost.py starts it beside the stack and measures each real route as a ratio of it.

One FastAPI app, one uvicorn worker (uvloop + httptools, no access log, as
`servicedesk_shared.serving`), an asyncpg pool per database opened in the lifespan, plain
SQL (asyncpg prepares and caches each statement per connection), orjson bodies. Every route
verifies the bearer token as `servicedesk_shared.tokens` does (pinned HS256, known `kid`,
`aud`, `iss`, `exp`, required claims, `type`, `sub` a UUID, claim types) with pyjwt, then:

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
|                           | (NOTIFY trigger), the audit entry hash-chained under an         |
|                           | advisory lock (as the real audit log): BEGIN + 4 + COMMIT       |

The create writes to tables the anchor makes at start, `anchor_tickets` and `anchor_outbox`
(`LIKE tickets/outbox INCLUDING ALL`, so the real columns, identity, generated search
vector and indexes) and `anchor_audit` (the audit log's shape written out here: that table
is changing under another issue). Nobody relays `anchor_outbox`: the anchor pays for the
write, not for publishing. Not done here, and done by the real service: SLA clocks brought
to now by the working-time calendar (the anchor shows the stored ones), the AI triage row
and SLA clocks of a new ticket, idempotency keys, metrics and request-id middleware.
"""

from __future__ import annotations

import hashlib
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

SYSTEM = "TTS"  # the tickets service's default `system`
AUDIT_LOCK = 0xA_0C40  # not the real audit log's key: the two chains never wait on each other
TICKET = ("t.id, t.title, t.description, t.status, t.priority, t.category, t.system, "
          "t.requester_id, t.assignee_id, t.created_at, t.updated_at")  # fmt: skip
NAMES = "rp.username AS r_name, rp.display_name AS r_shown, ap.username AS a_name, " \
        "ap.display_name AS a_shown"  # fmt: skip
CLOCKS = ("s.paused, s.first_response_remaining, s.first_response_due_at, "
          "s.first_response_met_at, s.resolution_remaining, s.resolution_due_at, "
          "s.resolution_met_at")  # fmt: skip
JOINS = """LEFT JOIN people rp ON rp.user_id = t.requester_id
LEFT JOIN people ap ON ap.user_id = t.assignee_id
LEFT JOIN ticket_sla s ON s.ticket_id = t.id"""
# $1 the caller's id, $2 the systems where they are agent or above.
VISIBLE = "t.deleted_at IS NULL AND (t.requester_id = $1 OR t.system = ANY($2::text[]))"
ADMIN_VISIBLE = "t.deleted_at IS NULL AND $1::text IS NOT NULL AND $2::text[] IS NOT NULL"

ME = """
SELECT u.id, u.username, u.email, coalesce(u.display_name, u.username) AS display_name,
       u.is_active, u.is_admin, u.is_superuser, u.token_version, u.created_at,
       EXISTS (SELECT 1 FROM revoked_access_tokens r WHERE r.jti = $2) AS logged_out,
       coalesce((SELECT jsonb_object_agg(sr.system, sr.role ORDER BY sr.system)
                 FROM user_system_roles sr WHERE sr.user_id = u.id), '{}') AS systems,
       coalesce((SELECT d.confirmed_at IS NOT NULL FROM totp_devices d
                 WHERE d.user_id = u.id), false) AS mfa_enabled
FROM users u WHERE u.id = $1
"""


def detail_sql(visible: str) -> str:
    dup_visible = visible.replace("t.", "v.")
    # Built from this module's constants only, never from input.
    return f"""
SELECT {TICKET}, {NAMES}, {CLOCKS},
       tr.status AS tr_status, tr.category AS tr_category, tr.priority AS tr_priority,
       tr.title AS tr_title, tr.summary, tr.confidence, tr.model, tr.error, tr.applied,
       tr.updated_at AS tr_updated_at,
       ARRAY(SELECT v.id FROM tickets v
             WHERE v.id = ANY(tr.possible_duplicates) AND {dup_visible}
             ORDER BY array_position(tr.possible_duplicates, v.id)) AS duplicates
FROM tickets t {JOINS}
LEFT JOIN ai_triage tr ON tr.ticket_id = t.id
WHERE t.id = $3 AND {visible}
"""  # noqa: S608


def page_sql(visible: str) -> str:
    return f"""
SELECT (SELECT count(*) FROM tickets t WHERE {visible}) AS total, {TICKET}, {NAMES}, {CLOCKS}
FROM tickets t {JOINS}
WHERE {visible} ORDER BY t.updated_at DESC, t.id DESC LIMIT $3
"""  # noqa: S608


SQL = {
    (name, admin): build(ADMIN_VISIBLE if admin else VISIBLE)
    for name, build in (("detail", detail_sql), ("page", page_sql))
    for admin in (False, True)
}
SCHEMA = [
    "CREATE TABLE IF NOT EXISTS anchor_tickets (LIKE tickets INCLUDING ALL,"
    " FOREIGN KEY (system) REFERENCES systems (code))",
    "CREATE TABLE IF NOT EXISTS anchor_outbox (LIKE outbox INCLUDING ALL)",
    """CREATE TABLE IF NOT EXISTS anchor_audit (
        seq bigint PRIMARY KEY, at timestamptz NOT NULL, actor_id varchar(64),
        actor_name varchar(150), action varchar(64) NOT NULL, object_type varchar(32) NOT NULL,
        object_id varchar(64), old jsonb, new jsonb, request_id varchar(128), ip varchar(64),
        prev_hash varchar(64) NOT NULL, hash varchar(64) NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS ix_anchor_audit_at ON anchor_audit (at)",
    "CREATE INDEX IF NOT EXISTS ix_anchor_audit_object"
    " ON anchor_audit (object_type, object_id, seq)",
    """CREATE OR REPLACE FUNCTION anchor_outbox_notify() RETURNS trigger AS $$
        BEGIN PERFORM pg_notify('anchor_outbox', ''); RETURN NULL; END $$ LANGUAGE plpgsql""",
    "CREATE OR REPLACE TRIGGER anchor_outbox_notify AFTER INSERT ON anchor_outbox"
    " FOR EACH STATEMENT EXECUTE FUNCTION anchor_outbox_notify()",
    """CREATE OR REPLACE FUNCTION anchor_audit_lock_head(lock_key bigint, OUT head_seq bigint,
        OUT head_hash text) LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock(lock_key);
        SELECT a.seq, a.hash INTO head_seq, head_hash FROM anchor_audit a
        ORDER BY a.seq DESC LIMIT 1;
    END $$""",
]
INSERT_TICKET = f"""
INSERT INTO anchor_tickets AS t (title, description, priority, category, system,
                                 requester_id, created_at, updated_at, status)
SELECT $1, $2, $3, $4, s.code, $5, $6, $6, s.initial_state FROM systems s WHERE s.code = $7
RETURNING {TICKET}
"""  # noqa: S608
INSERT_OUTBOX = "INSERT INTO anchor_outbox (id, type, payload, occurred_at) VALUES ($1, $2, $3, $4)"
INSERT_AUDIT = """
INSERT INTO anchor_audit (seq, at, actor_id, actor_name, action, object_type, object_id, new,
                          prev_hash, hash)
VALUES ($1, $2, $3, $4, 'ticket.created', 'ticket', $5, $6, $7, $8)
"""


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def json_codec(conn: asyncpg.Connection):
    return conn.set_type_codec(
        "jsonb", encoder=lambda v: orjson.dumps(v).decode(), decoder=orjson.loads,
        schema="pg_catalog",
    )  # fmt: skip


async def open_pool(url: str) -> asyncpg.Pool:
    """As the services' engines: up to 20 connections, opened when first needed, JIT off."""
    return await asyncpg.create_pool(dsn(url), min_size=1, max_size=20, init=json_codec,
                                     server_settings=SERVER_SETTINGS)  # fmt: skip


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
        found = jwt.decode(token, key, algorithms=[tokens.ALGORITHM], audience="servicedesk",
                           issuer="servicedesk-auth",
                           options={"require": list(tokens.ACCESS_CLAIMS)})  # fmt: skip
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
    return None if user_id is None else {"id": user_id, "username": name,
                                         "display_name": shown or name}  # fmt: skip


def clock(paused, remaining, due, met):
    if remaining is None:
        return None
    return {"due_at": due, "met_at": met, "breached": remaining < 0 if met else remaining <= 0,
            "paused": bool(paused) and met is None, "remaining_seconds": remaining}  # fmt: skip


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
TRIAGE = ("tr_status", "tr_category", "tr_priority", "tr_title", "summary", "confidence",
          "model", "error", "applied", "tr_updated_at")  # fmt: skip


@app.get("/api/users/me")
async def me(request: Request, found: dict = Depends(claims)) -> Response:
    row = await request.app.state.auth.fetchrow(ME, uuid.UUID(found["sub"]), found["jti"])
    if row is None or row["logged_out"] or not row["is_active"]:
        raise unauthorized()
    if found.get("tv", 0) != row["token_version"]:
        raise unauthorized()
    body = {k: row[k] for k in ("id", "username", "email", "display_name", "is_active",
                                "is_admin", "is_superuser", "systems", "mfa_enabled",
                                "created_at")}  # fmt: skip
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
        event = new_event("ticket.created", {"ticket": body}, producer="tickets",
                          correlation_id=request.headers.get("x-request-id"))  # fmt: skip
        await conn.execute(INSERT_OUTBOX, uuid.UUID(event["id"]), event["type"],
                           event, now)  # fmt: skip
        seq, prev = await conn.fetchrow("SELECT * FROM anchor_audit_lock_head($1)", AUDIT_LOCK)
        seq, prev = (seq or 0) + 1, prev or "0" * 64
        entry = {"seq": seq, "at": now, "actor_id": found["sub"], "new": body,
                 "actor_name": found["username"], "object_id": str(body["id"])}  # fmt: skip
        digest = hashlib.sha256(prev.encode() + orjson.dumps(entry, option=orjson.OPT_SORT_KEYS))
        await conn.execute(INSERT_AUDIT, seq, now, found["sub"], found["username"],
                           str(body["id"]), body, prev, digest.hexdigest())  # fmt: skip
    return as_json({**body, "requester": person(found["sub"], found["username"], None),
                    "assignee": None, "ai_triage": None, "sla": None}, 201)  # fmt: skip


@app.get("/healthz")
async def healthz() -> Response:
    return as_json({"status": "ok"})


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), loop="uvloop", http="httptools",
                access_log=False, log_level="warning")  # fmt: skip
