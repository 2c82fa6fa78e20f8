"""Settings of the ai-assist service: `AI_ASSIST_*` variables, `OLLAMA_*`, and the shared ones."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr, field_validator

from servicedesk_ai_assist.ratelimit import parse_rate
from servicedesk_shared.settings import DatabaseServiceSettings, env, prefixed

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/desk_ai_assist"
DEFAULT_CATEGORIES = "access,account,hardware,software,network,outage,security,billing,other"


class Settings(DatabaseServiceSettings):
    model_config = prefixed("AI_ASSIST_")

    database_url: str = DEFAULT_DATABASE_URL
    port: int = 8004
    # The model behind every answer (Ollama's HTTP API).
    ollama_url: str = Field("http://127.0.0.1:11434", validation_alias=env("OLLAMA_URL"))
    ollama_model: str = Field("llama3.2:1b", validation_alias=env("OLLAMA_MODEL"))
    # One model call, connect to last byte; above it the caller gets 503.
    timeout: float = Field(20.0, gt=0)
    connect_timeout: float = Field(2.0, gt=0)
    # Circuit breaker: after `breaker_failures` failures in a row the model is presumed
    # down and calls fail at once for `breaker_reset` seconds; then one trial call.
    breaker_failures: int = Field(3, ge=1)
    breaker_reset: float = Field(30.0, gt=0)
    # Suggestions are cached in Redis by model + prompt hash.
    cache_ttl: int = Field(24 * 3600, ge=0)
    # Per user, on POST /api/ai/suggest: "<n>/<second|minute|hour>".
    rate_limit: str = Field(
        "20/minute", validation_alias=AliasChoices("RATE_LIMIT_AI", "rate_limit")
    )
    # E-mail addresses, phone numbers and card-like numbers never leave for the model.
    mask_pii: bool = True
    # The categories the model must choose from (comma-separated).
    categories: str = DEFAULT_CATEGORIES
    # Background triage of `ticket.created`: attempts per ticket before it is marked failed.
    triage_attempts: int = Field(2, ge=1)
    consumer_name: str = "ai-assist"
    consumer_delivery_limit: int = Field(5, ge=1)
    # Tickets triaged at once by the consumer (the model serialises work anyway).
    consumer_prefetch: int = Field(4, ge=1)
    # Outcomes committed together, with their inbox rows (1: each on its own); the model
    # is asked before, outside any transaction, so grouping never waits on it.
    consumer_group_size: int = Field(4, ge=1)
    # Service-to-service keys for POST /internal/triage (the refresh script); unset: refused.
    api_keys: SecretStr | None = Field(None, validation_alias=env("AI_ASSIST_API_KEYS"))

    @field_validator("rate_limit")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        parse_rate(value)  # ValueError names what is wrong
        return value

    def category_list(self) -> list[str]:
        return [c.strip().lower() for c in self.categories.split(",") if c.strip()]
