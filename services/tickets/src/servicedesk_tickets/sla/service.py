"""A ticket's SLA clocks: derive them from its history (the source of truth), store them
(`ticket_sla`, for lists and filters) and schedule their warning and breach
(`sla_deadlines`) in the caller's transaction, show them on payloads. Nothing here commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_tickets.database import utcnow
from servicedesk_tickets.sla import history, policy
from servicedesk_tickets.sla.calendar import Calendar
from servicedesk_tickets.sla.clock import TARGETS, Clock, Rules, clocks
from servicedesk_tickets.sla.models import SlaDeadline, TicketSla
from servicedesk_tickets.sla.schemas import PolicyWrite
from servicedesk_tickets.tickets.models import Ticket
from servicedesk_tickets.workflows.models import WorkflowState

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


async def rules_for(session: AsyncSession, *, systems: set[str]) -> dict[str, Rules]:
    """The rules of each system: its policy and its workflow's pausing and stopping states."""
    specs = await policy.get_many(session, systems=systems)
    query = select(WorkflowState.system, WorkflowState.name, WorkflowState.pauses_sla,
                   WorkflowState.terminal).where(WorkflowState.system.in_(systems))  # fmt: skip
    states: dict[str, list] = {s: [] for s in systems}
    for system, *state in await session.execute(query):
        states[system].append(tuple(state))
    return {s: rules(specs[s], states[s]) for s in systems}


async def derive(
    session: AsyncSession, *, ticket: Ticket, now: datetime, rule: Rules | None = None
) -> Clocks:
    """The clocks from the ticket's history (committed entries and this transaction's);
    `rule`: the system's rules when the caller has them already."""
    if rule is None:
        rule = (await rules_for(session, systems={ticket.system}))[ticket.system]
    past = await history.load(session, ticket=ticket, now=now)
    return clocks(past, rule, now)


def _row(ticket_id: int, derived: Clocks) -> dict[str, Any]:
    row: dict[str, Any] = {"ticket_id": ticket_id, "paused": False}
    unmet = []
    for target in TARGETS:
        c = derived[target]
        row |= {f"{target}_due_at": c and c.due_at, f"{target}_warn_at": c and c.warn_at,
                f"{target}_met_at": c and c.met_at,
                f"{target}_remaining": c and c.remaining_seconds}  # fmt: skip
        row["paused"] |= bool(c and c.paused)
        if c and c.met_at is None and c.due_at is not None:
            unmet.append(c.due_at)
    row["next_due_at"] = min(unmet, default=None)
    return row


def _deadlines(ticket_id: int, derived: Clocks) -> list[dict[str, Any]]:
    rows = []
    for target in TARGETS:
        c = derived[target]
        if c is None or c.met_at is not None:
            continue
        for kind, due in (("warning", c.warn_at), ("breach", c.due_at)):
            if due is not None:
                rows.append({"ticket_id": ticket_id, "target": target, "kind": kind,
                             "due_at": due})  # fmt: skip
    return rows


async def store_clocks(session: AsyncSession, *, ticket_id: int, derived: Clocks) -> None:
    """Rewrite the ticket's stored clocks (`ticket_sla`)."""
    row = _row(ticket_id, derived)
    upsert = pg_insert(TicketSla).values(**row)
    await session.execute(upsert.on_conflict_do_update(index_elements=["ticket_id"], set_=row))


async def store(session: AsyncSession, *, ticket_id: int, derived: Clocks) -> None:
    """Rewrite the ticket's pending deadlines (emitted ones stay), then its stored clocks.

    In that order, as the scheduler takes them (deadline rows, then `ticket_sla`): a change
    racing a poll waits for it instead of deadlocking with it."""
    await session.execute(delete(SlaDeadline).where(
        SlaDeadline.ticket_id == ticket_id, SlaDeadline.emitted_at.is_(None)
    ))  # fmt: skip
    deadlines = _deadlines(ticket_id, derived)
    if deadlines:
        await session.execute(pg_insert(SlaDeadline).values(deadlines).on_conflict_do_nothing())
    await store_clocks(session, ticket_id=ticket_id, derived=derived)


async def refresh(session: AsyncSession, *, ticket: Ticket, now: datetime | None = None) -> Clocks:
    """Derive and store the ticket's clocks after a change made in this transaction."""
    await session.flush()
    derived = await derive(session, ticket=ticket, now=now or utcnow())
    await store(session, ticket_id=ticket.id, derived=derived)
    return derived


def as_payload(derived: Clocks) -> dict[str, Any]:
    """`{first_response: CLOCK|null, resolution: CLOCK|null}` (JSON-ready)."""
    return {
        target: None if c is None else {
            "due_at": c.due_at and c.due_at.isoformat(),
            "met_at": c.met_at and c.met_at.isoformat(),
            "breached": c.breached, "paused": c.paused,
            "remaining_seconds": c.remaining_seconds,
        }
        for target, c in derived.items()
    }  # fmt: skip


async def for_ticket(session: AsyncSession, *, ticket: Ticket) -> dict[str, Any]:
    """The ticket's clocks as its own routes show them: derived from history now."""
    return as_payload(await derive(session, ticket=ticket, now=utcnow()))
