"""One inbox entry per ticket per burst of changes: what a change says, and the words of
an entry that gathered several.

A handler describes its change as a `Change`: its own title and body (what the entry
says while it is the only change) and `facts`, the structured part a group summary is
built from. `merge` folds a change into an entry's `summary` (a JSON object, stored on
the entry); `render` turns the summary into the entry's title and body:

    title   Ticket #12 “VPN drops”: status Open → In progress → Waiting; assigned to
            you by Ana Lima; 2 comments
    body    one line per change, oldest first (the last `MAX_LINES`)

Changes are put in the order they happened (`at`, the event's `occurred_at`), not the
order they were consumed: several consumers may handle a ticket's events side by side.

Facts, one or more per change:

    {"created": true}                    ticket.created (filed assigned to the recipient)
    {"status": ["open", "waiting"]}      ticket.status_changed (from, to: state names)
    {"assigned_by": "Ana Lima"}          ticket.assigned (to the recipient)
    {"comments": 1} / {"notes": 1}       comment.added, public / internal

SLA warnings and breaches carry no facts: each is an entry of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from servicedesk_notifications.texts import state_label

MAX_LINES = 20
MAX_STATES = 5
MAX_MOVES = 10
TITLE_LENGTH = 200
TICKET_TITLE_LENGTH = 60


@dataclass(frozen=True)
class Change:
    """One event's notification for one recipient."""

    kind: str
    title: str
    body: str = ""
    facts: dict[str, Any] = field(default_factory=dict)
    at: datetime | None = None  # when it happened; None: now

    @property
    def line(self) -> str:
        """The change as one line of a group's body (a public comment with its start)."""
        if self.facts.get("comments") and self.body:
            return f"{self.title}: {shorten(self.body, 120)}"
        return self.title


def shorten(text: str, length: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def start(change: Change, *, ticket_id: int, ticket_title: str) -> dict[str, Any]:
    """The summary of an entry that holds only this change."""
    empty = {"ticket": {"id": ticket_id, "title": ticket_title}, "lines": [], "dropped": 0}
    return merge(empty, change)


def _timestamp(at: datetime | None) -> str:
    """Sortable as text: ISO 8601 in UTC."""
    at = at or datetime.now(UTC)
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def _in_order(items: list[list[Any]], item: list[Any]) -> list[list[Any]]:
    """`items` (each `[at, ...]`, in time order) with `item` in its place."""
    return sorted([*items, item], key=lambda entry: entry[0])


def merge(summary: dict[str, Any], change: Change) -> dict[str, Any]:
    """A new summary: `summary` with `change` folded in (the input is not modified)."""
    merged = {**summary}
    facts, at = change.facts, _timestamp(change.at)
    if facts.get("created"):
        merged["created"] = True
    if "status" in facts:
        moves = _in_order(merged.get("moves", []), [at, *facts["status"]])
        merged["moves"] = moves[:1] + moves[1:][-MAX_MOVES:]  # the start and the latest
    if "assigned_by" in facts:
        merged["assigned_by"] = facts["assigned_by"]
    for counter in ("comments", "notes"):
        merged[counter] = merged.get(counter, 0) + facts.get(counter, 0)
    lines = _in_order(merged.get("lines", []), [at, change.line])
    merged["dropped"] = merged.get("dropped", 0) + max(len(lines) - MAX_LINES, 0)
    merged["lines"] = lines[-MAX_LINES:]
    return merged


def _states(moves: list[list[str]]) -> str:
    """`status Open → In progress → Waiting`: where the first move started, then each
    move's destination."""
    states = [moves[0][1], *(after for _, _, after in moves)]
    if len(states) > MAX_STATES:
        states = [states[0], "…", *states[-(MAX_STATES - 2) :]]
    return "status " + " → ".join(s if s == "…" else state_label(s) for s in states)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def parts(summary: dict[str, Any]) -> list[str]:
    """What changed, in a fixed order: the listing of a group's title."""
    found = ["filed and assigned to you"] if summary.get("created") else []
    if summary.get("moves"):
        found.append(_states(summary["moves"]))
    if summary.get("assigned_by"):
        found.append(f"assigned to you by {summary['assigned_by']}")
    if summary.get("comments"):
        found.append(_plural(summary["comments"], "comment"))
    if summary.get("notes"):
        found.append(_plural(summary["notes"], "internal note"))
    return found


def render(summary: dict[str, Any]) -> tuple[str, str]:
    """(title, body) of an entry that gathered more than one change."""
    ticket = summary["ticket"]
    about = f"Ticket #{ticket['id']} “{shorten(ticket['title'], TICKET_TITLE_LENGTH)}”"
    title = shorten(f"{about}: {'; '.join(parts(summary))}", TITLE_LENGTH)
    lines = [line for _, line in summary["lines"]]
    if summary.get("dropped"):
        lines = [f"… {_plural(summary['dropped'], 'earlier change')}", *lines]
    return title, "\n".join(lines)
