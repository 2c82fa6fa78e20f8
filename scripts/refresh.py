"""Re-run AI triage for the open tickets, at most N at once, idempotent per ticket version
(contract §9). A thin wrapper: the program is the `servicedesk_refresh` package
(tools/refresh), which reads tickets from tickets' `GET /internal/tickets` and asks
ai-assist's `POST /internal/triage`, over HTTP only.

    .venv/bin/python scripts/refresh.py [--max-concurrency 5] [--max-retries 3] [--dry-run]
                                        [--system TTS] [--since 2026-11-01] [--ttl 604800]

Environment: TICKETS_URL (or TICKETS_PORT) and TICKETS_API_KEY (one of TICKETS_API_KEYS),
AI_ASSIST_URL (or AI_ASSIST_PORT) and AI_ASSIST_API_KEY (one of AI_ASSIST_API_KEYS),
REDIS_URL, REDIS_KEY_PREFIX; on `make run` the development keys in .devstack/ serve.
Details: tools/refresh/src/servicedesk_refresh/cli.py and config.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

try:
    from servicedesk_refresh.cli import main
except ModuleNotFoundError:  # a virtualenv from before tools/refresh joined the workspace
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools" / "refresh" / "src"))
    from servicedesk_refresh.cli import main

if __name__ == "__main__":
    sys.exit(main())
