"""A real SMTP server (aiosmtpd, in its own thread) that keeps every message it gets."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class _Handler:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refusals: dict[str, int] = {}
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        with self.lock:
            if self.refusals.get(address, 0) > 0:
                self.refusals[address] -= 1
                return "450 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self, port: int) -> None:
        self.port = port
        self.handler = _Handler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def refuse(self, address: str, times: int) -> None:
        """Answer 450 (a temporary failure) to the next `times` deliveries to `address`."""
        with self.handler.lock:
            self.handler.refusals[address] = times

    def to(self, address: str) -> list[Received]:
        with self.handler.lock:
            return [r for r in self.handler.received if address in r.rcpt_tos]
