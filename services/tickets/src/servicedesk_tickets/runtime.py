"""What the lifespan opens once and every request and the event consumer share."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicedesk_shared.apikeys import ApiKeys
from servicedesk_shared.db import read_sessions
from servicedesk_shared.messaging.consumer import Consumer
from servicedesk_shared.principal import TokenGuard
from servicedesk_shared.runtime import ServiceRuntime
from servicedesk_tickets.config import Settings


@dataclass
class Runtime(ServiceRuntime[Settings]):
    """The shared settings, engine, sessions and Redis, and tickets' own."""

    guard: TokenGuard
    consumer: Consumer
    # Sessions for requests that only read (no transaction), over the same engine and pool.
    reads: async_sessionmaker[AsyncSession] = field(init=False)
    # The keys `GET /internal/tickets` accepts (`TICKETS_API_KEYS`), as digests.
    api_keys: ApiKeys = field(init=False)

    def __post_init__(self) -> None:
        self.reads = read_sessions(self.engine)
        self.api_keys = ApiKeys(self.settings.api_key_list())
