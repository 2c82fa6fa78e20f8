"""Structured JSON logs, one object per line, carrying the request id of the current request
(and, in a consumer, the event being handled with its correlation id)."""

from __future__ import annotations

import contextvars
import logging
import sys
from datetime import UTC, datetime

import orjson

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
# The event a consumer is handling: `event_id`, `event_type` and the `correlation_id` it
# carries (the request id of the request that caused it, also set as the request id).
event_var: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "event", default=None
)

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        event = event_var.get()
        if event:
            entry.update(event)
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send every log record to stderr as JSON; quiet uvicorn's access log (we log our own)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True


security_log = logging.getLogger("servicedesk.security")
"""Security events (failed logins, denied access, role changes) go here, tagged `event`."""


def security_event(event: str, **fields: object) -> None:
    security_log.warning(event, extra={"event": event, **fields})
