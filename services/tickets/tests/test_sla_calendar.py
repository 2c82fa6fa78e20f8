"""Working-time arithmetic: properties (Hypothesis) and worked examples."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from servicedesk_tickets.sla.calendar import (
    Calendar,
    add_working,
    day_interval,
    is_working,
    parse_hhmm,
    working_between,
)

OFFICE = Calendar("UTC", frozenset({1, 2, 3, 4, 5}), 9 * 60, 17 * 60)
ALWAYS = Calendar("UTC", frozenset(range(1, 8)), 0, 24 * 60)
ZONES = ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC", "Asia/Kolkata")

moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


@st.composite
def calendars(draw) -> Calendar:
    days = draw(st.frozensets(st.integers(1, 7), min_size=1))
    start = draw(st.integers(0, 23 * 60)) // 30 * 30
    end = draw(st.integers(start + 30, 24 * 60))
    holidays = draw(st.frozensets(st.dates(date(2020, 1, 1), date(2031, 1, 31)), max_size=20))
    return Calendar(draw(st.sampled_from(ZONES)), days, start, end, holidays)


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@settings(max_examples=200, deadline=None)
@given(calendars(), moments, st.integers(1, 20_000))
@example(
    Calendar("Europe/Berlin", frozenset({1, 2, 3}), 30, 90),
    datetime(2020, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
    90,
)
def test_a_due_time_ends_a_working_second_never_inside_non_working_time(cal, start, minutes):
    due = add_working(start, minutes, cal)
    assert due > start
    assert working_between(due - timedelta(microseconds=1), due, cal) > 0  # ends working time
    if start.microsecond == 0:  # from a whole second: a whole working second
        assert working_between(due - timedelta(seconds=1), due, cal) == 1
    # (The example: from 01:00:00.000001 in a 00:30-01:30 window, 90 minutes end 1 µs into
    # a later window, so the last second before them holds 1 µs of working time.)
    assert working_between(start, due, cal) == minutes * 60


@settings(max_examples=200, deadline=None)
@given(calendars(), moments, st.integers(1, 5_000), st.integers(0, 10_000))
def test_pausing_never_shortens_a_clock(cal, start, minutes, paused_minutes):
    """A pause of any length only adds its working time back: the due time never comes earlier."""
    due = add_working(start, minutes, cal)
    pause_start = start + (due - start) / 2
    pause_end = pause_start + timedelta(minutes=paused_minutes)
    counted = working_between(start, pause_start, cal)
    resumed_due = add_working(pause_end, minutes - counted / 60, cal)
    assert resumed_due >= due


@settings(max_examples=200, deadline=None)
@given(moments, st.integers(0, 600_000), st.sampled_from(ZONES))
def test_24x7_equals_wall_clock_time_in_every_timezone(start, minutes, zone):
    cal = Calendar(zone, frozenset(range(1, 8)), 0, 24 * 60)
    assert add_working(start, minutes, cal) == start + timedelta(minutes=minutes)
    assert working_between(start, start + timedelta(minutes=minutes), cal) == minutes * 60


@settings(max_examples=100, deadline=None)
@given(calendars(), moments, moments)
def test_working_time_between_two_moments_is_additive(cal, a, b):
    a, b = min(a, b), max(a, b)
    middle = a + (b - a) / 3
    assert (
        abs(
            working_between(a, b, cal)
            - working_between(a, middle, cal)
            - working_between(middle, b, cal)
        )
        < 1e-6
    )


def test_a_berlin_day_across_spring_forward_has_eight_working_hours_of_wall_time():
    berlin = Calendar("Europe/Berlin", frozenset(range(1, 8)), 0, 24 * 60)
    # 2026-03-29: clocks go 02:00 -> 03:00 CET -> CEST; the local day has 23 hours.
    assert working_between(t("2026-03-29T00:00+01:00"), t("2026-03-30T00:00+02:00"), berlin) == (
        23 * 3600
    )
    office = Calendar("Europe/Berlin", frozenset(range(1, 8)), 9 * 60, 17 * 60)
    # Saturday 16:00 CET + 2 working hours = Sunday 10:00 CEST = 08:00 UTC.
    assert add_working(t("2026-03-28T16:00+01:00"), 120, office) == t("2026-03-29T08:00Z")


def test_new_york_office_hours_follow_the_fall_back():
    ny = Calendar("America/New_York", frozenset({1, 2, 3, 4, 5}), 9 * 60, 17 * 60)
    # Friday 2026-10-30 16:00 EDT (20:00 UTC) + 2 h: Monday 2026-11-02 10:00 EST = 15:00 UTC.
    assert add_working(t("2026-10-30T16:00-04:00"), 120, ny) == t("2026-11-02T15:00Z")
    assert is_working(t("2026-11-02T14:30Z"), ny)
    assert not is_working(t("2026-11-02T13:30Z"), ny)  # 08:30 EST


def test_worked_example_across_a_weekend_and_a_holiday():
    """Friday 16:00 + 240 working minutes, Monday a holiday: due Tuesday 12:00."""
    cal = Calendar(
        "UTC", frozenset({1, 2, 3, 4, 5}), 9 * 60, 17 * 60, frozenset({date(2026, 12, 7)})
    )
    start = t("2026-12-04T16:00Z")  # a Friday
    assert add_working(start, 240, cal) == t("2026-12-08T12:00Z")
    assert working_between(start, t("2026-12-08T12:00Z"), cal) == 240 * 60
    assert add_working(t("2026-12-05T10:00Z"), 60, OFFICE) == t("2026-12-07T10:00Z")


def test_zero_minutes_is_the_start_and_backwards_spans_are_empty():
    moment = t("2026-12-05T10:00Z")
    assert add_working(moment, 0, OFFICE) == moment
    assert working_between(moment, moment - timedelta(hours=1), ALWAYS) == 0


def test_parse_hhmm_accepts_midnight_and_24_00_only():
    assert parse_hhmm("00:00") == 0 and parse_hhmm("24:00") == 1440
    for bad in ("24:01", "9:00", "09:60", "ab:cd", "0900"):
        try:
            parse_hhmm(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def _walk_working_between(a: datetime, b: datetime, cal: Calendar) -> float:
    """The plain definition: walk the working days from the one before `a` (the timeline
    must give exactly this)."""
    if b <= a:
        return 0.0
    total, day = timedelta(0), a.astimezone(ZoneInfo(cal.timezone)).date() - timedelta(days=1)
    while True:
        interval = day_interval(cal, day)
        day += timedelta(days=1)
        if interval is None or interval[1] <= a:
            continue
        if interval[0] >= b:
            return total.total_seconds()
        total += min(interval[1], b) - max(interval[0], a)


@settings(max_examples=300, deadline=None)
@given(calendars(), moments, st.integers(0, 400 * 24 * 3600))
def test_the_timeline_gives_exactly_the_walk_over_days(cal, a, seconds):
    b = a + timedelta(seconds=seconds, microseconds=seconds % 997)
    assert working_between(a, b, cal) == _walk_working_between(a, b, cal)
    due = add_working(a, seconds / 600, cal)  # minutes, fractional
    assert _walk_working_between(a, due, cal) == timedelta(minutes=seconds / 600).total_seconds()


def test_a_timeline_asked_about_distant_moments_grows_both_ways():
    now = t("2026-12-03T10:00Z")
    years_ago = now - timedelta(days=3 * 365)
    assert working_between(now, now + timedelta(days=7), OFFICE) == 5 * 8 * 3600
    assert working_between(years_ago, years_ago + timedelta(days=7), OFFICE) == 5 * 8 * 3600
    assert working_between(now, now + timedelta(days=7), OFFICE) == 5 * 8 * 3600
