"""Settings of the notifications service: `NOTIFICATIONS_*` variables plus the shared ones."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, SecretStr

from servicedesk_shared.settings import DatabaseServiceSettings, env, prefixed

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/desk_notifications"


class Settings(DatabaseServiceSettings):
    model_config = prefixed("NOTIFICATIONS_")

    database_url: str = DEFAULT_DATABASE_URL
    port: int = 8003
    # The consumer's queue is `<consumer_name>`, its dead letters `<consumer_name>.dlq`.
    consumer_name: str = "notifications"
    consumer_delivery_limit: int = Field(5, ge=1)
    # Deliveries waiting together are handled in one transaction, up to this many (1: one
    # transaction each); see servicedesk_shared.messaging.consumer.
    consumer_group_size: int = Field(16, ge=1)
    # Service-to-service keys (POST /internal/notifications); unset: every call refused.
    api_keys: SecretStr | None = Field(None, validation_alias=env("NOTIFICATION_API_KEYS"))
    # E-mail: no SMTP host, no e-mail channel (no rows written, nothing sent).
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "Service Desk <servicedesk@localhost>"
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout: float = 10.0
    email_max_attempts: int = Field(5, ge=1)
    # Webhooks: comma-separated CIDRs or host names allowed despite the SSRF rules.
    webhook_allowlist: str = ""
    webhook_max_attempts: int = Field(6, ge=1)
    webhook_timeout: float = 10.0
    # Background senders: how often they look for due rows, and the retry backoff.
    dispatch_interval: float = Field(1.0, gt=0)
    retry_base_seconds: float = Field(2.0, gt=0)
    retry_max_seconds: float = Field(600.0, gt=0)
    dispatch_batch: int = Field(20, ge=1)
    # The inbox: an unread entry about a ticket gathers the ticket's next change for its
    # recipient while its last change is at most this old (seconds); 0 turns grouping off.
    group_window_seconds: float = Field(600.0, ge=0)

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host)

    @property
    def group_window(self) -> timedelta:
        return timedelta(seconds=self.group_window_seconds)

    def allowlist_entries(self) -> list[str]:
        return [entry.strip() for entry in self.webhook_allowlist.split(",") if entry.strip()]
