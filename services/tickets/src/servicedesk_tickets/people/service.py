"""The directory of people: apply auth's changes (never overwriting newer data), name the
people on a page of rows with one query, find a system's staff, and the open assignments
of people who are no longer staff. Nothing here commits.

"Newer" is decided per part (profile, roles): a change applies when the row has no such
part yet, when its version is greater, or when the version is equal and its `occurred_at`
is later (an unknown `occurred_at`, as in a backfill row, never wins a tie).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    DateTime,
    Select,
    String,
    and_,
    any_,
    bindparam,
    case,
    cast,
    func,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from servicedesk_tickets.database import utcnow
from servicedesk_tickets.people.models import Person
from servicedesk_tickets.people.schemas import PeopleParams, ProfileChange, RolesChange
from servicedesk_tickets.ticketing.models import Ticket
from servicedesk_tickets.workflows.models import WorkflowState

STAFF_ROLES = ("agent", "manager", "admin")
_NEVER = cast(literal("-infinity"), DateTime(timezone=True))


def _newer(version, at, new_version, new_at) -> ColumnElement[bool]:
    later = func.coalesce(new_at, _NEVER) > func.coalesce(at, _NEVER)
    return or_(version.is_(None), new_version > version, and_(new_version == version, later))


async def _upsert(session: AsyncSession, values: dict[str, Any], version: str, at: str) -> bool:
    """Insert the row, or update the given columns where the change is newer; True if applied."""
    statement = pg_insert(Person).values(**values, updated_at=utcnow())
    new = statement.excluded
    columns = [name for name in values if name != "user_id"] + ["updated_at"]
    where = _newer(Person.__table__.c[version], Person.__table__.c[at], new[version], new[at])
    statement = statement.on_conflict_do_update(
        index_elements=[Person.user_id], set_={name: new[name] for name in columns}, where=where
    )
    return await session.scalar(statement.returning(Person.user_id)) is not None


async def apply_profile(
    session: AsyncSession, *, change: ProfileChange, occurred_at: datetime | None
) -> bool:
    """Username, e-mail, display name and flags, if newer than what is stored."""
    values = {**change.model_dump(), "occurred_at": occurred_at}
    return await _upsert(session, values, "version", "occurred_at")


async def apply_roles(
    session: AsyncSession, *, change: RolesChange, occurred_at: datetime | None
) -> bool:
    """The roles per system only, if newer than the roles stored."""
    values = {
        "user_id": change.user_id,
        "systems": change.systems,
        "systems_version": change.version,
        "systems_occurred_at": occurred_at,
    }
    return await _upsert(session, values, "systems_version", "systems_occurred_at")


def as_ref(user_id: str, username: str | None, display_name: str | None) -> dict[str, Any]:
    """`{id, username, display_name}`; the display name defaults to the username."""
    return {"id": user_id, "username": username, "display_name": display_name or username}


_REFS_QUERY = select(Person.user_id, Person.username, Person.display_name).where(
    Person.user_id == any_(bindparam("ids", type_=ARRAY(String)))
)  # one statement text whatever the number of ids: prepared once per connection


async def refs(session: AsyncSession, ids: Iterable[str | None]) -> dict[str, dict[str, Any]]:
    """The directory's entry for each id, in one query (ids it does not know are left out)."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = await session.execute(_REFS_QUERY, {"ids": sorted(wanted)})
    return {row.user_id: as_ref(*row) for row in rows}


_REQUESTER = aliased(Person, name="requester_person")
_ASSIGNEE = aliased(Person, name="assignee_person")
NAMED = (_REQUESTER.username, _REQUESTER.display_name, _ASSIGNEE.username, _ASSIGNEE.display_name)


def joined_names(query: Select) -> Select:
    """`query` (of tickets) with its requester's and assignee's names beside each ticket
    (`NAMED`, null for people the directory does not know): no query of its own."""
    return (
        query.add_columns(*NAMED)
        .outerjoin(_REQUESTER, _REQUESTER.user_id == Ticket.requester_id)
        .outerjoin(_ASSIGNEE, _ASSIGNEE.user_id == Ticket.assignee_id)
    )


