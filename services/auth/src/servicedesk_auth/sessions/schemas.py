"""Login, refresh and logout bodies, and the token pair every one of them returns."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from servicedesk_shared.types import OtpCode, Strict, text

Secret = text(1, 4096)
LoginName = text(1, 320)


class LoginRequest(BaseModel):
    """JSON or OAuth2 password-flow form fields; `username` may be the email."""

    model_config = ConfigDict(extra="ignore")

    username: LoginName
    password: Secret
    otp: OtpCode | None = None


class RefreshRequest(Strict):
    refresh: Secret


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
