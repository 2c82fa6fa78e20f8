"""Every problem of a proposed SLA policy at once, so an admin can fix them in one go."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from functools import lru_cache
from zoneinfo import available_timezones

from servicedesk_shared.errors import Unprocessable
from servicedesk_tickets.sla.calendar import parse_hhmm
from servicedesk_tickets.sla.schemas import CalendarSpec, PolicyWrite

MAX_MINUTES = 525_600  # a year
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class InvalidSlaPolicy(Unprocessable):
    """422 `invalid_sla_policy`, `errors`: every problem found (a leaf of the tree drawn
    in `errors.py`, kept here beside the checks that raise it)."""

    code, detail = "invalid_sla_policy", "The SLA policy is not valid"


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _days(days: list[int]) -> list[str]:
    found = [] if days else ["calendar.working_days: name at least one day"]
    found += [
        f"calendar.working_days: {d} is not an ISO weekday (1-7)" for d in days if not 1 <= d <= 7
    ]
    found += [
        f"calendar.working_days: {d} is listed twice" for d, n in Counter(days).items() if n > 1
    ]
    return found


def _hours(cal: CalendarSpec) -> list[str]:
    parsed, found = {}, []
    for name in ("start", "end"):
        try:
            parsed[name] = parse_hhmm(getattr(cal, name))
        except ValueError as error:
            found.append(f"calendar.{name}: {error}")
    if len(parsed) == 2 and parsed["start"] >= parsed["end"]:
        found.append(f"calendar.start {cal.start!r} is not before calendar.end {cal.end!r}")
    return found


def _is_date(value: str) -> bool:
    try:
        return bool(DATE.match(value)) and date.fromisoformat(value) is not None
    except ValueError:
        return False


def _calendar(cal: CalendarSpec) -> list[str]:
    found = (
        []
        if cal.timezone in _zones()
        else [f"calendar.timezone: unknown timezone {cal.timezone!r}"]
    )
    found += _days(cal.working_days) + _hours(cal)
    found += [
        f"calendar.holidays[{i}]: {h!r} is not a date (YYYY-MM-DD)"
        for i, h in enumerate(cal.holidays)
        if not _is_date(h)
    ]
    return found


def _targets(policy: PolicyWrite) -> list[str]:
    found = []
    for priority, spec in policy.targets:
        for name, minutes in spec:
            where = f"targets.{priority}.{name}"
            if minutes is not None and minutes <= 0:
                found.append(f"{where}: {minutes} is not a positive number of minutes")
            elif minutes is not None and minutes > MAX_MINUTES:
                found.append(f"{where}: {minutes} is over a year ({MAX_MINUTES} minutes)")
    return found


def problems(policy: PolicyWrite) -> list[str]:
    return _calendar(policy.calendar) + _targets(policy)
