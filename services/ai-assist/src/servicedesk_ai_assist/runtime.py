"""What the lifespan opens once and every request and the consumer share."""

from __future__ import annotations

from dataclasses import dataclass

from servicedesk_ai_assist.config import Settings
from servicedesk_ai_assist.ratelimit import UserRateLimit
from servicedesk_ai_assist.suggest.service import Assistant
from servicedesk_shared.apikeys import ApiKeys
from servicedesk_shared.principal import TokenGuard
from servicedesk_shared.runtime import ServiceRuntime


@dataclass
class Runtime(ServiceRuntime[Settings]):
    """The shared settings, engine, sessions and Redis, and ai-assist's own."""

    guard: TokenGuard
    assistant: Assistant
    rate_limit: UserRateLimit
    api_keys: ApiKeys
