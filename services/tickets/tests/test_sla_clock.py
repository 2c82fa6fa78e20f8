"""The clocks derived from a history (pure): pauses, priority changes, who responds, reopening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from servicedesk_tickets.sla.calendar import Calendar
from servicedesk_tickets.sla.clock import Fact, History, Rules, clock, clocks

ALWAYS = Calendar("UTC", frozenset(range(1, 8)), 0, 24 * 60)
OFFICE = Calendar("UTC", frozenset({1, 2, 3, 4, 5}), 9 * 60, 17 * 60)
TARGETS = {
    p: {"first_response_minutes": 60, "resolution_minutes": 600} for p in ("low", "medium", "high")
} | {"urgent": {"first_response_minutes": 10, "resolution_minutes": None}}
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # a Tuesday
REQUESTER, AGENT = "req", "agent"


def rules(calendar: Calendar = ALWAYS) -> Rules:
    return Rules(calendar, TARGETS, frozenset({"waiting"}), frozenset({"resolved", "closed"}))


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def history(*facts: Fact, priority: str = "medium") -> History:
    return History(T0, REQUESTER, priority, "open", list(facts))


def status(minutes: float, to: str, who: str = AGENT) -> Fact:
    return Fact(at(minutes), "status", who, to)


def test_a_fresh_ticket_runs_both_clocks_from_creation():
    c = clocks(history(), rules(), at(30))
    assert c["first_response"].due_at == at(60) and c["first_response"].warn_at == at(48)
    assert c["first_response"].remaining_seconds == 30 * 60
    assert c["resolution"].due_at == at(600)
    assert not c["first_response"].breached and not c["first_response"].paused


def test_waiting_pauses_and_resuming_moves_the_due_time_by_the_pause():
    past = history(status(10, "in_progress"), status(20, "waiting"), status(50, "in_progress"))
    paused = clock(
        past.__class__(T0, REQUESTER, "medium", "open", past.facts[:2]),
        rules(),
        "resolution",
        at(40),
    )
    assert paused.paused and paused.due_at is None and paused.remaining_seconds == 580 * 60
    resumed = clock(past, rules(), "resolution", at(60))
    assert not resumed.paused and resumed.due_at == at(630)


def test_a_priority_change_recomputes_from_creation():
    past = history(Fact(at(5), "priority", AGENT, "urgent"))
    c = clocks(past, rules(), at(20))
    assert c["first_response"].due_at == at(10) and c["first_response"].breached
    assert c["first_response"].remaining_seconds == -600
    assert c["resolution"] is None  # no resolution target for urgent


def test_first_response_is_the_first_public_reply_by_someone_else():
    past = history(
        Fact(at(1), "comment", REQUESTER, public=True),
        Fact(at(2), "comment", AGENT, public=False),
        Fact(at(3), "status", REQUESTER, "closed"),
        Fact(at(4), "comment", AGENT, public=True),
    )
    assert clock(past, rules(), "first_response", at(100)).met_at == at(4)


def test_resolution_is_met_on_resolving_and_reopening_resumes_without_the_resolved_time():
    past = history(status(10, "in_progress"), status(100, "resolved"))
    met = clock(past, rules(), "resolution", at(200))
    assert met.met_at == at(100) and not met.breached and met.remaining_seconds == 500 * 60
    reopened = history(*past.facts, status(300, "open", REQUESTER))
    again = clock(reopened, rules(), "resolution", at(310))
    assert again.met_at is None and again.remaining_seconds == 490 * 60
    assert again.due_at == at(310 + 490)


def test_a_breach_stays_a_breach_while_paused_and_after_a_late_answer():
    late = history(status(70, "in_progress"))
    c = clock(late, rules(), "first_response", at(80))
    assert c.met_at == at(70) and c.breached and c.due_at == at(60)
    paused = clock(history(status(700, "waiting")), rules(), "resolution", at(800))
    assert paused.paused and paused.breached and paused.due_at == at(600)
    assert paused.remaining_seconds == -100 * 60


def test_business_hours_count_only_working_time():
    friday = datetime(2026, 12, 4, 16, 30, tzinfo=UTC)
    past = History(friday, REQUESTER, "medium", "open", [])
    c = clock(past, rules(OFFICE), "first_response", friday + timedelta(days=1))  # Saturday
    assert c.due_at == datetime(2026, 12, 7, 9, 30, tzinfo=UTC)  # Monday 09:30
    assert c.warn_at == datetime(2026, 12, 7, 9, 18, tzinfo=UTC)
    assert c.remaining_seconds == 30 * 60 and not c.breached


def test_the_worked_example_of_docs_sla():
    """docs/sla.md: high priority filed Friday 15:00 UTC, Monday a holiday, 09:00-17:00."""
    cal = Calendar(
        "UTC",
        frozenset({1, 2, 3, 4, 5}),
        9 * 60,
        17 * 60,
        frozenset({datetime(2026, 12, 7).date()}),
    )
    high = Rules(
        cal,
        {"high": {"first_response_minutes": 120, "resolution_minutes": 480}},
        frozenset({"waiting"}),
        frozenset({"resolved", "closed"}),
    )

    def d(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)

    moves = [
        Fact(d("2026-12-04T16:00"), "status", AGENT, "in_progress"),
        Fact(d("2026-12-08T10:00"), "status", AGENT, "waiting"),
        Fact(d("2026-12-09T09:30"), "status", AGENT, "in_progress"),
    ]

    def at_time(now: str, n: int) -> dict:
        return clocks(
            History(d("2026-12-04T15:00"), REQUESTER, "high", "open", moves[:n]), high, d(now)
        )

    fresh = at_time("2026-12-04T15:00", 0)
    assert fresh["first_response"].due_at == d("2026-12-04T17:00")
    assert fresh["resolution"].due_at == d("2026-12-08T15:00")
    assert fresh["resolution"].warn_at == d("2026-12-08T13:24")
    waiting = at_time("2026-12-08T12:00", 2)
    assert waiting["first_response"].met_at == d("2026-12-04T16:00")
    assert not waiting["first_response"].breached
    assert waiting["first_response"].remaining_seconds == 60 * 60
    assert waiting["resolution"].paused and waiting["resolution"].remaining_seconds == 300 * 60
    resumed = at_time("2026-12-09T15:00", 3)["resolution"]
    assert resumed.due_at == d("2026-12-09T14:30") and resumed.warn_at == d("2026-12-09T12:54")
    assert resumed.breached and resumed.remaining_seconds == -30 * 60
