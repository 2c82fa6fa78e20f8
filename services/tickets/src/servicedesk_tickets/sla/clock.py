"""A ticket's SLA clocks derived from its history (pure: no I/O; `now` is passed in).

The history is the ticket's creation (time, requester, priority, state) and what happened
since, in order: state changes, priority changes, comments. Time counts only while the
ticket is in a state that neither pauses the SLA (`pauses_sla`) nor stops it (`resolved`
or terminal), and only in the calendar's working time. The target of the *current*
priority applies from creation, so a priority change recomputes every due time.

- first response is met by the first public comment or transition by anyone other than
  the requester;
- resolution is met by entering a stopping state (and unmet again on a reopen: the time
  spent resolved does not count);
- `due_at` is when the counted time reaches the target: a past moment once breached, a
  projection while the clock runs (or when it was met in time), null while it is paused;
  `warn_at` the same at 80 %.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from servicedesk_tickets.sla.calendar import Calendar, add_working, working_between

TARGETS = ("first_response", "resolution")
WARNING_RATIO = 0.8
Target = Literal["first_response", "resolution"]


@dataclass(frozen=True)
class Fact:
    at: datetime
    kind: Literal["status", "priority", "comment"]
    actor_id: str | None = None
    value: str | None = None  # the new state or priority
    public: bool = True


@dataclass(frozen=True)
class History:
    created_at: datetime
    requester_id: str
    priority: str
    status: str
    facts: list[Fact] = field(default_factory=list)


@dataclass(frozen=True)
class Rules:
    """The policy and the workflow's states as the clocks need them."""

    calendar: Calendar
    targets: dict[str, dict[str, int | None]]  # priority -> {first_response_minutes, …}
    pausing: frozenset[str]
    stopping: frozenset[str]


@dataclass(frozen=True)
class Clock:
    due_at: datetime | None
    warn_at: datetime | None
    met_at: datetime | None
    breached: bool
    paused: bool
    remaining_seconds: int
    target_seconds: int

    @property
    def elapsed_ratio(self) -> float:
        return round((self.target_seconds - self.remaining_seconds) / self.target_seconds, 4)


def _segments(history: History, until: datetime) -> Iterator[tuple[datetime, datetime, str]]:
    """(from, to, state) from creation to `until` (what happened later is left out)."""
    since, state = history.created_at, history.status
    for fact in history.facts:
        if fact.kind == "status" and fact.value is not None:
            if fact.at > until:
                break
            yield since, max(fact.at, since), state
            since, state = max(fact.at, since), fact.value
    yield since, max(until, since), state


def _final(history: History, kind: str, initial: str) -> str:
    values = [f.value for f in history.facts if f.kind == kind and f.value is not None]
    return values[-1] if values else initial


def first_response_met(history: History) -> datetime | None:
    for fact in history.facts:
        by_staff = fact.actor_id is not None and fact.actor_id != history.requester_id
        if fact.kind in ("status", "comment") and fact.public and by_staff:
            return fact.at
    return None


def resolution_met(history: History, stopping: frozenset[str]) -> datetime | None:
    """When the ticket last entered a stopping state, if it is in one now."""
    met = history.created_at if history.status in stopping else None
    for fact in history.facts:
        if fact.kind == "status" and fact.value is not None:
            met = (met or fact.at) if fact.value in stopping else None
    return met


def _crossing(counted: list[tuple[datetime, datetime]], seconds: float, cal: Calendar):
    """The moment the counted working time reaches `seconds`, or None; and the total."""
    total = 0.0
    for begin, end in counted:
        span = working_between(begin, end, cal)
        if total + span >= seconds:
            return add_working(begin, (seconds - total) / 60, cal), None
        total += span
    return None, total


def _moment(counted, seconds: float, cal: Calendar, resume_at: datetime | None):
    moment, total = _crossing(counted, seconds, cal)
    if moment is None and resume_at is not None:
        return add_working(resume_at, (seconds - total) / 60, cal)
    return moment


def clock(history: History, rules: Rules, target: Target, now: datetime) -> Clock | None:
    """One clock, or None when the policy sets no target for the ticket's priority."""
    priority = _final(history, "priority", history.priority)
    minutes = rules.targets.get(priority, {}).get(f"{target}_minutes")
    if minutes is None:
        return None
    if target == "first_response":
        met = first_response_met(history)
    else:
        met = resolution_met(history, rules.stopping)
    end = met or now
    skip = rules.pausing | rules.stopping
    segments = list(_segments(history, end))
    counted = [(a, b) for a, b, state in segments if state not in skip and b > a]
    paused = met is None and segments[-1][2] in skip
    resume_at = None if paused else end
    seconds = minutes * 60
    elapsed = sum(working_between(a, b, rules.calendar) for a, b in counted)
    breached = elapsed > seconds if met else elapsed >= seconds
    return Clock(
        due_at=_moment(counted, seconds, rules.calendar, resume_at),
        warn_at=_moment(counted, seconds * WARNING_RATIO, rules.calendar, resume_at),
        met_at=met,
        breached=breached,
        paused=paused,
        remaining_seconds=round(seconds - elapsed),
        target_seconds=seconds,
    )


def clocks(history: History, rules: Rules, now: datetime) -> dict[str, Clock | None]:
    return {target: clock(history, rules, target, now) for target in TARGETS}
