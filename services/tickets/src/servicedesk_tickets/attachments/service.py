"""Attachments: record an uploaded file (quota re-checked under a per-user lock), list,
and find one of a given ticket (an id of another ticket is simply not found)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared.principal import Principal
from servicedesk_tickets.attachments.filenames import display_name
from servicedesk_tickets.attachments.models import Attachment
from servicedesk_tickets.attachments.upload import StoredFile
from servicedesk_tickets.audit import service as audit
from servicedesk_tickets.errors import AttachmentNotFound, QuotaExceeded
from servicedesk_tickets.ticketing.models import Ticket


async def used_bytes(session: AsyncSession, *, user_id: str) -> int:
    query = select(func.coalesce(func.sum(Attachment.size), 0)).where(
        Attachment.uploader_id == user_id
    )
    return int(await session.scalar(query) or 0)


async def _check_quota(session: AsyncSession, *, user_id: str, size: int, quota: int) -> None:
    """Serialise one user's concurrent uploads so two cannot both squeeze under the quota."""
    lock = text("SELECT pg_advisory_xact_lock(hashtextextended('attachments:' || :u, 0))")
    await session.execute(lock, {"u": user_id})
    if await used_bytes(session, user_id=user_id) + size > quota:
        raise QuotaExceeded()


async def create(
    session: AsyncSession, *, ticket: Ticket, stored: StoredFile, actor: Principal, quota: int
) -> Attachment:
    """Record the file on the ticket; audited."""
    await _check_quota(session, user_id=actor.id, size=stored.size, quota=quota)
    assert stored.type is not None
    attachment = Attachment(
        ticket_id=ticket.id,
        uploader_id=actor.id,
        size=stored.size,
        sha256=stored.sha256,
        filename=display_name(stored.raw_filename, stored.type.extension),
        content_type=stored.type.content_type,
        storage_name=stored.storage_name,
    )
    session.add(attachment)
    await session.flush()
    new = {
        "attachment_id": str(attachment.id),
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
    }
    audit.on_ticket(session, ticket_id=ticket.id, actor=actor, action="attachment.added", new=new)
    return attachment


async def get_all(session: AsyncSession, *, ticket: Ticket) -> list[Attachment]:
    query = select(Attachment).where(Attachment.ticket_id == ticket.id)
    return list((await session.scalars(query.order_by(Attachment.created_at))).all())


async def get(session: AsyncSession, *, ticket: Ticket, attachment_id: uuid.UUID) -> Attachment:
    query = select(Attachment).where(
        Attachment.id == attachment_id, Attachment.ticket_id == ticket.id
    )
    attachment = await session.scalar(query)
    if attachment is None:
        raise AttachmentNotFound()
    return attachment
