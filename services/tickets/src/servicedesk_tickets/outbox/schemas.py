"""The envelope's fixed fields for this service's events (contract §6). Which types it
produces is what its code builds (`servicedesk_shared.events` models), checked against
the AsyncAPI document by shared/tests/test_event_producers.py."""

from __future__ import annotations

PRODUCER = "tickets"
VERSION = 1
