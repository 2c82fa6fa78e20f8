"""The `ticket.created` handler: triage the new ticket in the delivery's transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_ai_assist.suggest.service import Assistant
from servicedesk_ai_assist.triage.schemas import TicketText
from servicedesk_ai_assist.triage.service import triage
from servicedesk_shared.messaging.consumer import Handler
from servicedesk_shared.messaging.envelope import Envelope


def build_handlers(assistant: Assistant, *, attempts: int) -> dict[str, Handler]:
    async def ticket_created(session: AsyncSession, event: Envelope) -> None:
        ticket = TicketText.model_validate(event.data["ticket"])
        await triage(
            session, assistant, ticket, attempts=attempts, correlation_id=event.correlation_id
        )

    return {"ticket.created": ticket_created}
