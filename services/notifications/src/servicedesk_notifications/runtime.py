"""What the lifespan opens once and every request and background task shares."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from servicedesk_notifications.config import Settings
from servicedesk_notifications.webhooks.ssrf import Allowlist, Resolver
from servicedesk_shared.apikeys import ApiKeys
from servicedesk_shared.messaging.consumer import Consumer
from servicedesk_shared.principal import TokenGuard
from servicedesk_shared.runtime import ServiceRuntime


@dataclass
class Runtime(ServiceRuntime[Settings]):
    """The shared settings, engine, sessions and Redis, and notifications' own."""

    guard: TokenGuard
    api_keys: ApiKeys
    allowlist: Allowlist
    resolver: Resolver
    http: httpx.AsyncClient
    consumer: Consumer
