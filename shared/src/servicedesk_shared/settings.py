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

from servicedesk_shared.tokens import KeyRing

log = logging.getLogger(__name__)

PLACEHOLDER_SECRETS = {"changeme", "change-me", "secret", "dev", "test", "password", "jwt-secret"}


def env(name: str) -> AliasChoices:
    """An environment variable name read exactly as written (no service prefix)."""
    return AliasChoices(name)


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

    @model_validator(mode="after")
    def _require_real_secrets(self) -> BaseServiceSettings:
        if self.jwt_secret_keys is None:
            if self.environment == "production":
                raise ValueError("JWT_SECRET_KEYS is not set (required when DESK_ENV=production)")
            generated = f"dev-{secrets.token_hex(4)}:{secrets.token_urlsafe(48)}"
            self.jwt_secret_keys = SecretStr(generated)
            log.warning(
                "JWT_SECRET_KEYS is not set: using a generated development key. Tokens will "
                "not survive a restart or verify in other processes. NEVER run like this in "
                "production."
            )
        if self.environment == "production":
            for kid, secret in KeyRing.parse(self.jwt_secret_keys.get_secret_value()).items():
                if secret.lower() in PLACEHOLDER_SECRETS or len(secret) < 32:
                    raise ValueError(
                        f"JWT_SECRET_KEYS key {kid!r} is a placeholder or shorter than 32 "
                        "characters; refused outside development"
                    )
        return self

    @property
    def keyring(self) -> KeyRing:
        assert self.jwt_secret_keys is not None
        return KeyRing.from_string(self.jwt_secret_keys.get_secret_value())
