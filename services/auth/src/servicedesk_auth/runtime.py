"""What the lifespan opens once and every request shares."""

from __future__ import annotations

from dataclasses import dataclass

from servicedesk_auth.config import Settings
from servicedesk_auth.denylist import DenyList
from servicedesk_auth.mfa.crypto import TotpCipher
from servicedesk_auth.passwords.hashing import PasswordHasher
from servicedesk_shared.apikeys import ApiKeys
from servicedesk_shared.redis import Keys
from servicedesk_shared.runtime import ServiceRuntime
from servicedesk_shared.tokens import TokenSettings


@dataclass
class Runtime(ServiceRuntime[Settings]):
    """The shared settings, engine, sessions and Redis, and auth's own."""

    keys: Keys
    hasher: PasswordHasher
    denylist: DenyList
    tokens: TokenSettings
    totp: TotpCipher
    api_keys: ApiKeys
