"""Tickets: get, get_all, create, update, delete and transition. Nothing here commits:
each change queues its audit entry and outbox event in the caller's transaction. The two
hot reads, the detail (`read_named`) and the list (`read_all`), run on a plain asyncpg
connection instead, their statements compiled once per caller's shape."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, NamedTuple, get_args

import asyncpg
from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Integer,
    Row,
    Select,
    String,
    any_,
    bindparam,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared import reads
from servicedesk_shared.events import (
    FieldChange,
    TicketAssigned,
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
)
from servicedesk_tickets.outbox import service as outbox
from servicedesk_tickets.people import service as people
from servicedesk_tickets.sla import clock as sla_clock
from servicedesk_tickets.sla import history as sla_history
from servicedesk_tickets.sla import page as sla_page
from servicedesk_tickets.sla import service as sla
from servicedesk_tickets.sla.calendar import Calendar
from servicedesk_tickets.ticketing import order
from servicedesk_tickets.ticketing.models import SEARCH_CONFIG, Ticket
from servicedesk_tickets.ticketing.schemas import (
    DEFAULT_SORT,
    SortKey,
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


_EQUALS = ("status", "priority", "assignee_id", "system")


def filter_values(filters: TicketFilters, principal: Principal) -> dict[str, Any]:
    """What the caller's filters compare with, by name, only for the filters present:
    `assignee=me` as the caller's id (`none` compares with nothing), the SLA filter's
    moment as `now`. The names are the list's statement shape (`read_all`), the values
    what changes per call."""
    values = {
        name: getattr(filters, name) for name in _EQUALS if getattr(filters, name) is not None
    }
    if filters.assignee is not None and filters.assignee != "none":
        values["assignee"] = principal.id if filters.assignee == "me" else filters.assignee
    if filters.requester is not None:
        values["requester"] = filters.requester
    if filters.q:
        values["q"] = filters.q
    if filters.sla is not None:
        values["now"] = utcnow()
    return values


def _as_is(_name: str, value: Any) -> Any:
    return value


def filter_conditions(
    filters: TicketFilters,
    principal: Principal,
    *,
    values: dict[str, Any] | None = None,
    bind: Callable[[str, Any], Any] = _as_is,
) -> list[ColumnElement]:
    """The visibility rule plus the caller's filters (shared with the CSV export, saved
    views and the list's frozen statements): a filter only ever narrows what
    `permissions.visible_tickets` lets through. `values`: `filter_values` (read here when
    not given); `bind(name, value)`: how each enters the SQL, as itself by default, as a
    named bind for a statement compiled once and reused with other values (`read_all`)."""
    values = filter_values(filters, principal) if values is None else values
    conditions = [permissions.visible_tickets(principal)]
    for name in _EQUALS:
        if name in values:
            conditions.append(getattr(Ticket, name) == bind(name, values[name]))
    if filters.assignee == "none":
        conditions.append(Ticket.assignee_id.is_(None))
    elif "assignee" in values:
        conditions.append(Ticket.assignee_id == bind("assignee", values["assignee"]))
    if "requester" in values:
        conditions.append(Ticket.requester_id == bind("requester", values["requester"]))
    if filters.active is not None:
        conditions.append(~order.terminal_state() if filters.active else order.terminal_state())
    if "q" in values:
        query = func.websearch_to_tsquery(SEARCH_CONFIG, bind("q", values["q"]))
        conditions.append(Ticket.search.op("@@")(query))
    if filters.sla is not None:
        conditions.append(sla_page.condition(filters.sla, bind("now", values["now"])))
    return conditions


# What a list shows of a ticket, as plain columns (a row reads like the entity: `row.id`,
# `row.system`…), without the search vector.
LISTED = tuple(Ticket.__table__.c[name] for name in TicketRead.model_fields)
_LISTED_NAMES = tuple(TicketRead.model_fields)
_STORED = slice(len(LISTED), len(LISTED) + len(sla_page.STORED))  # then `people.NAMED`


# The page's query before its filters, one per sort key, built once: building it on each
# request (joins, column lists, order) was ~1 ms of CPU per page (py-spy).
_PAGES = {
    sort: order.order_by(people.joined_names(sla_page.joined(select(*LISTED))), sort)
    for sort in get_args(SortKey)
}


def _counted(conditions: list[ColumnElement]) -> Select:
    return select(func.count()).select_from(Ticket).where(*conditions)


def _paged(sort: str, conditions: list[ColumnElement], limit: Any, offset: Any) -> Select:
    return _PAGES[sort].where(*conditions).limit(limit).offset(offset)


async def get_all(
    session: AsyncSession, *, params: TicketListParams, principal: Principal
) -> tuple[list[Row], int]:
    """One page in `params.sort`'s order (ties by id), each row a ticket's `LISTED` columns,
    its stored SLA clocks (`sla_page.STORED`) and its people's names (`people.NAMED`), all
    one query of plain rows (no entities); and the number of matching tickets. In the
    session (a saved view's page); the list route reads the same on a plain connection
    (`read_all`)."""
    conditions = filter_conditions(params, principal)
    total = await session.scalar(_counted(conditions))
    page = await session.execute(_paged(params.sort, conditions, params.limit, params.offset))
    return list(page.all()), total or 0


# The list's read (`GET /api/tickets`) on asyncpg itself: `get_all`'s two statements, each
# compiled once per shape — the caller's `visibility_key`, which filters are present (and
# `assignee=none`, `active`, the SLA filter's kind, which change the SQL) and, for the page,
# the sort key — with the filters' values, the limit and the offset as named binds replaced
# per call: callers of one shape share one SQL text (the session path's, bind for bind) and
# asyncpg's prepared statement. The SLA filter compares with `now` in several places: it is
# frozen as `_NOW` and each of those binds takes the call's moment.
_NOW = datetime(1, 1, 1, tzinfo=UTC)  # a moment no filter value or visibility value can be
_KEPT = 2048  # shapes kept per statement: a caller uses a few (a queue, a search, a view)


class _Listing(NamedTuple):
    """One list read as its statements see it: who asks, the filters, their values by
    name (`filter_values`) and the sort key."""

    principal: Principal
    filters: TicketFilters
    values: dict[str, Any]
    sort: str


def _filter_shape(listing: _Listing) -> tuple:
    """Everything the count's SQL depends on; values only through their names."""
    f = listing.filters
    visibility = permissions.visibility_key(listing.principal)
    return (visibility, tuple(listing.values), f.assignee == "none", f.active, f.sla)


def _named_bind(name: str, value: Any) -> Any:
    return _NOW if name == "now" else bindparam(name, value)


def _frozen_conditions(listing: _Listing) -> list[ColumnElement]:
    return filter_conditions(
        listing.filters, listing.principal, values=listing.values, bind=_named_bind
    )


_LIMIT = bindparam("limit", 0, type_=Integer)
_OFFSET = bindparam("offset", 0, type_=Integer)
_COUNTS = reads.FrozenCache(
    lambda listing: _counted(_frozen_conditions(listing)), key=_filter_shape, kept=_KEPT
)
_PAGE_READS = reads.FrozenCache(
    lambda listing: _paged(listing.sort, _frozen_conditions(listing), _LIMIT, _OFFSET),
    key=lambda listing: (*_filter_shape(listing), listing.sort),
    kept=_KEPT,
)


def _changes(frozen: reads.Frozen, values: dict[str, Any]) -> dict[str, Any]:
    """`values` by the frozen statement's bind names: `now` into every bind frozen as
    `_NOW` (anonymous, one per comparison the SLA filter makes)."""
    if "now" not in values:
        return values
    changes = {name: value for name, value in values.items() if name != "now"}
    for name, index in frozen.position.items():
        if frozen.args[index] == _NOW:
            changes[name] = values["now"]
    return changes


# A page's row as `get_all`'s rows read (`row.id`, `row.system`…, slices by position).
ListedRow = namedtuple("ListedRow", _PAGES[DEFAULT_SORT].selected_columns.keys())


async def read_all(
    conn: asyncpg.Connection, *, params: TicketListParams, principal: Principal
) -> tuple[list[ListedRow], int]:
    """`get_all` on a plain connection (no session, no transaction): the count, then the
    page, two round trips of statements kept per shape (the count is of every matching
    ticket, also when `offset` is past the last)."""
    listing = _Listing(principal, params, filter_values(params, principal), params.sort)
    count = _COUNTS(listing)
    total = await count.fetchrow(conn, **_changes(count, listing.values))
    page = _PAGE_READS(listing)
    changes = _changes(page, listing.values)
    rows = await page.fetch(conn, **changes, limit=params.limit, offset=params.offset)
    return [ListedRow._make(row.values()) for row in rows], total[0] or 0


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
    return with_names({**plain_body(named.ticket), "ai_triage": shown, "sla": clocks}, named.names)


def with_names(body: dict[str, Any], names: tuple[str | None, ...]) -> dict[str, Any]:
    """`requester` and `assignee` beside their ids, from `people.NAMED` read with the row."""
    requester_user, requester_name, assignee_user, assignee_name = names
    body["requester"] = people.person(body["requester_id"], requester_user, requester_name)
    body["assignee"] = people.person(body["assignee_id"], assignee_user, assignee_name)
    return body


PEOPLE = {"requester_id": "requester", "assignee_id": "assignee"}


def plain_body(ticket: Any) -> dict[str, Any]:
    """`as_dict` of a ticket read as plain values (a list's row, `read_named`'s ticket),
    without its validation pass (~4 % of a detail's CPU): the same fields, the moments as
    pydantic writes them (tests hold the list and the detail to their models and to the
    write path's body)."""
    body = {name: getattr(ticket, name) for name in _LISTED_NAMES}
    body["created_at"], body["updated_at"] = (
        sla.stamp(ticket.created_at),
        sla.stamp(ticket.updated_at),
    )
    return body


async def with_people(session: AsyncSession, body: dict[str, Any]) -> dict[str, Any]:
    """One ticket body with `requester` and `assignee` beside their ids."""
    return (await people.name_rows(session, [body], PEOPLE))[0]


async def page_with_people(session: AsyncSession, page: list[Row]) -> list[dict]:
    """A page from `get_all` shaped as `TicketListItem`s: its people and SLA clocks."""
    stored = [row[_STORED] for row in page]
    return _shaped(page, await sla_page.for_page(session, tickets=page, stored=stored))


async def read_page(conn: asyncpg.Connection, page: list[ListedRow]) -> list[dict]:
    """`page_with_people` of a page from `read_all`, on the same plain connection."""
    return _shaped(page, await _read_clocks(conn, page))


def _shaped(page: list, clocks_by_id: dict[int, dict[str, Any]]) -> list[dict]:
    bodies = [plain_body(row) for row in page]
    for body, row in zip(bodies, page, strict=True):
        with_names(body, row[_STORED.stop :])
        body["sla"] = clocks_by_id[body["id"]]
    return bodies


# `sla_page.for_page` on a plain connection: the page's systems' rules (`sla.rules_for`'s
# statement, of the same `correlated_rules`), and the history of the tickets without stored
# clocks (the detail's `correlated`), one statement each, any number of values.
_RULES = reads.Prepared(
    select(System.code, *sla.correlated_rules(System.code)).where(
        System.code == any_(bindparam("systems", type_=ARRAY(String)))
    )
)
_HISTORIES = reads.Frozen(  # frozen: the history's kinds of entries are an IN list
    select(Ticket.id, sla_history.correlated(Ticket.id)).where(
        Ticket.id == any_(bindparam("ids", [0], type_=ARRAY(BigInteger)))
    )
)


async def _read_rules(conn: asyncpg.Connection, systems: set[str]) -> dict[str, sla_clock.Rules]:
    """`sla.rules_for`: an unknown system has the default policy and no states."""
    rows = await _RULES.fetch(conn, systems=sorted(systems))
    found = {code: sla.rules_of(*inputs) for code, *inputs in rows}
    return {system: found.get(system) or sla.rules_of(None, None, None) for system in systems}


def _stored_clocks(stored: tuple, calendar: Calendar, now: datetime) -> dict[str, Any]:
    """A row's `sla_page.STORED` columns as the API shows them, brought to `now`."""
    _ticket_id, paused, *parts = stored
    return {
        target: sla_page.stored_clock(*parts[3 * i : 3 * i + 3], paused, calendar, now)
        for i, target in enumerate(sla_clock.TARGETS)
    }


async def _read_clocks(conn: asyncpg.Connection, page: list[ListedRow]) -> dict[int, dict]:
    """`{ticket id: {first_response, resolution}}` as `sla_page.for_page` gives them: the
    stored clocks read with the page, derived from history for a ticket without them."""
    if not page:
        return {}
    now = utcnow()
    rules = await _read_rules(conn, {row.system for row in page})
    unstored = [row for row in page if row[_STORED][0] is None]  # no ticket_sla row
    shown = await _derived_clocks(conn, unstored, rules, now)
    for row in page:
        if row.id not in shown:
            shown[row.id] = _stored_clocks(row[_STORED], rules[row.system].calendar, now)
    return shown


async def _derived_clocks(
    conn: asyncpg.Connection,
    rows: list[ListedRow],
    rules: dict[str, sla_clock.Rules],
    now: datetime,
) -> dict[int, dict]:
    """The clocks of tickets without stored ones (filed before the SLA existed, backfill
    not run), from their history as `sla.derive_many` derives them; one statement."""
    if not rows:
        return {}
    found = await _HISTORIES.fetch(conn, ids=[row.id for row in rows])
    histories = {ticket_id: entries for ticket_id, entries in found}
    shown = {}
    for row in rows:
        past = sla_history.from_rows(row, histories.get(row.id))
        shown[row.id] = sla.as_payload(sla_clock.clocks(past, rules[row.system], now))
    return shown


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
