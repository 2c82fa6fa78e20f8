"""Tickets: get, get_all, create, update, delete and transition. Nothing here commits:
each change queues its audit entry and outbox event in the caller's transaction."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, NamedTuple, get_args

import asyncpg
from sqlalchemy import ColumnElement, Row, bindparam, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared import reads
from servicedesk_shared.events import (
    FieldChange,
    TicketAssigned,
    TicketCreated,
    TicketDeleted,
    TicketStatusChanged,
    TicketUpdated,
)
from servicedesk_shared.principal import Principal
from servicedesk_tickets import permissions
from servicedesk_tickets.audit import service as audit
from servicedesk_tickets.database import utcnow
from servicedesk_tickets.errors import (
    AssigneeNotStaff,
    FieldForbidden,
    NotAllowed,
    TicketNotFound,
    TransitionNotAllowed,
    UnknownSystem,
)
from servicedesk_tickets.outbox import service as outbox
from servicedesk_tickets.people import service as people
from servicedesk_tickets.sla import history as sla_history
from servicedesk_tickets.sla import page as sla_page
from servicedesk_tickets.sla import service as sla
from servicedesk_tickets.ticketing import idempotency, order
from servicedesk_tickets.ticketing.models import SEARCH_CONFIG, Ticket
from servicedesk_tickets.ticketing.schemas import (
    SortKey,
    TicketCreate,
    TicketFilters,
    TicketListParams,
    TicketRead,
    TicketUpdate,
)
from servicedesk_tickets.triage_suggestions import service as triage
from servicedesk_tickets.triage_suggestions.models import AiTriage
from servicedesk_tickets.workflows import service as workflows
from servicedesk_tickets.workflows.models import System


def as_dict(ticket: Ticket) -> dict[str, Any]:
    """The ticket as the API and the events show it (JSON-ready)."""
    return TicketRead.model_validate(ticket).model_dump(mode="json")


async def get(session: AsyncSession, *, ticket_id: int, principal: Principal) -> Ticket:
    """The ticket if the caller may see it, else `TicketNotFound` (never a 403)."""
    query = select(Ticket).where(Ticket.id == ticket_id, permissions.visible_tickets(principal))
    ticket = await session.scalar(query)
    if ticket is None:
        raise TicketNotFound()
    return ticket


class Named(NamedTuple):
    """A ticket and its triage as plain objects with the entities' attributes, its
    requester's and assignee's names (`people.NAMED`), and what its SLA clocks are derived
    from: its history's rows and its system's rules' inputs."""

    ticket: Any
    names: tuple[str | None, ...]
    triage: Any | None
    sla: tuple[Any, ...]


# The detail's read (`GET /api/tickets/{id}`), on asyncpg itself: the ticket, its triage,
# its people's names and its SLA clocks' inputs in one statement, as plain values, under
# the same visibility rule, compiled once per caller's
# `visibility_key` (at most `_KEPT` callers kept) with the ticket id the one value that
# changes; rows become plain objects with the entities' attributes. SQLAlchemy's ORM
# execute was ~40 % of the tickets process's CPU per detail (py-spy).
_TICKET_COLUMNS = tuple(
    Ticket.__table__.c[attr.key] for attr in Ticket.__mapper__.column_attrs if not attr.deferred
)
_TRIAGE_COLUMNS = tuple(AiTriage.__table__.c)
_PLAIN = (
    people.joined_names(select(*_TICKET_COLUMNS, *_TRIAGE_COLUMNS))
    .add_columns(sla_history.correlated(Ticket.id), *sla.correlated_rules(Ticket.system))
    .outerjoin(AiTriage, AiTriage.ticket_id == Ticket.id)
)
_DETAIL = reads.FrozenCache(
    lambda principal: _PLAIN.where(
        Ticket.id == bindparam("ticket_id", 0, type_=Ticket.id.type),
        permissions.visible_tickets(principal),
    ),
    key=permissions.visibility_key,
    kept=1024,
)


