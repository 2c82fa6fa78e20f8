"""`/api/tickets/{id}/attachments`: upload (streamed, sniffed, capped), list, download."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from servicedesk_shared.openapi import ErrorBody, errors
from servicedesk_shared.transaction import on_rollback
from servicedesk_tickets.attachments import service, upload
from servicedesk_tickets.attachments.filenames import content_disposition
from servicedesk_tickets.attachments.schemas import AttachmentRead
from servicedesk_tickets.deps import (
    CurrentPrincipal,
    ReadOnlyTicketDep,
    ReadSessionDep,
    RuntimeDep,
    SessionDep,
    TicketDep,
)
from servicedesk_tickets.errors import AttachmentNotFound, QuotaExceeded
from servicedesk_tickets.people import service as people

router = APIRouter(tags=["attachments"])
PATH = "/api/tickets/{ticket_id}/attachments"
UPLOADED_BY = {"uploader_id": "uploaded_by"}
MULTIPART_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, no-store",
}


UPLOAD_ERRORS = {
    **errors(401, 404, 413),
    415: {
        "model": ErrorBody,
        "description": "The bytes match no allowed type (`unsupported_media_type`)",
    },
    422: {
        "model": ErrorBody,
        "description": "Not multipart or no `file` part (`bad_upload`), "
        "or an image whose header declares more pixels (width x height) than "
        "`TICKETS_ATTACHMENT_MAX_PIXELS` (`image_too_large`)",
    },
}


@router.post(
    PATH,
    status_code=201,
    response_model=AttachmentRead,
    openapi_extra=MULTIPART_BODY,
    responses=UPLOAD_ERRORS,
)
async def upload_attachment(
    request: Request,
    ticket: TicketDep,
    session: SessionDep,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
) -> dict:
    """Attach a file (multipart `file`): PNG, JPEG, GIF, WebP, PDF or plain text."""
    settings = runtime.settings
    budget = settings.attachment_quota_bytes - await service.used_bytes(
        session, user_id=principal.id
    )
    if budget <= 0:
        raise QuotaExceeded()
    # Give the pooled connection back while the body streams in (slow clients).
    await session.close()
    stored = await upload.receive_file(
        request,
        directory=settings.attachments_dir,
        max_bytes=settings.attachment_max_bytes,
        budget=budget,
        max_pixels=settings.attachment_max_pixels,
    )
    on_rollback(session, stored.remove)
    attachment = await service.create(
        session,
        ticket=ticket,
        stored=stored,
        actor=principal,
        quota=settings.attachment_quota_bytes,
    )
    return (await people.named(session, AttachmentRead, [attachment], UPLOADED_BY))[0]


@router.get(PATH, response_model=list[AttachmentRead], responses=errors(401, 404, 422))
async def list_attachments(ticket: ReadOnlyTicketDep, session: ReadSessionDep) -> list[dict]:
    """The ticket's attachments, oldest first."""
    attachments = await service.get_all(session, ticket=ticket)
    return await people.named(session, AttachmentRead, attachments, UPLOADED_BY)


DOWNLOAD_RESPONSES = {200: {"content": {"application/octet-stream": {}}}, **errors(401, 404, 422)}


@router.get(PATH + "/{attachment_id}", response_class=FileResponse, responses=DOWNLOAD_RESPONSES)
async def download_attachment(
    attachment_id: uuid.UUID, ticket: TicketDep, session: SessionDep, runtime: RuntimeDep
) -> FileResponse:
    """Download an attachment (always as a download, never rendered inline)."""
    attachment = await service.get(session, ticket=ticket, attachment_id=attachment_id)
    path = runtime.settings.attachments_dir / attachment.storage_name
    if not path.is_file():
        raise AttachmentNotFound("The attachment's file is missing")
    headers = {**DOWNLOAD_HEADERS, "Content-Disposition": content_disposition(attachment.filename)}
    return FileResponse(path, media_type=attachment.content_type, headers=headers)
