"""The ledger: every acknowledged request's effect exactly once, and nothing else.

For one scenario's ops (`load.Op`), read what the system holds and count, per kind of
effect, `sent / acknowledged / present / duplicated / lost / unexpected`:

- tickets       rows of `tickets` titled after a create op (one per acknowledged create)
- comments      rows of `comments` with a comment op's body
- transitions   `ticket.status_changed` audit entries of a moved ticket (one per move)
- audit         every audit entry of the scenario's tickets, by (ticket, action)
- events        the third party's deliveries: one event id per effect (`ticket.created`,
                `comment.added`, `ticket.status_changed`); the same id delivered again is
                the bus's at-least-once (counted as `redelivered`, not as a duplicate)
- notifications `notification_changes` of the requester for each comment and move event

An acknowledged op's effect missing is `lost`; there twice, `duplicated`; an effect no
sent op explains is `unexpected`. Plus: every op acknowledged (clients retried until they
were), and the audit chain verifies.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import asyncpg

from servicedesk_shared.messaging.envelope import Envelope

from .load import Op

EVENT_TYPES = ("ticket.created", "comment.added", "ticket.status_changed")
AUDIT_ACTIONS = EVENT_TYPES  # the audit action of each op is named as its event


@dataclass
class Line:
    sent: int = 0
    acknowledged: int = 0
    present: int = 0
    duplicated: int = 0
    lost: int = 0
    unexpected: int = 0
    note: str = ""

    @property
    def clean(self) -> bool:
        return self.duplicated == self.lost == self.unexpected == 0


@dataclass
class Ledger:
    scenario: str
    lines: dict[str, Line] = field(default_factory=dict)
    unacknowledged: list[Op] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)

    @property
    def clean(self) -> bool:
        return not self.unacknowledged and all(line.clean for line in self.lines.values())

    def table(self) -> str:
        head = f"ledger {self.scenario}: HTTP statuses seen {dict(sorted(self.statuses.items()))}"
        rows = [
            head,
            f"  {'':14}{'sent':>6}{'acked':>7}{'present':>9}{'dup':>5}{'lost':>6}{'unexp':>7}",
        ]
        for name, line in self.lines.items():
            rows.append(
                f"  {name:14}{line.sent:>6}{line.acknowledged:>7}{line.present:>9}"
                f"{line.duplicated:>5}{line.lost:>6}{line.unexpected:>7}  {line.note}"
            )
        if self.unacknowledged:
            rows.append(
                f"  unacknowledged ops: {[(o.kind, o.statuses) for o in self.unacknowledged]}"
            )
        return "\n".join(rows)


def _count(expected: Counter, found: Counter, sent: int) -> Line:
    """`expected`: effect -> times it must be there (acknowledged); `found`: as read."""
    return Line(
        sent=sent,
        acknowledged=sum(expected.values()),
        present=sum(min(found[k], n) for k, n in expected.items()),
        duplicated=sum(max(found[k] - n, 0) for k, n in expected.items()),
        lost=sum(max(n - found[k], 0) for k, n in expected.items()),
        unexpected=sum(n for k, n in found.items() if k not in expected),
    )


async def tickets_side(dsn: str, scenario: str) -> dict[str, list]:
    like = f"{scenario}:%"
    conn = await asyncpg.connect(dsn)
    try:
        tickets = await conn.fetch("SELECT id, title FROM tickets WHERE title LIKE $1", like)
        ids = [str(r["id"]) for r in tickets]
        comments = await conn.fetch(
            "SELECT id, ticket_id, body FROM comments WHERE body LIKE $1", like
        )
        audit = await conn.fetch(
            "SELECT object_id, action FROM audit_log WHERE object_type = 'ticket' "
            "AND object_id = ANY($1::text[]) AND action = ANY($2::text[])",
            ids,
            list(AUDIT_ACTIONS),
        )
        unpublished = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    finally:
        await conn.close()
    return {"tickets": tickets, "comments": comments, "audit": audit, "unpublished": unpublished}


async def notification_changes(dsn: str, users: list[str]) -> list:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetch(
            "SELECT user_id, event_id::text AS event_id, kind FROM notification_changes "
            "WHERE user_id = ANY($1::text[]) AND kind = ANY($2::text[])",
            users,
            ["comment.added", "ticket.status_changed"],
        )
    finally:
        await conn.close()


def effect_of(event: Envelope) -> tuple[str, int] | None:
    """The effect an event reports: (type, ticket id or comment id)."""
    if event.type not in EVENT_TYPES:
        return None
    if event.type == "comment.added":
        return event.type, int(event.data["comment_id"])
    return event.type, int(event.data["ticket"]["id"])


def _sent(ops: list[Op], kind: str) -> list[Op]:
    return [op for op in ops if op.kind == kind]


def _acked(ops: list[Op], kind: str) -> list[Op]:
    return [op for op in ops if op.kind == kind and op.acked]


def _rows_line(ops: list[Op], kind: str, markers: list[str]) -> Line:
    """Rows found by their marker (a title, a comment's body) against the ops sent."""
    line = _count(Counter(op.marker for op in _acked(ops, kind)), Counter(markers), 0)
    sent = {op.marker for op in _sent(ops, kind)}
    line.sent = len(_sent(ops, kind))
    line.unexpected = sum(1 for marker in markers if marker not in sent)
    return line


def _ticket_of(op: Op) -> str:
    return str(op.result["id"] if op.kind == "create" else op.ticket_id)


def _audit_line(ops: list[Op], audit: Counter) -> Line:
    action = {
        "create": "ticket.created",
        "comment": "comment.added",
        "transition": "ticket.status_changed",
    }
    expected = Counter((_ticket_of(op), action[op.kind]) for op in ops if op.acked)
    return _count(expected, audit, len(ops))


def _transitions_line(ops: list[Op], audit: Counter) -> Line:
    moved = Counter({t: n for (t, a), n in audit.items() if a == "ticket.status_changed"})
    expected = Counter(str(op.ticket_id) for op in _acked(ops, "transition"))
    return _count(expected, moved, len(_sent(ops, "transition")))


def _expected_events(ops: list[Op]) -> Counter:
    return Counter(
        [("ticket.created", op.result["id"]) for op in _acked(ops, "create")]
        + [("comment.added", op.result["id"]) for op in _acked(ops, "comment")]
        + [("ticket.status_changed", op.ticket_id) for op in _acked(ops, "transition")]
    )


def _events_line(ops: list[Op], events: list[Envelope]) -> tuple[Line, dict[tuple, set]]:
    """One event id per effect; the same id again is a redelivery, not a duplicate."""
    tickets = {op.result["id"] for op in _acked(ops, "create")}
    mine = [e for e in events if effect_of(e) and (e.data.get("ticket") or {}).get("id") in tickets]
    ids: dict[tuple, set] = {}
    for event in mine:
        ids.setdefault(effect_of(event), set()).add(str(event.id))
    line = _count(_expected_events(ops), Counter({k: len(v) for k, v in ids.items()}), len(ops))
    line.note = f"deliveries {len(mine)}, redelivered {len(mine) - sum(map(len, ids.values()))}"
    return line, ids


def _notifications_line(ops: list[Op], ids: dict[tuple, set], changes: list) -> Line:
    """The requester told once of each comment and move (the admin made them)."""
    wanted = {
        eid for effect, found in ids.items() if effect[0] != "ticket.created" for eid in found
    }
    scenario = {eid for found in ids.values() for eid in found}
    line = _count(
        Counter(dict.fromkeys(wanted, 1)),
        Counter(r["event_id"] for r in changes if r["event_id"] in wanted),
        len(_sent(ops, "comment")) + len(_sent(ops, "transition")),
    )
    line.unexpected = sum(1 for r in changes if r["event_id"] in scenario - wanted)
    return line


def reckon(scenario: str, ops: list[Op], found: dict, events: list[Envelope], changes: list):
    """The ledger of one scenario from what was read (`tickets_side`, the third party's
    deliveries, `notification_changes`)."""
    ledger = Ledger(scenario)
    ledger.statuses = Counter(s for op in ops for s in op.statuses)
    ledger.unacknowledged = [op for op in ops if not op.acked]
    audit = Counter((r["object_id"], r["action"]) for r in found["audit"])
    ledger.lines["tickets"] = _rows_line(ops, "create", [r["title"] for r in found["tickets"]])
    ledger.lines["comments"] = _rows_line(ops, "comment", [r["body"] for r in found["comments"]])
    ledger.lines["transitions"] = _transitions_line(ops, audit)
    ledger.lines["audit"] = _audit_line(ops, audit)
    ledger.lines["events"], ids = _events_line(ops, events)
    ledger.lines["notifications"] = _notifications_line(ops, ids, changes)
    return ledger