async def read_named(conn: asyncpg.Connection, *, ticket_id: int, principal: Principal) -> Named:
    """The ticket, its names, triage and SLA inputs if the caller may see it (else
    `TicketNotFound`), in one round trip on a plain connection (no session, no transaction)."""
    row = await _DETAIL(principal).fetchrow(conn, ticket_id=ticket_id)
    if row is None:
        raise TicketNotFound()
    values = tuple(row.values())
    ticket_end = len(_TICKET_COLUMNS)
    triage_end = ticket_end + len(_TRIAGE_COLUMNS)
    ticket = SimpleNamespace(
        **{c.key: v for c, v in zip(_TICKET_COLUMNS, values[:ticket_end], strict=True)}
    )
    triage_values = values[ticket_end:triage_end]
    triage = None
    if triage_values[0] is not None:  # ai_triage.ticket_id: null when there is no row
        triage = SimpleNamespace(
            **{c.key: v for c, v in zip(_TRIAGE_COLUMNS, triage_values, strict=True)}
        )
    names_end = triage_end + len(people.NAMED)
    return Named(ticket, values[triage_end:names_end], triage, values[names_end:])


def filter_conditions(filters: TicketFilters, principal: Principal) -> list[ColumnElement]:
    """The visibility rule plus the caller's filters (shared with the CSV export and saved
    views): a filter only ever narrows what `permissions.visible_tickets` lets through."""
    conditions = [permissions.visible_tickets(principal)]
    for name in ("status", "priority", "assignee_id", "system"):
        value = getattr(filters, name)
        if value is not None:
            conditions.append(getattr(Ticket, name) == value)
    if filters.assignee is not None:
        conditions.append(_assignee(filters.assignee, principal))
    if filters.requester is not None:
        conditions.append(Ticket.requester_id == filters.requester)
    if filters.active is not None:
        conditions.append(~order.terminal_state() if filters.active else order.terminal_state())
    if filters.q:
        query = func.websearch_to_tsquery(SEARCH_CONFIG, filters.q)
        conditions.append(Ticket.search.op("@@")(query))
    if filters.sla is not None:
        conditions.append(sla_page.condition(filters.sla))
    return conditions


def _assignee(wanted: str, principal: Principal) -> ColumnElement[bool]:
    """`me` is the caller (so a shared view shows each viewer their own), `none` nobody."""
    if wanted == "none":
        return Ticket.assignee_id.is_(None)
    return Ticket.assignee_id == (principal.id if wanted == "me" else wanted)


# What a list shows of a ticket, as plain columns (a row reads like the entity: `row.id`,
# `row.system`…), without the search vector.
LISTED = tuple(Ticket.__table__.c[name] for name in TicketRead.model_fields)
_LISTED_NAMES = tuple(TicketRead.model_fields)


# The page's query before its filters, one per sort key, built once: building it on each
# request (joins, column lists, order) was ~1 ms of CPU per page (py-spy).
_PAGES = {
    sort: order.order_by(people.joined_names(sla_page.joined(select(*LISTED))), sort)
    for sort in get_args(SortKey)
}


async def get_all(
    session: AsyncSession, *, params: TicketListParams, principal: Principal
) -> tuple[list[Row], int]:
    """One page in `params.sort`'s order (ties by id), each row a ticket's `LISTED` columns,
    its stored SLA clocks (`sla_page.STORED`) and its people's names (`people.NAMED`), all
    one query of plain rows (no entities); and the number of matching tickets."""
    conditions = filter_conditions(params, principal)
    total = await session.scalar(select(func.count()).select_from(Ticket).where(*conditions))
    query = _PAGES[params.sort].where(*conditions)
    page = await session.execute(query.limit(params.limit).offset(params.offset))
    return list(page.all()), total or 0


async def _insert(session: AsyncSession, *, data: TicketCreate, actor: Principal, system: str):
    """One statement: INSERT … SELECT the system's initial state; no row = unknown system."""
    now = utcnow()
    values = {
        **data.model_dump(exclude={"system"}),
        "system": system,
        "requester_id": actor.id,
        "created_at": now,
        "updated_at": now,
    }
    columns = [*values, "status"]
    source = select(
        *(literal(v, type_=Ticket.__table__.c[k].type) for k, v in values.items()),
        System.initial_state,
    ).where(System.code == system)
    ticket = await session.scalar(
        insert(Ticket).from_select(columns, source).returning(Ticket),
        execution_options={"populate_existing": True},
    )
    if ticket is None:
        raise UnknownSystem(f"Unknown system {system!r}")
    return ticket


