"""What the refresh prints: the header, a bar or one line per ticket, the summary block
(contract §9: Total / Processed / Skipped (idempotent) / Errors)."""

from __future__ import annotations

from typing import TextIO

from servicedesk_refresh.refresher import Options, Summary
from servicedesk_refresh.tickets import Ticket

RULE = "=" * 50


def header(options: Options) -> str:
    return "\n".join(
        [
            RULE,
            "Ticket Refresh Script",
            f"Max Concurrency: {options.max_concurrency}",
            f"Max Retries: {options.max_retries}",
            f"Dry Run: {options.dry_run}",
            RULE,
        ]
    )


def footer(summary: Summary) -> str:
    return "\n".join(
        [
            "",
            "Summary:",
            f"  Total: {summary.total}",
            f"  Processed: {summary.processed}",
            f"  Skipped (idempotent): {summary.skipped}",
            f"  Errors: {summary.errors}",
            RULE,
        ]
    )


def redacted(url: str) -> str:
    """The URL without its password, for printing."""
    scheme, sep, rest = url.partition("://")
    creds, at, host = rest.rpartition("@")
    if not at:
        return url
    user = creds.split(":", 1)[0]
    return f"{scheme}{sep}{user + ':***' if user else '***'}@{host}"


class Progress:
    """A bar on a terminal; one plain line per ticket otherwise (logs, CI, pipes)."""

    def __init__(self, total: int, out: TextIO, *, dry_run: bool) -> None:
        self.total, self.out, self.dry_run = total, out, dry_run
        self.done = 0
        self.tty = out.isatty()

    def __call__(self, outcome: str, ticket: Ticket) -> None:
        self.done += 1
        if self.tty:
            filled = int(30 * self.done / max(self.total, 1))
            bar = "#" * filled + "-" * (30 - filled)
            self.out.write(f"\r[{bar}] {self.done}/{self.total}")
            if self.done == self.total:
                self.out.write("\n")
        else:
            self.out.write(self._line(outcome, ticket) + "\n")
        self.out.flush()

    def _line(self, outcome: str, ticket: Ticket) -> str:
        if outcome == "error":
            return f"Ticket {ticket.id}: error: {ticket.error}"
        if outcome == "skipped":
            return f"Ticket {ticket.id}: skipped (idempotent)"
        return f"Ticket {ticket.id}: {'would process' if self.dry_run else 'processed'}"
