"""Gateway settings: upstreams, CORS, trusted proxies, rate limits, body limits, timeouts.

Gateway-only names carry the `GATEWAY_` prefix (`GATEWAY_PORT`, `GATEWAY_BEHIND_TLS`);
names the contract shares with other processes are read as written (`AUTH_PORT`,
`CORS_ALLOWED_ORIGINS`, `RATE_LIMIT_LOGIN`, ...). Lists are comma-separated strings.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from pydantic import Field, field_validator

from servicedesk_shared.settings import BaseServiceSettings, env, prefixed
from servicedesk_shared.topology import installed_services

MiB = 1024 * 1024
UPSTREAM_NAMES = ("auth", "tickets", "notifications", "ai-assist")
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)\s*$")
_WINDOWS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
# A base URL and nothing more: a path, query or credentials would be glued to every request.
_BASE_URL = re.compile(r"^https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?/?$")


class Rate(NamedTuple):
    limit: int
    window_s: int


def parse_rate(raw: str) -> Rate:
    """`5/minute` -> Rate(5, 60)."""
    match = _RATE.match(raw)
    if not match:
        raise ValueError(f"{raw!r} is not a rate like 5/minute (N/second|minute|hour|day)")
    return Rate(int(match[1]), _WINDOWS[match[2]])


def split_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_base_urls(raw: str, variable: str) -> list[str]:
    """`http://a:8002, http://b:8002/` -> the replicas' base URLs, without trailing slashes."""
    urls = split_list(raw)
    for url in urls:
        if not _BASE_URL.match(url):
            raise ValueError(
                f"{variable} entry {url!r} is not a base URL like http://host:port "
                "(comma-separated; no path, query or credentials)"
            )
    return [url.rstrip("/") for url in urls]


def _default_web_dir() -> str:
    """`frontend/dist` of this checkout, when the gateway runs from one (`make run`)."""
    root = Path(__file__).resolve().parents[3]
    return str(root / "frontend" / "dist") if (root / "frontend").is_dir() else ""


def _default_upstreams() -> str:
    """The services installed next to the gateway (all of them in the dev venv; none in
    the gateway's image, where the deployment sets GATEWAY_UPSTREAMS)."""
    names = [s.name for s in installed_services() if s.name in UPSTREAM_NAMES]
    return ",".join(names)


class Settings(BaseServiceSettings):
    model_config = prefixed("GATEWAY_")

    port: int = 8000
    metrics_port: int = 9000  # 0 disables
    # Loopback unless told otherwise: in a container Prometheus is another host, so the
    # images set 0.0.0.0 (never published; NetworkPolicy lets only Prometheus in).
    metrics_host: str = "127.0.0.1"
    behind_tls: bool = False
    upstreams: str = Field(default_factory=_default_upstreams)

    auth_port: int = Field(8001, validation_alias=env("AUTH_PORT"))
    tickets_port: int = Field(8002, validation_alias=env("TICKETS_PORT"))
    notifications_port: int = Field(8003, validation_alias=env("NOTIFICATIONS_PORT"))
    ai_assist_port: int = Field(8004, validation_alias=env("AI_ASSIST_PORT"))
    auth_url: str | None = Field(None, validation_alias=env("AUTH_URL"))
    tickets_url: str | None = Field(None, validation_alias=env("TICKETS_URL"))
    notifications_url: str | None = Field(None, validation_alias=env("NOTIFICATIONS_URL"))
    ai_assist_url: str | None = Field(None, validation_alias=env("AI_ASSIST_URL"))

    cors_allowed_origins: str = Field(
        "http://localhost:5173", validation_alias=env("CORS_ALLOWED_ORIGINS")
    )
    trusted_proxies: str = Field("", validation_alias=env("TRUSTED_PROXIES"))

    rate_limit_login: str = Field("5/minute", validation_alias=env("RATE_LIMIT_LOGIN"))
    rate_limit_register: str = Field("3/minute", validation_alias=env("RATE_LIMIT_REGISTER"))
    rate_limit_anon: str = Field("100/hour", validation_alias=env("RATE_LIMIT_ANON"))
    rate_limit_user: str = Field("1000/hour", validation_alias=env("RATE_LIMIT_USER"))
    rate_limit_admin: str = Field("5000/hour", validation_alias=env("RATE_LIMIT_ADMIN"))

    json_max_bytes: int = 1 * MiB
    attachment_max_bytes: int = Field(10 * MiB, validation_alias=env("ATTACHMENT_MAX_BYTES"))
    upstream_connect_timeout: float = 2.0
    upstream_read_timeout: float = 30.0
    upstream_pool_size: int = 512
    # Seconds a replica that refused a connection is skipped (then tried again).
    upstream_cooldown: float = Field(5.0, ge=0)
    # How long a resolved upstream name is kept: one name with several addresses (compose
    # `deploy.replicas`, a headless Service) gets new connections spread as DNS rotates.
    upstream_dns_ttl: int = Field(10, ge=0)
    # Requests in the gateway at once: room for every service's own bound (64 each).
    max_in_flight: int = Field(256, ge=1)
    redis_timeout: float = 1.0  # a slower answer counts as Redis down (fail closed)
    openapi_ttl: float = 60.0
    # Queues whose depth `GET /api/admin/ops` reports (passive declares on AMQP_URL).
    ops_queues: str = (
        "notifications,notifications.dlq,ai-assist,ai-assist.dlq,tickets,tickets.dlq,"
        "servicedesk.events.unrouted"
    )
    # The built web UI served at `/`; empty: no UI (the API only).
    web_dir: str = Field(default_factory=_default_web_dir)

    @field_validator(
        "rate_limit_login",
        "rate_limit_register",
        "rate_limit_anon",
        "rate_limit_user",
        "rate_limit_admin",
    )
    @classmethod
    def _valid_rate(cls, value: str) -> str:
        parse_rate(value)
        return value

    @field_validator("upstreams")
    @classmethod
    def _known_upstreams(cls, value: str) -> str:
        unknown = set(split_list(value)) - set(UPSTREAM_NAMES)
        if unknown:
            raise ValueError(f"GATEWAY_UPSTREAMS names unknown services: {sorted(unknown)}")
        return value

    @field_validator("auth_url", "tickets_url", "notifications_url", "ai_assist_url")
    @classmethod
    def _valid_base_urls(cls, value: str | None, info) -> str | None:
        if value:
            parse_base_urls(value, info.field_name.upper())
        return value

    def upstream_urls(self, name: str) -> list[str]:
        """Base URLs of upstream `name`'s replicas: its `*_URL` (a comma-separated list) if
        set, else 127.0.0.1 on its port."""
        attr = name.replace("-", "_")
        urls = parse_base_urls(getattr(self, f"{attr}_url") or "", f"{attr.upper()}_URL")
        return urls or [f"http://127.0.0.1:{getattr(self, f'{attr}_port')}"]

    @property
    def required_upstreams(self) -> list[str]:
        """The services `/readyz` and `/openapi.json` expect to exist."""
        return split_list(self.upstreams)
