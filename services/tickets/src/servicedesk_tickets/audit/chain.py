"""The hash chain: `hash = sha256(prev_hash + canonical_json(entry))`.

Canonical JSON is sorted keys, no spaces, UTF-8, timestamps in ISO 8601 UTC with
microseconds, so anyone can recompute a hash from a row (see docs/tickets.md).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "old",
    "new",
    "request_id",
    "ip",
)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_json(entry: dict[str, Any]) -> str:
    """The hashed fields of `entry` as canonical JSON (`at` as an ISO string)."""
    fields = {name: entry.get(name) for name in HASHED_FIELDS}
    if isinstance(fields["at"], datetime):
        fields["at"] = iso(fields["at"])
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(entry)).encode()).hexdigest()
