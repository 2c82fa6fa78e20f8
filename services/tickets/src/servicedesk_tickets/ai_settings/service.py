"""Read and replace the global AI settings (audited as `ai_settings.updated`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared.principal import Principal
from servicedesk_tickets.ai_settings.models import SINGLETON, AiSettings
from servicedesk_tickets.ai_settings.schemas import AiSettingsWrite
from servicedesk_tickets.audit import service as audit
from servicedesk_tickets.database import utcnow


async def get(session: AsyncSession, *, for_update: bool = False) -> AiSettings:
    """The one settings row (seeded by the migration)."""
    query = select(AiSettings).where(AiSettings.id == SINGLETON)
    return (await session.scalars(query.with_for_update() if for_update else query)).one()


async def update(session: AsyncSession, *, data: AiSettingsWrite, actor: Principal) -> AiSettings:
    """Replace the settings; a change is audited with the old and new values."""
    row = await get(session, for_update=True)
    old = {"auto_apply": row.auto_apply, "min_confidence": row.min_confidence}
    new = data.model_dump()
    if new == old:
        return row
    row.auto_apply, row.min_confidence = data.auto_apply, data.min_confidence
    row.updated_at, row.updated_by = utcnow(), actor.id
    audit.record(
        session,
        actor=actor,
        action="ai_settings.updated",
        object_type="ai_settings",
        object_id="global",
        old=old,
        new=new,
    )
    return row
