"""The events the tickets service consumes, one module each, run by the shared `Consumer`
(queue `tickets`, inbox idempotency, bounded retries, dead letters in `tickets.dlq`):

    ai.triage.suggested   store the triage on its ticket (with tickets' own duplicate
                          candidates) and auto-apply it when the admin setting says so
    user.registered       add the person to the directory of people (`people/`)
    user.updated          the person's newer profile (never over a newer one)
    user.roles_changed    the person's newer roles per system (roles only)
    system.created        a system auth added: its default workflow and SLA policy

Each handler runs in the consumer's one transaction next to the inbox row; the audit
entries it queued are inserted just before that transaction commits, as a request's are
(and chained by the sealer's next poll, within a second).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared.messaging.consumer import handlers_by_event
from servicedesk_shared.messaging.envelope import Envelope
from servicedesk_tickets.audit.service import flush_pending
from servicedesk_tickets.config import Settings
from servicedesk_tickets.consumers import (
    ai_triage_suggested,
    system_created,
    user_registered,
    user_roles_changed,
    user_updated,
)

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]
Specific = Callable[[AsyncSession, Envelope, Settings], Awaitable[None]]
SPECIFIC: dict[str, Specific] = handlers_by_event(
    ai_triage_suggested, system_created, user_registered, user_roles_changed, user_updated
)


async def _handle(
    specific: Specific, settings: Settings, session: AsyncSession, event: Envelope
) -> None:
    await specific(session, event, settings)
    await flush_pending(session)


def build_handlers(settings: Settings) -> dict[str, Handler]:
    """One handler per subscribed event type, for `Consumer(handlers=...)`."""
    return {kind: partial(_handle, specific, settings) for kind, specific in SPECIFIC.items()}
