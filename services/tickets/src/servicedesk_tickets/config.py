"""Settings of the tickets service: `TICKETS_*` variables plus the shared, unprefixed ones."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from servicedesk_shared.settings import DatabaseServiceSettings, env, prefixed

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/desk_tickets"
# services/tickets/src/servicedesk_tickets/config.py -> the repository root.
REPO_ROOT = Path(__file__).resolve().parents[4]
MiB = 1024 * 1024


class Settings(DatabaseServiceSettings):
    model_config = prefixed("TICKETS_")

    database_url: str = DEFAULT_DATABASE_URL
    port: int = 8002
    # Dev default under the checkout's git-ignored .devstack/; a volume in compose.
    attachments_dir: Path = REPO_ROOT / ".devstack" / "attachments"
    attachment_max_bytes: int = Field(10 * MiB, ge=1, validation_alias=env("ATTACHMENT_MAX_BYTES"))
    attachment_quota_bytes: int = Field(
        100 * MiB, ge=1, validation_alias=env("ATTACHMENT_QUOTA_BYTES")
    )
    # Images whose header declares more pixels (width x height) are refused (422).
    attachment_max_pixels: int = Field(50_000_000, ge=1)
    default_system: str = "TTS"
    # The event consumer (ai.triage.suggested): queue `<consumer_name>`, dead letters in
    # `<consumer_name>.dlq`.
    consumer_name: str = "tickets"
    consumer_delivery_limit: int = Field(5, ge=1)
    # Deliveries waiting together are handled in one transaction, up to this many (1: one
    # transaction each); see servicedesk_shared.messaging.consumer.
    consumer_group_size: int = Field(16, ge=1)
    # Possible duplicates stored with a triage: at most this many, at least this score.
    duplicate_limit: int = Field(5, ge=0, le=20)
    duplicate_min_score: float = Field(0.3, ge=0, le=1)
    # Possible duplicates and similar tickets: only the newest this many tickets sharing a
    # word are scored (similar/service.py says why).
    duplicate_candidates: int = Field(1000, ge=1, le=100_000)
    # The SLA scheduler's poll interval: events come at most this long after their moment.
    sla_poll_seconds: float = Field(5.0, gt=0, le=30)
    # Service-to-service keys (GET /internal/tickets, the AI refresh); unset: refused.
    api_keys: SecretStr | None = Field(None, validation_alias=env("TICKETS_API_KEYS"))
