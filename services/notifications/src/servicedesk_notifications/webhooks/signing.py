"""The webhook signature (documented in docs/events.md for receivers):

    X-Webhook-Id:        the event id
    X-Webhook-Timestamp: unix seconds when this attempt was sent
    X-Signature:         sha256=<hex HMAC-SHA256(secret, f"{id}.{timestamp}.".encode() + body)>

Signing the id and the timestamp with the body lets a receiver refuse replays (an old
timestamp, an id already seen) as well as forgeries.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{event_id}.{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def headers(secret: str, event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "X-Webhook-Id": event_id,
        "X-Webhook-Timestamp": str(timestamp),
        "X-Signature": signature(secret, event_id, timestamp, body),
    }
