"""What the lifespan opens once and every request shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from servicedesk_auth.config import Settings
from servicedesk_auth.denylist import DenyList
from servicedesk_auth.mfa.crypto import TotpCipher
from servicedesk_auth.passwords.hashing import PasswordHasher
from servicedesk_shared.apikeys import ApiKeys
from servicedesk_shared.redis import Keys
from servicedesk_shared.runtime import ServiceRuntime
from servicedesk_shared.tokens import ACCESS, Remembered, TokenSettings
from servicedesk_shared.tokens import verify as verify_token


@dataclass
class Runtime(ServiceRuntime[Settings]):
    """The shared settings, engine, sessions and Redis, and auth's own."""

    keys: Keys
    hasher: PasswordHasher
    denylist: DenyList
    tokens: TokenSettings
    totp: TotpCipher
    api_keys: ApiKeys
    # Access tokens verified once per token string (the claims as `tokens.verify` gives
    # them); auth's routes then check them against PostgreSQL on every request.
    access: Remembered[dict[str, Any]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        verify = partial(verify_token, self.tokens, token_type=ACCESS)
        self.access = Remembered(verify, expiry=lambda claims: claims["exp"])
