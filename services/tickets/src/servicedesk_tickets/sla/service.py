"""A ticket's SLA clocks: derive them from its history (the source of truth), store them
(`ticket_sla`, for lists and filters) and schedule their warning and breach
(`sla_deadlines`) in the caller's transaction, show them on payloads. Nothing here commits.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    BigInteger,
    ColumnElement,
    String,
    Text,
    any_,
    bindparam,
    cast,
    delete,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_tickets.database import utcnow
from servicedesk_tickets.sla import history, policy
from servicedesk_tickets.sla.calendar import Calendar
from servicedesk_tickets.sla.clock import TARGETS, Clock, History, Rules, clocks
from servicedesk_tickets.sla.models import SlaDeadline, SlaPolicy, TicketSla
from servicedesk_tickets.sla.schemas import PolicyWrite
from servicedesk_tickets.ticketing.models import Ticket
from servicedesk_tickets.workflows.models import System, WorkflowState

Clocks = dict[str, Clock | None]
ALWAYS_STOPS = frozenset({"resolved"})


def rules(spec: PolicyWrite, states: list[tuple[str, bool, bool]]) -> Rules:
    """`states`: (name, pauses_sla, terminal) of the ticket's workflow."""
    return Rules(
        calendar=Calendar.from_spec(spec.calendar.model_dump()),
        targets=spec.targets.model_dump(),
        pausing=frozenset(name for name, pauses, _ in states if pauses),
        stopping=ALWAYS_STOPS | {name for name, _, terminal in states if terminal},
    )


@lru_cache(maxsize=256)
def _cached_rules(calendar: str | None, targets: str | None, states: tuple) -> Rules:
    """`Rules` from a policy as stored (JSON text; None: the default) and its states: built
    once per distinct policy, not once per request (they are immutable)."""
    if calendar is None or targets is None:
        return rules(policy.DEFAULT, list(states))
    spec = PolicyWrite.model_validate(
        {"calendar": json.loads(calendar), "targets": json.loads(targets)}
    )
    return rules(spec, list(states))


def correlated_rules(system: ColumnElement) -> tuple[ColumnElement, ...]:
    """The rules' inputs of the system `system` (a column of the enclosing query) as three
    scalar subqueries — its policy's calendar and targets (JSON text, null: the default)
    and its workflow's states as a JSON array of `[name, pauses_sla, terminal]` — for
    `rules_of`; inside a query the caller runs anyway (the ticket detail) or on their own
    (`rules_for`)."""
    policy = select(SlaPolicy).where(SlaPolicy.system == system)
    state = func.json_build_array(
        WorkflowState.name, WorkflowState.pauses_sla, WorkflowState.terminal
    )
    states = select(func.json_agg(aggregate_order_by(state, WorkflowState.name), type_=JSON))
    return (
        policy.with_only_columns(cast(SlaPolicy.calendar, Text)).scalar_subquery(),
        policy.with_only_columns(cast(SlaPolicy.targets, Text)).scalar_subquery(),
        states.where(WorkflowState.system == system).scalar_subquery(),
    )


def rules_of(calendar: str | None, targets: str | None, states: list | None) -> Rules:
    """`Rules` from `correlated_rules`' three values (no policy: the default)."""
    return _cached_rules(calendar, targets, tuple(tuple(s) for s in states or ()))


_RULES_QUERY = select(System.code, *correlated_rules(System.code)).where(
    System.code == any_(bindparam("systems", type_=ARRAY(String)))
)


async def rules_for(session: AsyncSession, *, systems: set[str]) -> dict[str, Rules]:
    """The rules of each system: its policy (the default when none is stored) and its
    workflow's pausing and stopping states, with one query; an unknown system has the
    default policy and no states."""
    if not systems:
        return {}
    rows = await session.execute(_RULES_QUERY, {"systems": sorted(systems)})
    found = {code: rules_of(*inputs) for code, *inputs in rows}
    return {system: found.get(system) or rules_of(None, None, None) for system in systems}


async def derive_many(
    session: AsyncSession,
    *,
    tickets: list[Ticket],
    now: datetime,
    rules: dict[str, Rules] | None = None,
    new: bool = False,
) -> dict[int, Clocks]:
    """The clocks of each ticket from its history (committed entries and this
    transaction's), one query for the histories; `rules`: per system, when the caller has
    them already; `new`: the tickets were created in this transaction (no committed
    history to read)."""
    if rules is None:
        rules = await rules_for(session, systems={t.system for t in tickets})
    pasts = await history.load_many(session, tickets=tickets, now=now, committed=not new)
    return {t.id: clocks(pasts[t.id], rules[t.system], now) for t in tickets}


async def derive(
    session: AsyncSession,
    *,
    ticket: Ticket,
    now: datetime,
    rule: Rules | None = None,
    new: bool = False,
) -> Clocks:
    """One ticket's clocks (see `derive_many`)."""
    rules = None if rule is None else {ticket.system: rule}
    derived = await derive_many(session, tickets=[ticket], now=now, rules=rules, new=new)
    return derived[ticket.id]


