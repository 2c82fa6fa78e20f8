"""`POST /api/ai/suggest` (contract §8) and `GET /api/ai/status`."""

from __future__ import annotations

from fastapi import APIRouter

from servicedesk_ai_assist.deps import CurrentPrincipal, RuntimeDep
from servicedesk_ai_assist.suggest.schemas import Suggestion, SuggestRequest
from servicedesk_shared.openapi import errors

router = APIRouter(prefix="/api/ai", tags=["ai"])


@router.post("/suggest", response_model=Suggestion, responses=errors(401, 422, 429, 502, 503))
async def suggest(
    body: SuggestRequest, principal: CurrentPrincipal, runtime: RuntimeDep
) -> Suggestion:
    """Title, category, priority and summary for a ticket being filed. Only a suggestion:
    503 when the model is down or slow (file the ticket anyway), 502 when its answer was
    not valid."""
    await runtime.rate_limit.hit(principal.id)
    text = f"Title: {body.title}\n\n{body.description}" if body.title else body.description
    return await runtime.assistant.suggest(text)


@router.get("/status", responses=errors(401))
async def status(_: CurrentPrincipal, runtime: RuntimeDep) -> dict[str, object]:
    """The model's name, whether Ollama has it and answers, and the breaker's state."""
    return await runtime.assistant.model_status()
