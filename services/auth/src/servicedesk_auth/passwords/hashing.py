"""Argon2id hashing off the event loop, plus verification of Django's legacy PBKDF2 hashes.

Argon2 releases the GIL, so a bounded thread pool runs hashes in parallel without
blocking the loop (https://argon2-cffi.readthedocs.io/en/stable/api.html). A PBKDF2 hash
verifies and then `needs_rehash` is true, so login upgrades it to Argon2id.

The hash threads run at a lower CPU priority (Linux `nice` is per thread): a login storm
then uses every idle cycle for Argon2, yet the event loops of this and the other
processes get the CPU first whenever they have work (docs/performance.md measures both).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import os
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

T = TypeVar("T")
log = logging.getLogger(__name__)
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


def lower_thread_priority(niceness: int) -> None:
    """Renice the calling thread (Linux: a thread is a task with its own nice value)."""
    if niceness <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
    except OSError:
        log.warning("could not lower the priority of the password-hashing threads")


class PasswordHasher:
    def __init__(
        self, *, memory_cost: int, time_cost: int, parallelism: int, workers: int, nice: int = 0
    ):
        self._argon = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
            type=argon2.Type.ID,
        )
        self._pool = ThreadPoolExecutor(
            workers,
            thread_name_prefix="argon2",
            initializer=lower_thread_priority,
            initargs=(nice,),
        )
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