async def create(
    session: AsyncSession,
    *,
    data: TicketCreate,
    actor: Principal,
    default_system: str,
    idempotency_key: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Create a ticket; returns (body, replayed). A replayed key returns the first body."""
    if idempotency_key is not None:
        request_hash = idempotency.body_hash(data.model_dump(mode="json"))
        replay = await idempotency.claim(
            session, user_id=actor.id, key=idempotency_key, request_hash=request_hash
        )
        if replay is not None:
            return replay, True
    ticket = await _insert(session, data=data, actor=actor, system=data.system or default_system)
    body = as_dict(ticket)
    audit.on_ticket(session, ticket_id=ticket.id, actor=actor, action="ticket.created", new=body)
    outbox.record(session, event=TicketCreated(ticket=body))
    pending = triage.record_pending(session, ticket_id=ticket.id)
    clocks = await sla.refresh(session, ticket=ticket, new=True)
    response = {**body, "ai_triage": triage.as_dict(pending), "sla": sla.as_payload(clocks)}
    if idempotency_key is not None:
        await idempotency.remember(
            session, user_id=actor.id, key=idempotency_key, ticket_id=ticket.id, response=response
        )
    return response, False


async def detail(session: AsyncSession, *, ticket: Ticket, principal: Principal) -> dict:
    """The ticket with its AI triage and SLA clocks, as `principal` may see it
    (`TicketDetail`), read in the session (the write routes' answer)."""
    shown = await triage.for_viewer(session, ticket_id=ticket.id, principal=principal)
    clocks = await sla.for_ticket(session, ticket=ticket)
    return await with_people(session, {**as_dict(ticket), "ai_triage": shown, "sla": clocks})


async def read_detail(conn: asyncpg.Connection, *, named: Named, principal: Principal) -> dict:
    """`detail` of what `read_named` read, on the same plain connection (the read route's
    answer: one connection, no session)."""
    shown = await triage.read_for_viewer(conn, row=named.triage, principal=principal)
    rows, *rule = named.sla
    history = sla_history.from_rows(named.ticket, rows)
    clocks = sla.as_payload(sla.clocks_now(history, sla.rules_of(*rule)))
    return _named({**as_dict(named.ticket), "ai_triage": shown, "sla": clocks}, named.names)


def _named(body: dict[str, Any], names: tuple[str | None, ...]) -> dict[str, Any]:
    """`requester` and `assignee` beside their ids, from `people.NAMED` read with the row."""
    requester_user, requester_name, assignee_user, assignee_name = names
    body["requester"] = people.person(body["requester_id"], requester_user, requester_name)
    body["assignee"] = people.person(body["assignee_id"], assignee_user, assignee_name)
    return body


PEOPLE = {"requester_id": "requester", "assignee_id": "assignee"}


def _listed(row: Row) -> dict[str, Any]:
    """A list row's `LISTED` columns as `TicketRead` writes them (checked by a test that
    holds the list to its model), without a validation pass per ticket."""
    body = dict(zip(_LISTED_NAMES, row[: len(LISTED)], strict=True))
    body["created_at"], body["updated_at"] = sla.stamp(row.created_at), sla.stamp(row.updated_at)
    return body


async def with_people(session: AsyncSession, body: dict[str, Any]) -> dict[str, Any]:
    """One ticket body with `requester` and `assignee` beside their ids."""
    return (await people.name_rows(session, [body], PEOPLE))[0]


async def page_with_people(session: AsyncSession, page: list[Row]) -> list[dict]:
    """A page from `get_all` shaped as `TicketListItem`s: its people and SLA clocks."""
    start, end = len(LISTED), len(LISTED) + len(sla_page.STORED)
    stored = [row[start:end] for row in page]
    clocks = await sla_page.for_page(session, tickets=page, stored=stored)
    bodies = [_listed(row) for row in page]
    for body, row in zip(bodies, page, strict=True):
        _named(body, row[end:])
        body["sla"] = clocks[body["id"]]
    return bodies


def _check_fields(ticket: Ticket, changes: dict, actor: Principal, initial: str) -> None:
    refused = set(changes) - permissions.editable_fields(actor, ticket, initial_state=initial)
    if permissions.takes_or_releases(actor, ticket, changes):
        refused.discard("assignee_id")
    if refused:
        raise FieldForbidden(f"You may not change: {', '.join(sorted(refused))}")


async def _check_assignee(session: AsyncSession, *, ticket: Ticket, assignee_id: str | None):
    """Only agents and above of the ticket's system, per the directory, may be assigned."""
    if assignee_id is None:
        return
    if not await people.is_staff(session, user_id=assignee_id, system=ticket.system):
        raise AssigneeNotStaff(f"{assignee_id} is not an agent or above in {ticket.system}")


async def update(
    session: AsyncSession, *, ticket: Ticket, data: TicketUpdate, actor: Principal
) -> Ticket:
    """Apply the fields sent; 403 naming any the caller may not change."""
    changes = data.model_dump(exclude_unset=True)
    initial = await workflows.initial_state(session, system=ticket.system) or ""
    _check_fields(ticket, changes, actor, initial)
    changes = {k: v for k, v in changes.items() if getattr(ticket, k) != v}
    if not changes:
        return ticket
    await _check_assignee(session, ticket=ticket, assignee_id=changes.get("assignee_id"))
    old = {k: getattr(ticket, k) for k in changes}
    for name, value in changes.items():
        setattr(ticket, name, value)
    ticket.updated_at = utcnow()
    record_update(session, ticket=ticket, actor=actor, old=old, new=changes)
    if "priority" in changes:
        await sla.refresh(session, ticket=ticket)
    return ticket


def record_update(session: AsyncSession, *, ticket: Ticket, actor: audit.Actor, old, new) -> None:
    """Audit entry and `ticket.updated` (plus `ticket.assigned`) for fields just changed."""
    audit.on_ticket(
        session, ticket_id=ticket.id, actor=actor, action="ticket.updated", old=old, new=new
    )
    changes = {k: FieldChange(old=old[k], new=new[k]) for k in new}
    updated = TicketUpdated(ticket=as_dict(ticket), changes=changes)
    outbox.record(session, event=updated)
    if "assignee_id" in new:
        assigned = TicketAssigned(
            ticket=updated.ticket,  # validated once, shared by both events
            previous_assignee_id=old["assignee_id"],
            assignee_id=new["assignee_id"],
            assigned_by=actor.id,
        )
        outbox.record(session, event=assigned)


async def delete(session: AsyncSession, *, ticket: Ticket, actor: Principal) -> None:
    """Soft delete: the ticket disappears from every read; audited, with an event."""
    initial = await workflows.initial_state(session, system=ticket.system) or ""
    if not permissions.may_delete(actor, ticket, initial_state=initial):
        raise NotAllowed("Only admins, or the requester while the ticket is open, may delete it")
    ticket.deleted_at = utcnow()
    body = as_dict(ticket)
    audit.on_ticket(session, ticket_id=ticket.id, actor=actor, action="ticket.deleted", old=body)
    outbox.record(session, event=TicketDeleted(ticket=body))


async def transition(session: AsyncSession, *, ticket: Ticket, to: str, actor: Principal):
    """Move along the system's workflow: 409 if no such move, 403 if the role may not."""
    roles = await workflows.transition_roles(
        session, system=ticket.system, from_state=ticket.status, to_state=to
    )
    if roles is None:
        raise TransitionNotAllowed(f"No transition from {ticket.status!r} to {to!r}")
    if not permissions.may_transition(actor, ticket, roles):
        raise NotAllowed(f"Your role may not move a ticket from {ticket.status!r} to {to!r}")
    old, ticket.status, ticket.updated_at = ticket.status, to, utcnow()
    audit.on_ticket(
        session,
        ticket_id=ticket.id,
        actor=actor,
        action="ticket.status_changed",
        old={"status": old},
        new={"status": to},
    )
    event = TicketStatusChanged(
        ticket=as_dict(ticket), from_status=old, to_status=to, changed_by=actor.id
    )
    outbox.record(session, event=event)
    await sla.refresh(session, ticket=ticket)
    return ticket
