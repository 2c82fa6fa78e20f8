"""A ticket's history, and the admin view of the whole audit log with its verification."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from servicedesk_shared.openapi import errors
from servicedesk_tickets import permissions
from servicedesk_tickets.audit import service, verify
from servicedesk_tickets.audit.schemas import (
    AuditFilters,
    AuditPage,
    AuditRead,
    HistoryEntry,
    VerifyResult,
)
from servicedesk_tickets.deps import (
    AdminPrincipal,
    CurrentPrincipal,
    ReadOnlyTicketDep,
    ReadSessionDep,
    SessionDep,
)
from servicedesk_tickets.people import service as people

ACTOR = {"actor_id": "actor"}

router = APIRouter(tags=["audit"])


@router.get(
    "/api/tickets/{ticket_id}/history",
    response_model=list[HistoryEntry],
    responses=errors(401, 404, 422),
)
async def ticket_history(
    ticket: ReadOnlyTicketDep, session: ReadSessionDep, principal: CurrentPrincipal
) -> list[dict]:
    """The ticket's audit entries, oldest first (internal notes only for staff)."""
    staff = permissions.is_staff(principal, ticket.system)
    entries = await service.history(session, ticket_id=ticket.id, staff=staff)
    return await people.named(session, HistoryEntry, entries, ACTOR)


@router.get("/api/admin/audit", response_model=AuditPage, responses=errors(401, 403, 422))
async def list_audit(
    filters: Annotated[AuditFilters, Query()], session: SessionDep, _admin: AdminPrincipal
) -> dict[str, Any]:
    """Audit entries, newest first, filtered (global admins and superusers)."""
    items, total = await service.get_all(session, filters=filters)
    return {"items": await people.named(session, AuditRead, items, ACTOR), "total": total}


# `SessionDep`, not a read-only session: the seal pass writes, and its lock lasts as long as
# the transaction does (an AUTOCOMMIT session is refused by the sealer).
@router.get("/api/admin/audit/verify", response_model=VerifyResult, responses=errors(401, 403))
async def verify_audit(session: SessionDep, _admin: AdminPrincipal) -> VerifyResult:
    """Seal what is queued, recompute the hash chain, name the first broken entry if any."""
    return await verify.verify(session)
