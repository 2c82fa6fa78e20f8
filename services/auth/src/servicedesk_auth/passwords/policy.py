"""Password rules (NIST SP 800-63B, as Django's validators embody them): each broken rule
is reported, not only the first.

`common-passwords.txt.gz` is Django's list (django/contrib/auth/common-passwords.txt.gz,
BSD-3-Clause, © Django Software Foundation; 20,000 passwords compiled by Royce Williams).
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from importlib import resources

MIN_LENGTH = 8
# NIST asks for at least 64; the contract at least 128. The cap stops hashing megabytes.
MAX_LENGTH = 1024
MAX_SIMILARITY = 0.7


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str
    message: str


@cache
def common_passwords() -> frozenset[str]:
    raw = resources.files(__package__).joinpath("common-passwords.txt.gz").read_bytes()
    return frozenset(line.strip() for line in gzip.decompress(raw).decode().splitlines())


def _too_long_to_compare(password: str, value: str) -> bool:
    """Django's shortcut: a password ten times longer than the value cannot be similar."""
    return len(password) >= 10 * len(value) and len(value) < MAX_SIMILARITY / 2 * len(password)


def _attribute_parts(username: str, email: str) -> list[str]:
    parts: list[str] = []
    local = email.partition("@")[0]
    for value in (username.lower(), email.lower(), local.lower()):
        parts += [*re.split(r"\W+", value), value]
    return [p for p in dict.fromkeys(parts) if p]


def too_similar(password: str, *, username: str, email: str) -> bool:
    lowered = password.lower()
    for part in _attribute_parts(username, email):
        if _too_long_to_compare(lowered, part):
            continue
        if SequenceMatcher(a=lowered, b=part).quick_ratio() >= MAX_SIMILARITY:
            return True
    return False


def check(password: str, *, username: str, email: str) -> list[Violation]:
    """Every rule `password` breaks for this user; empty when it is acceptable."""
    broken: list[Violation] = []
    if len(password) < MIN_LENGTH:
        broken.append(Violation("min_length", f"At least {MIN_LENGTH} characters."))
    if len(password) > MAX_LENGTH:
        broken.append(Violation("max_length", f"At most {MAX_LENGTH} characters."))
    if password.lower().strip() in common_passwords():
        broken.append(Violation("common", "This password is too common."))
    if password.isdigit():
        broken.append(Violation("numeric", "The password cannot be entirely numeric."))
    if too_similar(password[:MAX_LENGTH], username=username, email=email):
        broken.append(Violation("similar", "Too similar to the username or email."))
    return broken
