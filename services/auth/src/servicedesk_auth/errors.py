"""The auth service's errors, all mapped by `servicedesk_shared.errors` to one JSON shape.

    ServiceError (shared)
    ├── Unauthorized 401
    │   ├── InvalidCredentials      invalid_credentials  wrong user, password, or inactive
    │   ├── MfaRequired             mfa_required         TOTP on and no `otp` sent
    │   ├── MfaInvalid              mfa_invalid          wrong or replayed `otp`
    │   ├── TokenInvalid            token_invalid        bad, expired or revoked token
    │   │   └── RefreshReused       token_invalid        a used refresh token came back;
    │   │                                                its family is revoked (kept)
    │   └── ApiKeyInvalid           invalid_api_key      shared (apikeys): bad X-API-Key
    ├── Forbidden 403               forbidden
    ├── NotFound 404
    │   └── UserNotFound            not_found
    ├── Conflict 409
    │   ├── UserExists              user_exists          username or email taken
    │   ├── SystemExists            system_exists        POST /api/systems, a taken code
    │   ├── LastSuperuser           last_superuser
    │   └── MfaAlreadyEnabled       mfa_already_enabled
    └── Unprocessable 422
        ├── WeakPassword            weak_password        `errors`: every rule broken
        ├── WrongPassword           wrong_password       current password is not right
        ├── PasswordReused          password_reused      one of the last five
        ├── UnknownSystem           unknown_system
        ├── OtpInvalid              mfa_invalid          enrolment/disable code wrong
        └── MfaNotPending           mfa_not_pending      verify before enrolling

An error with `keep_changes = True` commits the request's transaction before the error
response goes out (see `deps.get_session`).
"""

from __future__ import annotations

from servicedesk_shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ServiceError,
    Unauthorized,
    Unprocessable,
)

__all__ = ["Forbidden", "ServiceError"]


class InvalidCredentials(
    Unauthorized, code="invalid_credentials", detail="Invalid username or password"
): ...


class MfaRequired(
    Unauthorized, code="mfa_required", detail="A one-time code (otp) is required"
): ...


class MfaInvalid(
    Unauthorized, code="mfa_invalid", detail="The one-time code is wrong or was already used"
): ...


class TokenInvalid(
    Unauthorized, code="token_invalid", detail="Token is invalid, expired or revoked"
): ...


class RefreshReused(TokenInvalid, keep_changes=True): ...


class UserNotFound(NotFound, detail="User not found"): ...


class UserExists(Conflict, code="user_exists", detail="Username or email is already taken"): ...


class SystemExists(Conflict, code="system_exists", detail="A system with this code exists"): ...


class LastSuperuser(
    Conflict, code="last_superuser", detail="The last active superuser cannot be removed"
): ...


class MfaAlreadyEnabled(
    Conflict, code="mfa_already_enabled", detail="TOTP is already enabled; disable it first"
): ...


class WeakPassword(
    Unprocessable, code="weak_password", detail="The password does not meet the password rules"
): ...


class WrongPassword(
    Unprocessable, code="wrong_password", detail="The current password is not correct"
): ...


class PasswordReused(
    Unprocessable, code="password_reused", detail="The password was one of your last five"
): ...


class UnknownSystem(Unprocessable, code="unknown_system", detail="Unknown system"): ...


class OtpInvalid(Unprocessable, code="mfa_invalid", detail="The one-time code is wrong"): ...


class MfaNotPending(Unprocessable, code="mfa_not_pending", detail="Start TOTP enrolment first"): ...
