"""Login, refresh and logout bodies, and the token pair every one of them returns."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Secret = Field(min_length=1, max_length=4096)


class LoginRequest(BaseModel):
    """JSON or OAuth2 password-flow form fields; `username` may be the email."""

    model_config = ConfigDict(extra="ignore")

    username: str = Field(min_length=1, max_length=320)
    password: str = Secret
    otp: str | None = Field(None, max_length=16)


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh: str = Secret


class LogoutRequest(RefreshRequest):
    pass


class TokenPair(BaseModel):
    """`access`/`refresh` as the contract names them; `*_token` twins for OAuth2 clients."""

    access: str
    refresh: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (a scheme name, not a secret)
    expires_in: int
    access_token: str
    refresh_token: str

    @classmethod
    def of(cls, *, access: str, refresh: str, expires_in: int) -> TokenPair:
        return cls(
            access=access,
            refresh=refresh,
            expires_in=expires_in,
            access_token=access,
            refresh_token=refresh,
        )
