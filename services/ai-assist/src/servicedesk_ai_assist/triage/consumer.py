"""The `ticket.created` handler: ask the model as the delivery arrives, outside any
transaction (the consumer's `prepare` step: no pooled connection waits on the model), then
record the outcome in the (group's) transaction with its inbox row."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_ai_assist.suggest.service import Assistant
from servicedesk_ai_assist.triage import service
from servicedesk_ai_assist.triage.schemas import TicketText
from servicedesk_shared.events.payloads import AiTriageSuggested
from servicedesk_shared.messaging.consumer import Prepare, PreparedHandler
from servicedesk_shared.messaging.envelope import Envelope


def build_steps(
    assistant: Assistant, *, attempts: int
) -> tuple[dict[str, PreparedHandler], dict[str, Prepare]]:
    """`(handlers, prepare)` for `Consumer(handlers=..., prepare=...)`."""

    async def ask(event: Envelope) -> AiTriageSuggested:
        ticket = TicketText.model_validate(event.data["ticket"])
        return await service.outcome(assistant, ticket, attempts=attempts)

    async def ticket_created(session: AsyncSession, event: Envelope, result: Any) -> None:
        service.record(session, result, correlation_id=event.correlation_id)

    return {"ticket.created": ticket_created}, {"ticket.created": ask}
