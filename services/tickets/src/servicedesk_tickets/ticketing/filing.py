"""Filing a ticket (`POST /api/tickets`): its row, its event, its audit entry, its pending
triage and its SLA clocks in the request's transaction, as two statements on asyncpg itself.

The request still owns the transaction (`deps.SessionDep`): the statements run on the
session's own connection (`reads.transactional`), so the outbox row and the audit entry
commit with the ticket or not at all. Through the ORM
the same work was ~10 round trips and SQLAlchemy's ~0.3 ms of Python each (44 % of the
tickets process on creates, py-spy); here:

1. `_FILE`: INSERT … SELECT the system's initial state (no row: an unknown system),
   RETURNING the ticket as the API shows it, its requester's names and its system's SLA
   rules' inputs;
2. `_EFFECTS`: the outbox row, the audit entry with its row in the sealer's queue
   (`audit.WRITE_CTES`: not queued for the commit's own insert, one round trip fewer), the
   pending triage (returned), the stored clocks and the deadlines, as data-modifying CTEs
   of one statement.
"""

from __future__ import annotations

import json
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import asyncpg
from sqlalchemy import (
    ARRAY,
    BigInteger,
    DateTime,
    String,
    bindparam,
    column,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from servicedesk_shared import reads
from servicedesk_shared.events import TicketCreated
from servicedesk_shared.principal import Principal
from servicedesk_tickets import transaction
from servicedesk_tickets.audit import service as audit
from servicedesk_tickets.database import utcnow
from servicedesk_tickets.errors import UnknownSystem
from servicedesk_tickets.outbox import service as outbox
from servicedesk_tickets.outbox.models import OutboxEvent
from servicedesk_tickets.people.models import Person
from servicedesk_tickets.sla import service as sla
from servicedesk_tickets.sla.models import SlaDeadline, TicketSla
from servicedesk_tickets.ticketing import idempotency, service
from servicedesk_tickets.ticketing.models import Ticket
from servicedesk_tickets.ticketing.schemas import TicketCreate, TicketRead
from servicedesk_tickets.triage_suggestions import service as triage
from servicedesk_tickets.triage_suggestions.models import AiTriage
from servicedesk_tickets.workflows.models import System

_TICKETS = Ticket.__table__
_SHOWN = tuple(_TICKETS.c[name] for name in TicketRead.model_fields)
_GIVEN = ("title", "description", "priority", "category", "system", "requester_id")
_GIVEN += ("created_at", "updated_at")
_EVENT = ("id", "type", "payload", "occurred_at")


def _names_of(field: Any) -> tuple[Any, Any]:
    """The requester's username and display name (null when the directory lacks them)."""
    person = select(Person.username, Person.display_name).where(Person.user_id == field)
    return (
        person.with_only_columns(Person.username).scalar_subquery(),
        person.with_only_columns(Person.display_name).scalar_subquery(),
    )


def _filed() -> Select:
    """INSERT … SELECT the system's initial state, then the new row with its requester's
    names and its rules' inputs, read from the INSERT's RETURNING (a CTE: the subqueries
    correlate with it)."""
    given = {name: bindparam(name, type_=_TICKETS.c[name].type) for name in _GIVEN}
    source = select(*given.values(), System.initial_state).where(System.code == given["system"])
    filed = insert(_TICKETS).from_select([*given, "status"], source).returning(*_SHOWN)
    row = filed.cte("filed")
    return select(*row.c, *_names_of(row.c.requester_id), *sla.correlated_rules(row.c.system))


def _deadline_rows(ticket_id: Any) -> Select:
    """`(target, kind, due_at)` rows from three arrays (none for a ticket without targets)."""
    typed = (("target", String()), ("kind", String()), ("due_at", DateTime(timezone=True)))
    rows = (
        func.unnest(*(bindparam(f"deadline_{name}", type_=ARRAY(t)) for name, t in typed))
        .table_valued(*(column(name, t) for name, t in typed))
        .render_derived()
    )
    return select(ticket_id, *(rows.c[name] for name, _ in typed))


def _effects() -> Select:
    """The outbox row, the stored clocks, the deadlines and the pending triage (returned)."""
    ticket_id = bindparam("ticket_id", type_=BigInteger)
    outbox = OutboxEvent.__table__
    event = insert(outbox).values(
        {name: bindparam(f"event_{name}", type_=outbox.c[name].type) for name in _EVENT}
    )
    stored = TicketSla.__table__
    clocks = insert(stored).values(
        {c.name: bindparam(f"sla_{c.name}", type_=c.type) for c in stored.c}
        | {"ticket_id": ticket_id}
    )
    deadlines = insert(SlaDeadline.__table__).from_select(
        ["ticket_id", "target", "kind", "due_at"], _deadline_rows(ticket_id)
    )
    pending = insert(AiTriage.__table__).values(
        ticket_id=ticket_id,
        status=literal("pending"),
        possible_duplicates=literal([], ARRAY(BigInteger)),
        applied=literal([], ARRAY(String)),
        updated_at=bindparam("now", type_=DateTime(timezone=True)),
    )
    row = pending.returning(*AiTriage.__table__.c).cte("pending")
    return select(*row.c).add_cte(
        event.cte("event"), clocks.cte("clocks"), deadlines.cte("deadlines"), *audit.WRITE_CTES
    )


_FILE = reads.Prepared(_filed())
_EFFECTS = reads.Prepared(_effects())


async def create(
    session: AsyncSession,
    *,
    data: TicketCreate,
    actor: Principal,
    default_system: str,
    idempotency_key: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Open a ticket as `actor`; (body, replayed). A replayed key answers the first body
    (its people named as they are now)."""
    if idempotency_key is not None:
        request_hash = idempotency.body_hash(data.model_dump(mode="json"))
        replay = await idempotency.claim(
            session, user_id=actor.id, key=idempotency_key, request_hash=request_hash
        )
        if replay is not None:
            return await service.with_people(session, replay), True
    now = utcnow()
    async with reads.transactional(session) as conn:
        ticket, names, rules = await _insert(
            conn, data=data, actor=actor, system=data.system or default_system, now=now
        )
        body = service.plain_body(ticket)
        # A new ticket has no history: its clocks start from the values it was filed with.
        clocks = await sla.derive(session, ticket=ticket, now=now, rule=rules, new=True)
        pending = await _record(session, conn, body=body, clocks=clocks, now=now, actor=actor)
    response = {**body, "ai_triage": triage.as_dict(pending), "sla": sla.as_payload(clocks)}
    if idempotency_key is not None:
        await idempotency.remember(
            session, user_id=actor.id, key=idempotency_key, ticket_id=ticket.id, response=response
        )
    return service.with_names(response, (*names, None, None)), False


async def _insert(
    conn: asyncpg.Connection, *, data: TicketCreate, actor: Principal, system: str, now: datetime
) -> tuple[SimpleNamespace, tuple[str | None, str | None], sla.Rules]:
    """The new ticket (plain values), its requester's names and its system's SLA rules;
    `UnknownSystem` when no system has that code."""
    given = data.model_dump(exclude={"system"})
    row = await _FILE.fetchrow(
        conn, **given, system=system, requester_id=actor.id, created_at=now, updated_at=now
    )
    if row is None:
        raise UnknownSystem(f"Unknown system {system!r}")
    values = tuple(row.values())
    shown = len(_SHOWN)
    ticket = SimpleNamespace(**dict(zip(TicketRead.model_fields, values[:shown], strict=True)))
    return ticket, values[shown : shown + 2], sla.rules_of(*values[shown + 2 :])


async def _record(
    session: AsyncSession,
    conn: asyncpg.Connection,
    *,
    body: dict[str, Any],
    clocks: sla.Clocks,
    now: datetime,
    actor: Principal,
) -> SimpleNamespace:
    """The ticket's event, audit entry, stored clocks, deadlines and pending triage
    (returned); the sealer is poked after the commit, to chain the entry."""
    event = outbox.record_row(session, event=TicketCreated(ticket=body))
    entry = audit.entry(
        session,
        actor=actor,
        action="ticket.created",
        object_type=audit.TICKET,
        object_id=body["id"],
        new=body,
    )
    event["payload"] = json.dumps(event["payload"])  # JSONB travels as JSON text
    deadlines = sla.deadline_rows(body["id"], clocks)
    clock_row = sla.clock_row(body["id"], clocks)
    row = await _EFFECTS.fetchrow(
        conn,
        **{f"event_{name}": value for name, value in event.items()},
        **{f"sla_{name}": value for name, value in clock_row.items() if name != "ticket_id"},
        ticket_id=body["id"],
        now=now,
        deadline_target=[d["target"] for d in deadlines],
        deadline_kind=[d["kind"] for d in deadlines],
        deadline_due_at=[d["due_at"] for d in deadlines],
        **audit.arrays([{**entry, "at": now}]),
    )
    transaction.entries_written(session)
    return SimpleNamespace(**dict(row))
