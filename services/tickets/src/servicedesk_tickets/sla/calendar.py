"""Working-time arithmetic on a business calendar (pure: no I/O, no clock).

A calendar is a timezone, the ISO weekdays that are worked (1 = Monday), the hours of a
working day in that timezone (`end` may be 24:00) and holidays (whole local days off).
Each working day is one interval, computed from local wall times and then converted to
UTC, so a day across a DST change is an hour shorter or longer in real time and every
result is correct in UTC. A wall time that does not exist (spring forward) is read with
the offset before the change, one that exists twice (fall back) as its first occurrence
(PEP 495, `fold=0`). 24x7 (`[1..7]`, 00:00-24:00, no holidays) equals wall-clock time:
consecutive days abut exactly.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

DAY_MINUTES = 24 * 60
# No calendar the API accepts needs more days than this to fit the longest target; the
# bound only stops a loop over a calendar with no working time at all.
MAX_DAYS = 100 * 366


@dataclass(frozen=True)
class Calendar:
    timezone: str
    working_days: frozenset[int]
    start_minute: int  # minutes after local midnight
    end_minute: int  # up to 1440 (24:00)
    holidays: frozenset[date] = frozenset()

    @classmethod
    def from_spec(cls, spec: dict) -> Calendar:
        """From the API's `{timezone, working_days, start, end, holidays}` (validated)."""
        return cls(
            timezone=spec["timezone"],
            working_days=frozenset(spec["working_days"]),
            start_minute=parse_hhmm(spec["start"]),
            end_minute=parse_hhmm(spec["end"]),
            holidays=frozenset(_as_date(h) for h in spec.get("holidays", ())),
        )


def parse_hhmm(value: str) -> int:
    """Minutes after midnight of "HH:MM" (00:00-24:00); ValueError otherwise."""
    hours, sep, minutes = value.partition(":")
    if not (sep and len(hours) == 2 and len(minutes) == 2 and (hours + minutes).isdigit()):
        raise ValueError(f"{value!r} is not HH:MM")
    total = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or total > DAY_MINUTES:
        raise ValueError(f"{value!r} is not a time of day between 00:00 and 24:00")
    return total


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _local(day: date, minute: int, zone: ZoneInfo) -> datetime:
    day, minute = (day + timedelta(days=1), 0) if minute == DAY_MINUTES else (day, minute)
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone).astimezone(UTC)


@lru_cache(maxsize=65536)
def day_interval(calendar: Calendar, day: date) -> tuple[datetime, datetime] | None:
    """The working interval of local `day` in UTC, or None (weekend, holiday, empty)."""
    if day.isoweekday() not in calendar.working_days or day in calendar.holidays:
        return None
    zone = ZoneInfo(calendar.timezone)
    start = _local(day, calendar.start_minute, zone)
    end = _local(day, calendar.end_minute, zone)
    return (start, end) if end > start else None


def _intervals_from(calendar: Calendar, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals that end after `moment`, in order (starting the local day before)."""
    day = moment.astimezone(ZoneInfo(calendar.timezone)).date() - timedelta(days=1)
    for offset in range(MAX_DAYS):
        interval = day_interval(calendar, day + timedelta(days=offset))
        if interval is not None and interval[1] > moment:
            yield interval


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
_DAY = timedelta(days=1)
_FIRST_SPAN = 64  # local days `add_working` asks for at first; doubled while too short
_MARGIN = timedelta(days=31)


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICRO


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


class _Timeline:
    """A calendar's working intervals over a span of local days, in integer microseconds
    since the epoch, each with the working time before it in the span: a sum of working
    time is two binary searches, not a walk over days. The span grows (it is rebuilt
    wider) when asked about moments outside it; exact, as the intervals are."""

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        self.zone = ZoneInfo(calendar.timezone)
        self.first, self.last = date.max, date.min  # local days covered: [first, last)
        self.safe = (1, 0)  # moments (micros) surely inside the span whatever the offset
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.after: list[int] = []  # working time up to each interval's end

    def day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def cover(self, first: date, last: date) -> None:
        """Make the span include local days [first, last) (the day before a moment and the
        day after cover every interval that can contain it, whatever the offset)."""
        if self.first <= first and last <= self.last:
            return
        first = min(first, self.first) - _MARGIN  # with room to spare: rebuilt seldom
        last = max(last, self.last) + _MARGIN
        starts, ends, after, total = [], [], [], 0
        day = first
        while day < last:
            interval = day_interval(self.calendar, day)
            if interval is not None:
                begin, end = _micros(interval[0]), _micros(interval[1])
                total += end - begin
                starts.append(begin)
                ends.append(end)
                after.append(total)
            day += _DAY
        self.first, self.last, self.starts, self.ends, self.after = first, last, starts, ends, after
        self.safe = (
            _micros(_utc_midnight(first) + 2 * _DAY),
            _micros(_utc_midnight(last) - 2 * _DAY),
        )

    def covers(self, *moments: int) -> bool:
        low, high = self.safe
        return all(low <= m <= high for m in moments)

    def worked(self, micros: int) -> int:
        """Working time in the span before `micros` (a moment inside the span)."""
        i = bisect_right(self.starts, micros) - 1
        if i < 0:
            return 0
        return self.after[i] - self.ends[i] + min(micros, self.ends[i])


@lru_cache(maxsize=64)
def _timeline(calendar: Calendar) -> _Timeline:
    return _Timeline(calendar)


def add_working(start: datetime, minutes: float, calendar: Calendar) -> datetime:
    """The moment `minutes` of working time after `start` (UTC). 0 minutes: `start`."""
    left = timedelta(minutes=minutes)
    if left <= timedelta(0):
        return start.astimezone(UTC)
    line = _timeline(calendar)
    first, span = line.day(start) - _DAY, _FIRST_SPAN
    while span <= MAX_DAYS:
        line.cover(first, first + timedelta(days=span))
        wanted = line.worked(_micros(start)) + left // _MICRO
        i = bisect_left(line.after, wanted)
        if i < len(line.after):
            return _EPOCH + timedelta(microseconds=line.ends[i] - (line.after[i] - wanted))
        span *= 2
    raise ValueError("the calendar has no working time within a century")


def working_between(a: datetime, b: datetime, calendar: Calendar) -> float:
    """Seconds of working time in [a, b); 0 when b is not after a."""
    if b <= a:
        return 0.0
    line, start, end = _timeline(calendar), _micros(a), _micros(b)
    if not line.covers(start, end):
        line.cover(line.day(a) - _DAY, line.day(b) + 2 * _DAY)
    return (line.worked(end) - line.worked(start)) / 10**6


def is_working(moment: datetime, calendar: Calendar) -> bool:
    """Whether `moment` lies inside a working interval [start, end)."""
    for begin, _end in _intervals_from(calendar, moment):
        return begin <= moment
    return False
