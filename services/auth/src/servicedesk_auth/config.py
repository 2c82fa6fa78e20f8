"""Settings of the auth service: `AUTH_*` variables plus the shared, unprefixed ones."""

from __future__ import annotations

import logging
import os

from pydantic import Field, SecretStr, model_validator

from servicedesk_auth.mfa.crypto import VARIABLE as TOTP_KEYS_VARIABLE
from servicedesk_auth.mfa.crypto import TotpCipher, parse_keys
from servicedesk_shared.settings import (
    DatabaseServiceSettings,
    env,
    prefixed,
    refuse_placeholder_keys,
    secret_keys_or_dev_key,
)

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/desk_auth"

log = logging.getLogger(__name__)


class Settings(DatabaseServiceSettings):
    model_config = prefixed("AUTH_")

    database_url: str = DEFAULT_DATABASE_URL
    port: int = 8001
    access_token_ttl: int = 900
    refresh_token_ttl: int = 7 * 24 * 3600
    # OWASP's minimum for Argon2id: m=19 MiB, t=2, p=1.
    argon2_memory_cost: int = 19456
    argon2_time_cost: int = 2
    argon2_parallelism: int = 1
    hash_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    # Niceness of the hashing threads: logins use idle CPU, other requests go first.
    hash_nice: int = Field(10, ge=0, le=19)
    denylist_interval: float = 2.0
    admin_username: str | None = Field(None, validation_alias=env("DESK_ADMIN_USERNAME"))
    admin_email: str | None = Field(None, validation_alias=env("DESK_ADMIN_EMAIL"))
    admin_password: SecretStr | None = Field(None, validation_alias=env("DESK_ADMIN_PASSWORD"))
    # `kid:secret[,kid:secret…]`: the first encrypts TOTP secrets at rest, all decrypt.
    totp_encryption_keys: SecretStr | None = None
    # Service-to-service keys (GET /internal/users, the people backfill); unset: refused.
    api_keys: SecretStr | None = Field(None, validation_alias=env("AUTH_API_KEYS"))

    @model_validator(mode="after")
    def _require_totp_keys(self) -> Settings:
        self.totp_encryption_keys = secret_keys_or_dev_key(
            self.totp_encryption_keys,
            variable=TOTP_KEYS_VARIABLE,
            environment=self.environment,
            consequence="TOTP secrets enrolled now will not decrypt after a restart.",
        )
        keys = parse_keys(self.totp_encryption_keys.get_secret_value())
        refuse_placeholder_keys(TOTP_KEYS_VARIABLE, keys, self.environment)
        return self

    @property
    def totp_cipher(self) -> TotpCipher:
        assert self.totp_encryption_keys is not None
        return TotpCipher.from_string(self.totp_encryption_keys.get_secret_value())

    @property
    def bootstrap_admin(self) -> tuple[str, str, str] | None:
        """(username, email, password) when all three DESK_ADMIN_* variables are set."""
        if self.admin_username and self.admin_email and self.admin_password:
            return self.admin_username, self.admin_email, self.admin_password.get_secret_value()
        return None
