"""Named crash points, for the fault suite (tests/faults) only.

`DESK_FAILPOINTS=relay.after_publish` makes a process die at that point as a `SIGKILL`
would (`os._exit`: no `finally`, no commit, no goodbye to RabbitMQ), so a test can put a
crash exactly where timing alone would hit it once in a thousand runs — here, between a
relay's publish being confirmed and its rows being marked published. Ignored when
`DESK_ENV=production`; when unset, `crash_at` is one lookup in an empty set.

Points: `relay.after_publish` (servicedesk_shared.messaging.relay).
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)
EXIT_STATUS = 137  # what a shell reports for a process killed by SIGKILL (128 + 9)


def _armed() -> frozenset[str]:
    if os.environ.get("DESK_ENV") == "production":
        return frozenset()
    return frozenset(p.strip() for p in os.environ.get("DESK_FAILPOINTS", "").split(",") if p)


ARMED = _armed()


def crash_at(point: str) -> None:
    """Die here, now, if `point` is armed."""
    if point in ARMED:
        log.critical("failpoint %s: exiting as if killed", point)
        os._exit(EXIT_STATUS)
