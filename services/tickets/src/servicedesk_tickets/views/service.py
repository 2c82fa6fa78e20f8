"""Saved views: get, get_all (with live counts), create, update, delete, and a view's page.

Who sees a view: its owner; every member of its system when shared (every shared view for
global admins); everyone for the built-ins. Who changes one: the owner of a private view;
the system's admins (or global admins) for a shared one; nobody for a built-in (403
`view_read_only`). Whatever a view's filters say, its tickets and its count pass through
the viewer's own `permissions.visible_tickets` (`ticketing.service.filter_conditions`): a
view naming a system the viewer is not in shows them nothing more than the list would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared.principal import Principal
from servicedesk_tickets import permissions
from servicedesk_tickets.database import MAX_BIGINT, utcnow
from servicedesk_tickets.errors import (
    InvalidView,
    NotAllowed,
    TooManyViews,
    UnknownSystem,
    ViewNotFound,
    ViewReadOnly,
)
from servicedesk_tickets.ticketing import service as tickets
from servicedesk_tickets.ticketing.models import Ticket
from servicedesk_tickets.ticketing.schemas import DEFAULT_SORT, TicketListParams
from servicedesk_tickets.views.models import View
from servicedesk_tickets.views.schemas import ViewCreate, ViewFilters, ViewUpdate
from servicedesk_tickets.workflows.models import System

MAX_VIEWS = 100  # private and shared views one person may own: bounds the count query


@dataclass(frozen=True)
class Builtin:
    id: str
    name: str
    filters: dict[str, Any]
    sort: str


BUILTINS = {
    b.id: b
    for b in (
        Builtin("mine", "Assigned to me", {"assignee": "me", "active": True}, DEFAULT_SORT),
        Builtin("unassigned", "Unassigned", {"assignee": "none", "active": True}, "sla_due"),
        Builtin("at_risk", "At risk", {"sla": "at_risk"}, "sla_due"),
    )
}


def _visible_views(principal: Principal) -> ColumnElement[bool]:
    """The saved views `principal` may look at (see the module docstring)."""
    own = View.owner_id == principal.id
    if principal.is_admin:
        return or_(own, View.shared)
    return or_(own, and_(View.shared, View.system.in_(list(principal.systems))))


def may_edit(view: View, principal: Principal) -> bool:
    if view.shared:
        return principal.at_least(view.system or "", "admin")
    return view.owner_id == principal.id


def filters_of(view: View | Builtin) -> ViewFilters:
    return ViewFilters.model_validate(view.filters)


async def counts(
    session: AsyncSession, *, filter_sets: list[ViewFilters], principal: Principal
) -> list[int]:
    """How many tickets `principal` sees in each view: one statement for all of them, a
    `count(*) FILTER (WHERE …)` per view over the caller's visible tickets."""
    if not filter_sets:
        return []
    columns = [
        func.count().filter(and_(*tickets.filter_conditions(f, principal))) for f in filter_sets
    ]
    query = select(*columns).select_from(Ticket).where(permissions.visible_tickets(principal))
    return list((await session.execute(query)).one())


def as_read(view: View | Builtin, *, principal: Principal, count: int) -> dict[str, Any]:
    if isinstance(view, Builtin):
        return {
            "id": view.id,
            "name": view.name,
            "filters": view.filters,
            "sort": view.sort,
            "shared": False,
            "system": None,
            "builtin": True,
            "owner_id": None,
            "editable": False,
            "count": count,
        }
    return {
        "id": str(view.id),
        "name": view.name,
        "filters": view.filters,
        "sort": view.sort or DEFAULT_SORT,
        "shared": view.shared,
        "system": view.system,
        "builtin": False,
        "owner_id": view.owner_id,
        "editable": may_edit(view, principal),
        "count": count,
    }


