"""Settings of the auth service: `AUTH_*` variables plus the shared, unprefixed ones."""

from __future__ import annotations

import os

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from servicedesk_shared.settings import BaseServiceSettings, env
from servicedesk_shared.tokens import TokenSettings

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/desk_auth"


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="AUTH_", env_file=".env", extra="ignore", populate_by_name=True
    )

    database_url: str = DEFAULT_DATABASE_URL
    port: int = 8001
    db_pool_size: int = 10
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

    @property
    def token_settings(self) -> TokenSettings:
        return TokenSettings(self.keyring, self.jwt_issuer, self.jwt_audience)

    @property
    def bootstrap_admin(self) -> tuple[str, str, str] | None:
        """(username, email, password) when all three DESK_ADMIN_* variables are set."""
        if self.admin_username and self.admin_email and self.admin_password:
            return self.admin_username, self.admin_email, self.admin_password.get_secret_value()
        return None
