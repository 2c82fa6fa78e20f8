"""`/api/export/tickets`: the caller's visible tickets as a streamed CSV download."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from servicedesk_shared.openapi import errors
from servicedesk_tickets import transaction
from servicedesk_tickets.audit import service as audit
from servicedesk_tickets.deps import CurrentPrincipal, StreamSessionDep
from servicedesk_tickets.export import service
from servicedesk_tickets.export.schemas import ExportParams

router = APIRouter(tags=["export"])


@router.get(
    "/api/export/tickets",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}, **errors(401, 422)},
)
async def export_tickets(
    params: Annotated[ExportParams, Query()], principal: CurrentPrincipal, session: StreamSessionDep
) -> StreamingResponse:
    """Export the tickets the caller may see (the list's filters) as CSV; audited."""
    # Audited before the first byte leaves (committed here: the request owns its
    # transaction), then streamed on the same connection.
    header, query = service.build_query(params, principal)
    audit.record(
        session,
        actor=principal,
        action="export",
        object_type="export",
        object_id=None,
        new=params.model_dump(exclude_none=True),
    )
    await transaction.commit(session)
    return StreamingResponse(
        service.csv_chunks(session, header, query),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{service.filename()}"'},
    )
