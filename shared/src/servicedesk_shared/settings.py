"""Settings base: every service builds one `Settings` class on top of this.

Configuration comes only from environment variables and an optional `.env`. The names
shared by every process (`REDIS_URL`, `AMQP_URL`, `JWT_SECRET_KEYS`, ...) are read without
a prefix, as the contract names them; service-specific ones carry the service's prefix
(`AUTH_DATABASE_URL`, `AUTH_PORT`).
"""

from __future__ import annotations

import logging
import secrets
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from servicedesk_shared.tokens import KeyRing, TokenSettings

log = logging.getLogger(__name__)

PLACEHOLDER_SECRETS = {"changeme", "change-me", "secret", "dev", "test", "password", "jwt-secret"}
# Fragments that mark a value copied from an example rather than generated.
PLACEHOLDER_FRAGMENTS = ("changeme", "change-me", "change_me", "replace-me", "placeholder")
MIN_SECRET_LENGTH = 32


def is_placeholder(secret: str) -> bool:
    """A well-known dummy value, an example's fill-in, or too short to be a real key."""
    value = secret.strip().lower()
    return (
        value in PLACEHOLDER_SECRETS
        or any(fragment in value for fragment in PLACEHOLDER_FRAGMENTS)
        or len(secret) < MIN_SECRET_LENGTH
    )


def refuse_placeholder_keys(variable: str, keys: dict[str, str], environment: str) -> None:
    """Outside `development` (so in `test` and `production`) every key must be real."""
    if environment == "development":
        return
    for kid, secret in keys.items():
        if is_placeholder(secret):
            raise ValueError(
                f"{variable} key {kid!r} is a placeholder or shorter than "
                f"{MIN_SECRET_LENGTH} characters; refused outside development "
                f"(DESK_ENV={environment})"
            )


def secret_keys_or_dev_key(
    value: SecretStr | None, *, variable: str, environment: str, consequence: str
) -> SecretStr:
    """A `kid:secret[,…]` setting as given; unset, refused in production and in development
    a generated key, with a warning saying what is lost (`consequence`) at a restart."""
    if value is not None:
        return value
    if environment == "production":
        raise ValueError(f"{variable} is not set (required when DESK_ENV=production)")
    log.warning(
        "%s is not set: using a generated development key. %s NEVER run like this in production.",
        variable,
        consequence,
    )
    return SecretStr(f"dev-{secrets.token_hex(4)}:{secrets.token_urlsafe(48)}")


def env(name: str) -> AliasChoices:
    """An environment variable name read exactly as written (no service prefix)."""
    return AliasChoices(name)


def prefixed(prefix: str) -> SettingsConfigDict:
    """The settings configuration of a process whose own variables start with `prefix`
    (`TICKETS_PORT`); the shared ones (`REDIS_URL`) are read as written (`env`)."""
    return SettingsConfigDict(
        env_prefix=prefix, env_file=".env", extra="ignore", populate_by_name=True
    )


class BaseServiceSettings(BaseSettings):
    """Settings every process has. Subclasses set `env_prefix` and add their own."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    environment: Literal["development", "test", "production"] = Field(
        "development", validation_alias=env("DESK_ENV")
    )
    log_level: str = Field("INFO", validation_alias=env("LOG_LEVEL"))
    host: str = "127.0.0.1"
    redis_url: str = Field("redis://127.0.0.1:6379/0", validation_alias=env("REDIS_URL"))
    redis_key_prefix: str = Field("desk:", validation_alias=env("REDIS_KEY_PREFIX"))
    amqp_url: str = Field("amqp://guest:guest@127.0.0.1:5672/", validation_alias=env("AMQP_URL"))
    jwt_secret_keys: SecretStr | None = Field(None, validation_alias=env("JWT_SECRET_KEYS"))
    jwt_issuer: str = Field("servicedesk-auth", validation_alias=env("JWT_ISSUER"))
    jwt_audience: str = Field("servicedesk", validation_alias=env("JWT_AUDIENCE"))
    # Overload (overload.py): requests handled at once by this process, and how long
    # (seconds) one may wait for a slot before it is refused with 503 `overloaded`.
    max_in_flight: int = Field(64, ge=1)
    in_flight_wait: float = Field(0.1, ge=0, le=10)

    @model_validator(mode="after")
    def _require_real_secrets(self) -> BaseServiceSettings:
        self.jwt_secret_keys = secret_keys_or_dev_key(
            self.jwt_secret_keys,
            variable="JWT_SECRET_KEYS",
            environment=self.environment,
            consequence="Tokens will not survive a restart or verify in other processes.",
        )
        keys = KeyRing.parse(self.jwt_secret_keys.get_secret_value())
        refuse_placeholder_keys("JWT_SECRET_KEYS", keys, self.environment)
        return self

    @property
    def keyring(self) -> KeyRing:
        assert self.jwt_secret_keys is not None
        return KeyRing.from_string(self.jwt_secret_keys.get_secret_value())

    @property
    def token_settings(self) -> TokenSettings:
        return TokenSettings(self.keyring, self.jwt_issuer, self.jwt_audience)


class DatabaseServiceSettings(BaseServiceSettings):
    """A service with a PostgreSQL database of its own (`<PREFIX>_DATABASE_URL`, each
    service giving its default) and the pool every service sizes the same way."""

    database_url: str
    db_pool_size: int = 10
    # Seconds a request waits for a pooled connection before 503 `overloaded`.
    db_pool_timeout: float = Field(2.0, gt=0)
    # Service-to-service keys its `/internal/*` routes accept, comma-separated; unset: every
    # internal call refused. Each service names the variable (`TICKETS_API_KEYS`, ...).
    api_keys: SecretStr | None = None

    def api_key_list(self) -> list[str]:
        raw = self.api_keys.get_secret_value() if self.api_keys else ""
        return [key.strip() for key in raw.split(",") if key.strip()]
