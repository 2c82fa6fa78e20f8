"""Service-to-service API keys (`NOTIFICATION_API_KEYS`, `AI_ASSIST_API_KEYS`): only SHA-256
digests are kept, compared in constant time.

Every configured key is compared on every call (no early exit that would tell which one
matched); several keys are valid at once so a new one can be rolled out before the old
one is retired. No key configured: every call is refused.
"""

from __future__ import annotations

import hashlib
import hmac


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class ApiKeys:
    def __init__(self, keys: list[str]) -> None:
        self._digests = [_digest(key) for key in keys]

    def __len__(self) -> int:
        return len(self._digests)

    def verify(self, presented: str | None) -> bool:
        if not presented or not self._digests:
            return False
        digest = _digest(presented)
        matched = False
        for known in self._digests:
            matched |= hmac.compare_digest(known, digest)
        return matched
