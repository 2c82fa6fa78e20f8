"""`/api/admin/ai-settings`: whether AI triage is applied automatically (global admins)."""

from __future__ import annotations

from fastapi import APIRouter

from servicedesk_shared.openapi import errors
from servicedesk_tickets.ai_settings import service
from servicedesk_tickets.ai_settings.models import AiSettings
from servicedesk_tickets.ai_settings.schemas import AiSettingsRead, AiSettingsWrite
from servicedesk_tickets.deps import AdminPrincipal, SessionDep

router = APIRouter(tags=["ai settings"])


@router.get("/api/admin/ai-settings", response_model=AiSettingsRead, responses=errors(401, 403))
async def get_ai_settings(session: SessionDep, _admin: AdminPrincipal) -> AiSettings:
    """Auto-apply of AI triage: on or off, and the confidence it needs."""
    return await service.get(session)


@router.put(
    "/api/admin/ai-settings", response_model=AiSettingsRead, responses=errors(401, 403, 422)
)
async def replace_ai_settings(
    data: AiSettingsWrite, session: SessionDep, admin: AdminPrincipal
) -> AiSettings:
    """Turn auto-apply on or off and set its confidence threshold; audited."""
    return await service.update(session, data=data, actor=admin)
