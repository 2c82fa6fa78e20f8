"""Who may see and do what: the row-level rule, written once, and the role checks.

Visibility (`visible_tickets`) is one SQL filter used by list, get, search, export,
comments, attachments and history alike: the caller's own tickets as requester, every
ticket of the systems where they are agent, manager or admin, and everything for global
admins and superusers (`Principal.is_admin`). Deleted tickets are visible to nobody.
A ticket outside the filter is a 404 everywhere, never a 403.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_

from servicedesk_shared.principal import Principal
from servicedesk_tickets.ticketing.models import Ticket

CONTENT_FIELDS = frozenset({"title", "description", "priority", "category"})
STAFF_ROLES = ("agent", "manager", "admin")


def visible_tickets(principal: Principal) -> ColumnElement[bool]:
    """The WHERE clause selecting exactly the tickets `principal` may see."""
    live = Ticket.deleted_at.is_(None)
    if principal.is_admin:
        return live
    own = Ticket.requester_id == principal.id
    staff_of = principal.systems_with("agent")
    if not staff_of:
        return and_(live, own)
    return and_(live, or_(own, Ticket.system.in_(staff_of)))


def visibility_key(principal: Principal) -> tuple:
    """Everything `visible_tickets` reads of the principal: two principals with the same
    key see the same tickets (a statement compiled for one serves the other)."""
    return (principal.is_admin, principal.id, tuple(principal.systems_with("agent")))


def is_staff(principal: Principal, system: str) -> bool:
    """Agent or higher in `system` (global admins everywhere): sees internal notes."""
    return principal.at_least(system, "agent")


def takes_or_releases(principal: Principal, ticket: Ticket, changes: dict) -> bool:
    """An agent taking an unassigned ticket ("Assign to me"), or giving back their own:
    the one assignment an agent makes. Assigning others stays a manager's (§4)."""
    if "assignee_id" not in changes or not is_staff(principal, ticket.system):
        return False
    wanted = changes["assignee_id"]
    taking = wanted == principal.id and ticket.assignee_id is None
    releasing = wanted is None and ticket.assignee_id == principal.id
    return taking or releasing


def editable_fields(principal: Principal, ticket: Ticket, *, initial_state: str) -> frozenset:
    """Fields of `ticket` the caller may PATCH: content for staff and for the requester
    while the ticket is still in its initial state; `assignee_id` for managers and above
    (an agent's own take or release is `takes_or_releases`)."""
    if principal.at_least(ticket.system, "manager"):
        return CONTENT_FIELDS | {"assignee_id"}
    if is_staff(principal, ticket.system):
        return CONTENT_FIELDS
    if ticket.requester_id == principal.id and ticket.status == initial_state:
        return CONTENT_FIELDS
    return frozenset()


def may_delete(principal: Principal, ticket: Ticket, *, initial_state: str) -> bool:
    """Admins of the system (or global) always; the requester while the ticket is open."""
    if principal.at_least(ticket.system, "admin"):
        return True
    return ticket.requester_id == principal.id and ticket.status == initial_state


def may_transition(principal: Principal, ticket: Ticket, roles: list[str]) -> bool:
    """`roles` are minimum roles ("agent" = agent or higher) or the pseudo-role "requester"."""
    if "requester" in roles and ticket.requester_id == principal.id:
        return True
    return any(principal.at_least(ticket.system, r) for r in roles if r in STAFF_ROLES)


def may_change_workflow(principal: Principal, system: str) -> bool:
    return principal.at_least(system, "admin")
