"""`POST /internal/triage`: triage one ticket now (the refresh script's entry point).

On this service's own port only (the gateway answers 404 for `/internal/*`), behind
`X-API-Key`. Success records `ai.triage.suggested` like the consumer does; a model that is
down or answers badly is a 503/502 and records nothing, so the caller retries and counts.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from servicedesk_ai_assist.deps import RuntimeDep, SessionDep, require_api_key
from servicedesk_ai_assist.triage.schemas import TriageRequest
from servicedesk_ai_assist.triage.service import triage
from servicedesk_shared.events.payloads import AiTriageSuggested
from servicedesk_shared.openapi import errors

router = APIRouter(prefix="/internal", tags=["internal"])


@router.post(
    "/triage",
    response_model=AiTriageSuggested,
    dependencies=[Depends(require_api_key)],
    responses=errors(401, 422, 502, 503),
)
async def triage_now(
    body: TriageRequest, session: SessionDep, runtime: RuntimeDep
) -> AiTriageSuggested:
    return await triage(
        session, runtime.assistant, body.ticket(), attempts=1, record_failures=False
    )