async def get_all(session: AsyncSession, *, principal: Principal) -> list[dict[str, Any]]:
    """The built-ins, then the caller's own and shared views by name, each with its count."""
    query = select(View).where(_visible_views(principal)).order_by(View.name, View.id)
    views: list[View | Builtin] = [*BUILTINS.values(), *await session.scalars(query)]
    found = await counts(session, filter_sets=[filters_of(v) for v in views], principal=principal)
    return [as_read(v, principal=principal, count=n) for v, n in zip(views, found, strict=True)]


async def get(session: AsyncSession, *, view_id: str, principal: Principal) -> View | Builtin:
    """A built-in, or a saved view the caller may look at; else `ViewNotFound`."""
    if view_id in BUILTINS:
        return BUILTINS[view_id]
    number = int(view_id) if view_id.isdecimal() else 0
    if not 0 < number <= MAX_BIGINT:
        raise ViewNotFound()
    view = await session.scalar(select(View).where(View.id == number, _visible_views(principal)))
    if view is None:
        raise ViewNotFound()
    return view


async def read(session: AsyncSession, *, view: View | Builtin, principal: Principal) -> dict:
    """One view as the API shows it, with its count."""
    (count,) = await counts(session, filter_sets=[filters_of(view)], principal=principal)
    return as_read(view, principal=principal, count=count)


async def _check_sharing(session: AsyncSession, *, filters: ViewFilters, actor: Principal):
    system = filters.system or ""
    if not actor.at_least(system, "admin"):
        raise NotAllowed(f"Only admins of {system} may share a view with it")
    if await session.get(System, system) is None:
        raise UnknownSystem(f"Unknown system {system!r}")


async def create(session: AsyncSession, *, data: ViewCreate, actor: Principal) -> View:
    """A private view, or (the system's admins) a view shared with `filters.system`."""
    if data.shared:
        await _check_sharing(session, filters=data.filters, actor=actor)
    owned = select(func.count()).select_from(View).where(View.owner_id == actor.id)
    if (await session.scalar(owned) or 0) >= MAX_VIEWS:
        raise TooManyViews(f"At most {MAX_VIEWS} saved views per person")
    now = utcnow()
    view = View(
        owner_id=actor.id,
        name=data.name,
        sort=data.sort,
        shared=data.shared,
        filters=data.filters.model_dump(mode="json", exclude_none=True),
        system=data.filters.system if data.shared else None,
        created_at=now,
        updated_at=now,
    )
    session.add(view)
    await session.flush()
    return view


def _editable(view: View | Builtin, actor: Principal) -> View:
    if isinstance(view, Builtin):
        raise ViewReadOnly("Built-in views cannot be changed")
    if not may_edit(view, actor):
        raise ViewReadOnly(f"Only admins of {view.system} may change a view shared with it")
    return view


async def update(
    session: AsyncSession, *, view: View | Builtin, data: ViewUpdate, actor: Principal
) -> View:
    """Apply the fields sent; the result must still be one the actor may own or share."""
    saved = _editable(view, actor)
    changes = data.model_dump(exclude_unset=True)
    filters = data.filters if data.filters is not None else filters_of(saved)
    shared = changes.get("shared", saved.shared)
    if shared:
        if filters.system is None:
            raise InvalidView("a shared view belongs to one system: set filters.system")
        await _check_sharing(session, filters=filters, actor=actor)
    if "name" in changes:
        saved.name = changes["name"]
    if "sort" in changes:
        saved.sort = changes["sort"]
    saved.filters = filters.model_dump(mode="json", exclude_none=True)
    saved.shared, saved.system = shared, filters.system if shared else None
    saved.updated_at = utcnow()
    return saved


async def delete(session: AsyncSession, *, view: View | Builtin, actor: Principal) -> None:
    await session.delete(_editable(view, actor))


async def page(
    session: AsyncSession, *, view: View | Builtin, principal: Principal, limit: int, offset: int
) -> tuple[list[Row], int]:
    """The view's tickets exactly as `GET /api/tickets` would list them with its filters."""
    params = TicketListParams(
        **filters_of(view).model_dump(exclude_none=True),
        sort=view.sort or DEFAULT_SORT,
        limit=limit,
        offset=offset,
    )
    return await tickets.get_all(session, params=params, principal=principal)