def person(user_id: str | None, username: str | None, display_name: str | None):
    """Null for a null id, else the person's reference (names null when unknown)."""
    return None if user_id is None else as_ref(user_id, username, display_name)


def ref(found: dict[str, dict[str, Any]], user_id: str | None) -> dict[str, Any] | None:
    """Null for a null id; `{id, username: null, display_name: null}` for an unknown one."""
    if user_id is None:
        return None
    return found.get(user_id) or as_ref(user_id, None, None)


async def name_rows(
    session: AsyncSession, rows: list[dict[str, Any]], links: dict[str, str]
) -> list[dict[str, Any]]:
    """Add, beside each `links` id field, its person object (`{"requester_id": "requester"}`)."""
    found = await refs(session, (row[field] for row in rows for field in links))
    for row in rows:
        for field, name in links.items():
            row[name] = ref(found, row[field])
    return rows


def _role(system) -> ColumnElement:
    return Person.systems.op("->>")(system)


def is_staff_in(system) -> ColumnElement[bool]:
    """Active, and agent or above in `system` (a name or a column); global admins count."""
    staff = or_(Person.is_admin, Person.is_superuser, _role(system).in_(STAFF_ROLES))
    return and_(Person.is_active, staff)


async def is_staff(session: AsyncSession, *, user_id: str, system: str) -> bool:
    query = select(Person.user_id).where(Person.user_id == user_id, is_staff_in(system))
    return await session.scalar(query) is not None


def _matching(q: str) -> ColumnElement[bool]:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(
        Person.username.ilike(pattern, escape="\\"), Person.display_name.ilike(pattern, escape="\\")
    )


async def staff(session: AsyncSession, *, params: PeopleParams) -> list[dict[str, Any]]:
    """Active agents, managers and admins of the system (global admins as admin), by name."""
    role = case((or_(Person.is_admin, Person.is_superuser), "admin"), else_=_role(params.system))
    shown = func.coalesce(Person.display_name, Person.username)
    query = select(Person.user_id, Person.username, Person.display_name, role.label("role"))
    query = query.where(is_staff_in(params.system))
    if params.q:
        query = query.where(_matching(params.q))
    rows = await session.execute(
        query.order_by(func.lower(shown), Person.user_id).limit(params.limit)
    )
    return [{**as_ref(r.user_id, r.username, r.display_name), "role": r.role} for r in rows]


async def orphaned_assignments(session: AsyncSession) -> list[dict[str, Any]]:
    """Open tickets (not in a terminal state) whose assignee is not, or no longer, staff of
    the ticket's system per the directory (an assignee it does not know counts too)."""
    state = and_(WorkflowState.system == Ticket.system, WorkflowState.name == Ticket.status)
    query = (
        select(
            Ticket.id,
            Ticket.system,
            Ticket.status,
            Ticket.assignee_id,
            Person.username,
            Person.display_name,
        )
        .join(WorkflowState, state)
        .outerjoin(Person, Person.user_id == Ticket.assignee_id)
        .where(Ticket.deleted_at.is_(None), Ticket.assignee_id.is_not(None))
        .where(WorkflowState.terminal.is_(False))
        .where(not_(func.coalesce(is_staff_in(Ticket.system), False)))
        .order_by(Ticket.id)
    )
    rows = await session.execute(query)
    return [
        {
            "ticket_id": r.id,
            "system": r.system,
            "status": r.status,
            "assignee": as_ref(r.assignee_id, r.username, r.display_name),
        }
        for r in rows
    ]


async def named(
    session: AsyncSession, schema: type[BaseModel], objects: Iterable[Any], links: dict[str, str]
) -> list[dict[str, Any]]:
    """`objects` read through `schema` (from attributes), each with its people beside their
    ids, all resolved by one query."""
    rows = [schema.model_validate(obj).model_dump() for obj in objects]
    return await name_rows(session, rows, links)