def clock_row(ticket_id: int, derived: Clocks) -> dict[str, Any]:
    row: dict[str, Any] = {"ticket_id": ticket_id, "paused": False}
    unmet = []
    for target in TARGETS:
        c = derived[target]
        row |= {
            f"{target}_due_at": c and c.due_at,
            f"{target}_warn_at": c and c.warn_at,
            f"{target}_met_at": c and c.met_at,
            f"{target}_remaining": c and c.remaining_seconds,
        }
        row["paused"] |= bool(c and c.paused)
        if c and c.met_at is None and c.due_at is not None:
            unmet.append(c.due_at)
    row["next_due_at"] = min(unmet, default=None)
    return row


def deadline_rows(ticket_id: int, derived: Clocks) -> list[dict[str, Any]]:
    rows = []
    for target in TARGETS:
        c = derived[target]
        if c is None or c.met_at is not None:
            continue
        for kind, due in (("warning", c.warn_at), ("breach", c.due_at)):
            if due is not None:
                rows.append({"ticket_id": ticket_id, "target": target, "kind": kind, "due_at": due})
    return rows


def _upsert_clocks():
    statement = pg_insert(TicketSla)
    changed = {
        c.name: statement.excluded[c.name]
        for c in TicketSla.__table__.columns
        if c.name != "ticket_id"
    }
    return statement.on_conflict_do_update(index_elements=["ticket_id"], set_=changed)


# Built once, run with a list of rows (executemany in batches): compiled once, not once
# per distinct number of rows.
_UPSERT_CLOCKS = _upsert_clocks()
_INSERT_DEADLINES = pg_insert(SlaDeadline).on_conflict_do_nothing()
_DELETE_PENDING = delete(SlaDeadline).where(
    SlaDeadline.ticket_id == any_(bindparam("ids", type_=ARRAY(BigInteger))),
    SlaDeadline.emitted_at.is_(None),
)


async def store_clocks_many(session: AsyncSession, derived: dict[int, Clocks]) -> None:
    """Rewrite the tickets' stored clocks (`ticket_sla`), one statement."""
    if derived:
        rows = [clock_row(ticket_id, clocks_) for ticket_id, clocks_ in derived.items()]
        await session.execute(_UPSERT_CLOCKS, rows)


async def store_clocks(session: AsyncSession, *, ticket_id: int, derived: Clocks) -> None:
    """Rewrite the ticket's stored clocks (`ticket_sla`)."""
    await store_clocks_many(session, {ticket_id: derived})


async def store_many(session: AsyncSession, derived: dict[int, Clocks]) -> None:
    """Rewrite the tickets' pending deadlines (emitted ones stay), then their stored clocks,
    three statements whatever the number of tickets (a new ticket's are written by
    `ticketing/filing.py`, with its row).

    In that order, as the scheduler takes them (deadline rows, then `ticket_sla`): a change
    racing a poll waits for it instead of deadlocking with it."""
    if not derived:
        return
    await session.execute(
        _DELETE_PENDING, {"ids": list(derived)}, execution_options={"synchronize_session": False}
    )
    deadlines = [row for ticket_id, c in derived.items() for row in deadline_rows(ticket_id, c)]
    if deadlines:
        await session.execute(_INSERT_DEADLINES, deadlines)
    await store_clocks_many(session, derived)


async def store(session: AsyncSession, *, ticket_id: int, derived: Clocks) -> None:
    """One ticket's deadlines and clocks (see `store_many`)."""
    await store_many(session, {ticket_id: derived})


async def refresh(session: AsyncSession, *, ticket: Ticket, now: datetime | None = None) -> Clocks:
    """Derive and store the ticket's clocks after a change made in this transaction (a new
    ticket's are derived and written by `ticketing/filing.py`)."""
    await session.flush()
    derived = await derive(session, ticket=ticket, now=now or utcnow())
    await store(session, ticket_id=ticket.id, derived=derived)
    return derived


def stamp(moment: datetime | None) -> str | None:
    """A moment as the API's models write it (pydantic: UTC as `Z`), for bodies built here."""
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def as_payload(derived: Clocks) -> dict[str, Any]:
    """`{first_response: CLOCK|null, resolution: CLOCK|null}` (JSON-ready)."""
    return {
        target: None
        if c is None
        else {
            "due_at": stamp(c.due_at),
            "met_at": stamp(c.met_at),
            "breached": c.breached,
            "paused": c.paused,
            "remaining_seconds": c.remaining_seconds,
        }
        for target, c in derived.items()
    }


def clocks_now(history: History, rule: Rules) -> Clocks:
    """The clocks of a history under `rule`, now."""
    return clocks(history, rule, utcnow())


async def for_ticket(session: AsyncSession, *, ticket: Ticket) -> dict[str, Any]:
    """The ticket's clocks as its own routes show them: derived from history now."""
    return as_payload(await derive(session, ticket=ticket, now=utcnow()))
