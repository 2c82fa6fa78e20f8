"""Triage one ticket and record the outcome as an `ai.triage.suggested` outbox row.

The consumer never lets a failure vanish: after `attempts` tries (an open breaker is not
retried) it records `status: "failed"` with the reason, so the ticket shows the triage
failed instead of nothing; `scripts/refresh.py` can run it again later. The internal
endpoint (`record_failures=False`) raises instead, so its caller can retry and count.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_ai_assist.errors import BreakerOpen, ModelAnswerInvalid, ModelUnavailable
from servicedesk_ai_assist.outbox import service as outbox
from servicedesk_ai_assist.suggest.schemas import Suggestion
from servicedesk_ai_assist.suggest.service import Assistant
from servicedesk_ai_assist.triage.schemas import TicketText
from servicedesk_shared.backoff import delay as retry_delay
from servicedesk_shared.events.payloads import AiTriageSuggested

log = logging.getLogger(__name__)


def suggested(ticket_id: int, s: Suggestion) -> AiTriageSuggested:
    return AiTriageSuggested(ticket_id=ticket_id, status="suggested", **s.model_dump(mode="json"))


def failed(ticket_id: int, model: str, error: str) -> AiTriageSuggested:
    return AiTriageSuggested(ticket_id=ticket_id, status="failed", model=model, error=error)


async def ask_with_retries(
    assistant: Assistant, ticket: TicketText, *, attempts: int, backoff: float = 0.5
) -> Suggestion:
    for attempt in range(1, attempts + 1):
        try:
            return await assistant.suggest(ticket.prompt_text(), operation="triage")
        except BreakerOpen:
            raise
        except (ModelUnavailable, ModelAnswerInvalid):
            if attempt == attempts:
                raise
            await asyncio.sleep(retry_delay(attempt - 1, base=backoff))
    raise AssertionError("unreachable")


async def outcome(
    assistant: Assistant, ticket: TicketText, *, attempts: int, record_failures: bool = True
) -> AiTriageSuggested:
    """Ask the model (no database here): the suggestion, or the failure to record."""
    try:
        suggestion = await ask_with_retries(assistant, ticket, attempts=attempts)
        return suggested(ticket.id, suggestion)
    except (ModelUnavailable, ModelAnswerInvalid) as exc:
        if not record_failures:
            raise
        log.warning("triage of ticket %s failed: %s", ticket.id, exc.detail)
        return failed(ticket.id, assistant.model, exc.detail)


def record(
    session: AsyncSession, result: AiTriageSuggested, *, correlation_id: str | None = None
) -> None:
    """The outcome as an `ai.triage.suggested` outbox row in `session`'s transaction."""
    outbox.record(session, event=result, correlation_id=correlation_id)


async def triage(
    session: AsyncSession,
    assistant: Assistant,
    ticket: TicketText,
    *,
    attempts: int,
    record_failures: bool = True,
    correlation_id: str | None = None,
) -> AiTriageSuggested:
    result = await outcome(assistant, ticket, attempts=attempts, record_failures=record_failures)
    record(session, result, correlation_id=correlation_id)
    return result
