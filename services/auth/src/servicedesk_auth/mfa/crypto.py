"""TOTP secrets at rest: AES-256-GCM under the key ring `AUTH_TOTP_ENCRYPTION_KEYS`.

Keys look like `JWT_SECRET_KEYS`: `kid:secret[,kid:secret…]`; the first encrypts, all
decrypt, so a new key is put first and the old one kept until every row is rewritten
(docs/runbooks/key-rotation.md). A stored secret is

    v1:<kid>:<base64url(nonce ‖ ciphertext ‖ tag)>

The AES key is HKDF-SHA256 of the configured secret (any long random string will do), and
the user id is the associated data, so a ciphertext copied into another user's row does
not decrypt. A value without `:` is a clear base32 secret from before encryption: it is
still read, and `bootstrap.encrypt_totp_secrets` rewrites it at start.
"""

from __future__ import annotations

import base64
import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VARIABLE = "AUTH_TOTP_ENCRYPTION_KEYS"
VERSION = "v1"
NONCE_BYTES = 12
HKDF_INFO = b"servicedesk-auth totp secret v1"


class TotpKeyError(RuntimeError):
    """A stored secret no configured key opens: a key was retired too early (or tampering)."""


def parse_keys(raw: str) -> dict[str, str]:
    """`kid:secret[,kid:secret…]` in order; the first one encrypts."""
    keys: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        kid, sep, secret = item.partition(":")
        if not sep or not kid.strip() or not secret:
            raise ValueError(f"{VARIABLE} must look like kid:secret[,kid:secret...]")
        keys[kid.strip()] = secret
    if not keys:
        raise ValueError(f"{VARIABLE} holds no key")
    return keys


def _aes_key(secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO)
    return hkdf.derive(secret.encode())


def is_clear(stored: str) -> bool:
    """A base32 secret stored before encryption (base32 never holds a `:`)."""
    return ":" not in stored


class TotpCipher:
    def __init__(self, keys: dict[str, str]) -> None:
        self._aead = {kid: AESGCM(_aes_key(secret)) for kid, secret in keys.items()}
        self.current_kid = next(iter(keys))

    @classmethod
    def from_string(cls, raw: str) -> TotpCipher:
        return cls(parse_keys(raw))

    def encrypt(self, secret: str, *, user_id: uuid.UUID) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead[self.current_kid].encrypt(nonce, secret.encode(), user_id.bytes)
        payload = base64.urlsafe_b64encode(nonce + sealed).decode()
        return f"{VERSION}:{self.current_kid}:{payload}"

    def decrypt(self, stored: str, *, user_id: uuid.UUID) -> str:
        if is_clear(stored):
            return stored
        version, _, rest = stored.partition(":")
        kid, _, payload = rest.partition(":")
        aead = self._aead.get(kid)
        if version != VERSION or aead is None:
            raise TotpKeyError(f"TOTP secret under key {kid!r}, which {VARIABLE} does not hold")
        raw = base64.urlsafe_b64decode(payload)
        try:
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], user_id.bytes).decode()
        except InvalidTag as exc:
            raise TotpKeyError(f"TOTP secret under key {kid!r} does not decrypt") from exc

    def is_current(self, stored: str) -> bool:
        """Encrypted under the first key: nothing to rewrite."""
        return stored.startswith(f"{VERSION}:{self.current_kid}:")
