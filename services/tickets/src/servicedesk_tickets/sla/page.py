"""Clocks for a page of tickets from their stored rows (`ticket_sla`), one query for the
rows and one for the rules, plus filters and the `sla_due` order for the list's query.

A stored clock is the derivation's result at the ticket's last change; what moves with
time alone (the remaining working time of a running clock, `breached`) is recomputed here
for `now`. A ticket without a row (filed before the SLA existed, backfill not run yet) is derived
from history, all such tickets of the page with one query.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Select,
    and_,
    any_,
    bindparam,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from servicedesk_tickets.database import utcnow
from servicedesk_tickets.sla import service
from servicedesk_tickets.sla.calendar import Calendar, working_between
from servicedesk_tickets.sla.clock import TARGETS
from servicedesk_tickets.sla.models import TicketSla
from servicedesk_tickets.ticketing.models import Ticket

SlaFilter = Literal["breached", "at_risk"]


_COLUMNS = [f"{target}_{part}" for target in TARGETS for part in ("remaining", "due_at", "met_at")]
# What a page shows of a stored clock, as plain columns in a known order (not entities):
# selected beside the tickets by the list's own query (`joined`), or by ids.
STORED = (
    TicketSla.ticket_id,
    TicketSla.paused,
    *(TicketSla.__table__.c[name] for name in _COLUMNS),
)
_ROWS_QUERY = select(*STORED).where(
    TicketSla.ticket_id == any_(bindparam("ids", type_=ARRAY(BigInteger)))
)  # one statement text for any page size


def joined(query: Select) -> Select:
    """`query` (of tickets) with each ticket's stored clocks beside it (`STORED`; all null
    for a ticket without a row), for `for_page(stored=…)` and the `sla_due` order."""
    return query.add_columns(*STORED).outerjoin(TicketSla, TicketSla.ticket_id == Ticket.id)


def _remaining(due: datetime, now: datetime, cal: Calendar) -> int:
    if due > now:
        return round(working_between(now, due, cal))
    return -round(working_between(due, now, cal))


def stored_clock(
    remaining: int | None,
    due: datetime | None,
    met: datetime | None,
    paused: bool,
    cal: Calendar,
    now: datetime,
) -> dict | None:
    """One stored clock as the API shows it, its remaining time brought to `now`."""
    if remaining is None:
        return None
    paused = paused and met is None
    if met is None and not paused and due is not None:
        remaining = _remaining(due, now, cal)
    return {
        "due_at": service.stamp(due),
        "met_at": service.stamp(met),
        "breached": remaining < 0 if met else remaining <= 0,
        "paused": paused,
        "remaining_seconds": remaining,
    }


def _shown(row, cal: Calendar, now: datetime) -> dict[str, dict | None]:
    _id, paused, *parts = row
    return {
        target: stored_clock(*parts[3 * i : 3 * i + 3], paused, cal, now)
        for i, target in enumerate(TARGETS)
    }


async def for_page(
    session: AsyncSession,
    *,
    tickets: list[Ticket],
    stored: list | None = None,
    now: datetime | None = None,
) -> dict[int, dict[str, Any]]:
    """`{ticket id: {first_response, resolution}}` for the page; `stored`: the `STORED`
    columns of each ticket when the caller's query selected them (`joined`), else read.
    `tickets`: entities, or rows with the same attributes (the list's plain rows)."""
    now = now or utcnow()
    if not tickets:
        return {}
    row_system = {t.id: t.system for t in tickets}
    if stored is None:
        stored = list(await session.execute(_ROWS_QUERY, {"ids": list(row_system)}))
    rows = {row[0]: row for row in stored if row[0] is not None}
    rules = await service.rules_for(session, systems={t.system for t in tickets})
    missing = [t for t in tickets if t.id not in rows]
    derived = await service.derive_many(session, tickets=missing, now=now, rules=rules)
    shown = {t: service.as_payload(c) for t, c in derived.items()}
    for ticket_id, row in rows.items():
        shown[ticket_id] = _shown(row, rules[row_system[ticket_id]].calendar, now)
    return shown


def _breached(sla, target: str, now: datetime) -> ColumnElement[bool]:
    due, met = getattr(sla, f"{target}_due_at"), getattr(sla, f"{target}_met_at")
    return due <= func.coalesce(met, now)


def _at_risk(sla, target: str, now: datetime) -> ColumnElement[bool]:
    due, met = getattr(sla, f"{target}_due_at"), getattr(sla, f"{target}_met_at")
    warn = getattr(sla, f"{target}_warn_at")
    return and_(met.is_(None), warn <= now, or_(due.is_(None), due > now))


def condition(kind: SlaFilter, now: datetime | None = None) -> ColumnElement[bool]:
    """Tickets with a clock breached (met late counts), or at risk (>= 80 % elapsed,
    neither met nor breached). Its own alias of the table: the list's query may have the
    stored clocks joined already (`joined`)."""
    now, sla = now or utcnow(), aliased(TicketSla)
    breached = or_(*(_breached(sla, t, now) for t in TARGETS))
    if kind == "breached":
        match = breached
    else:
        match = and_(or_(*(_at_risk(sla, t, now) for t in TARGETS)), ~breached)
    return exists().where(sla.ticket_id == Ticket.id, match)


def due_order(descending: bool = False) -> tuple[ColumnElement, ...]:
    """Nearest unmet due time first (latest first when descending), tickets without one
    last, ties newest first; for a query made `joined`."""
    due = TicketSla.next_due_at.desc() if descending else TicketSla.next_due_at.asc()
    return (due.nulls_last(), Ticket.id.desc())
