"""Argon2id hashing off the event loop, plus verification of Django's legacy PBKDF2 hashes.

Argon2 releases the GIL, so a bounded thread pool runs hashes in parallel without
blocking the loop (https://argon2-cffi.readthedocs.io/en/stable/api.html). A PBKDF2 hash
verifies and then `needs_rehash` is true, so login upgrades it to Argon2id.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

T = TypeVar("T")
PBKDF2_PREFIX = "pbkdf2_sha256$"


def verify_pbkdf2(encoded: str, password: str) -> bool:
    """Django's `pbkdf2_sha256$<iterations>$<salt>$<base64 sha256 digest>`."""
    try:
        _, iterations, salt, digest = encoded.split("$", 3)
        rounds = int(iterations)
    except ValueError:
        return False
    derived = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), rounds)
    return hmac.compare_digest(base64.b64encode(derived).decode(), digest)


class PasswordHasher:
    def __init__(self, *, memory_cost: int, time_cost: int, parallelism: int, workers: int):
        self._argon = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
            type=argon2.Type.ID,
        )
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="argon2")
        self._dummy = self._argon.hash(secrets.token_urlsafe(16))

    async def _run(self, fn: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def hash(self, password: str) -> str:
        return await self._run(self._argon.hash, password)

    def _verify(self, encoded: str, password: str) -> bool:
        if encoded.startswith(PBKDF2_PREFIX):
            return verify_pbkdf2(encoded, password)
        try:
            return self._argon.verify(encoded, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    async def verify(self, encoded: str, password: str) -> bool:
        return await self._run(self._verify, encoded, password)

    async def dummy_verify(self, password: str) -> None:
        """Spend what a real verify costs, so an unknown user answers as slowly."""
        await self.verify(self._dummy, password)

    def needs_rehash(self, encoded: str) -> bool:
        if encoded.startswith(PBKDF2_PREFIX):
            return True
        try:
            return self._argon.check_needs_rehash(encoded)
        except InvalidHashError:
            return True

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
