"""The processes of the system: each one's name, import name, port setting and database.

One table for the runtime and the dev tooling: the gateway's default upstreams are the
services installed next to it; `servicedesk_devtools.devstack` (`make run`) runs them.
A service whose package is not installed is skipped (the table runs ahead of the code).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    name: str
    module: str
    port_var: str
    port: int
    db_var: str | None = None
    db_name: str | None = None

    @property
    def installed(self) -> bool:
        return importlib.util.find_spec(self.module) is not None


SERVICES = [
    Service("auth", "servicedesk_auth", "AUTH_PORT", 8001, "AUTH_DATABASE_URL", "desk_auth"),
    Service(
        "tickets",
        "servicedesk_tickets",
        "TICKETS_PORT",
        8002,
        "TICKETS_DATABASE_URL",
        "desk_tickets",
    ),
    Service(
        "notifications",
        "servicedesk_notifications",
        "NOTIFICATIONS_PORT",
        8003,
        "NOTIFICATIONS_DATABASE_URL",
        "desk_notifications",
    ),
    Service(
        "ai-assist",
        "servicedesk_ai_assist",
        "AI_ASSIST_PORT",
        8004,
        "AI_ASSIST_DATABASE_URL",
        "desk_ai_assist",
    ),
    Service("gateway", "servicedesk_gateway", "GATEWAY_PORT", 8000),
]


def installed_services() -> list[Service]:
    return [s for s in SERVICES if s.installed]
