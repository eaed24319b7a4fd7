"""Schedule arithmetic across time zones and daylight-saving changes, with fixed instants (no clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.errors import InvalidArgumentError
from claims.follow.schedule import (
    Schedule,
    is_missed,
    next_run,
    parse_schedule,
    previous_run,
    runs_between,
)
from claims.store.models import ScheduleKind
from claims.times import validate_timezone

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Schedule()),
        ("daily", Schedule()),
        ("daily 18:30", Schedule(ScheduleKind.DAILY, 18, 30)),
        ("Daily 7:05", Schedule(ScheduleKind.DAILY, 7, 5)),
        ("daily 07.05", Schedule(ScheduleKind.DAILY, 7, 5)),
        ("weekly monday 09:00", Schedule(ScheduleKind.WEEKLY, 9, 0, 0)),
        ("weekly Fri 17:45", Schedule(ScheduleKind.WEEKLY, 17, 45, 4)),
        ("weekly su", Schedule(ScheduleKind.WEEKLY, 8, 0, 6)),
        ("hourly", Schedule(ScheduleKind.HOURLY)),
        ("instant", Schedule(ScheduleKind.INSTANT)),
    ],
)
def test_schedules_parse(text: str, expected: Schedule) -> None:
    assert parse_schedule(text) == expected
    assert parse_schedule(expected.describe()) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("monthly", "Unknown schedule"),
        ("daily 25:00", "not a time"),
        ("daily 8", "not a time"),
        ("daily 08:00 extra", "Too many words"),
        ("weekly 08:00", "not a day"),
        ("weekly", "needs a day"),
        ("weekly t 08:00", "not a day"),  # tuesday or thursday
        ("hourly 08:00", "takes no time"),
    ],
)
def test_bad_schedules_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        parse_schedule(text)


def test_daily_run_is_local_wall_time() -> None:
    daily8 = Schedule(ScheduleKind.DAILY, 8, 0)
    assert next_run(daily8, after=utc(2025, 1, 10, 6, 0), tz=BERLIN) == utc(2025, 1, 10, 7, 0)
    assert next_run(daily8, after=utc(2025, 1, 10, 7, 0), tz=BERLIN) == utc(2025, 1, 11, 7, 0)
    assert next_run(daily8, after=utc(2025, 7, 10, 7, 0), tz=BERLIN) == utc(2025, 7, 11, 6, 0)
    assert next_run(daily8, after=utc(2025, 1, 10, 14, 0), tz=NEW_YORK) == utc(2025, 1, 11, 13, 0)


def test_daily_keeps_local_time_across_berlin_spring_forward() -> None:
    runs = runs_between(Schedule(ScheduleKind.DAILY, 8, 0), start=utc(2025, 3, 28), end=utc(2025, 4, 1),
                        tz=BERLIN)
    assert runs == [utc(2025, 3, 28, 7), utc(2025, 3, 29, 7), utc(2025, 3, 30, 6), utc(2025, 3, 31, 6)]
    assert {r.astimezone(ZoneInfo(BERLIN)).hour for r in runs} == {8}


def test_time_skipped_by_spring_forward_runs_when_the_clock_jumps() -> None:
    # 02:30 does not exist in Berlin on 30 March 2025: it runs at 03:30 CEST (01:30 UTC), once.
    runs = runs_between(Schedule(ScheduleKind.DAILY, 2, 30), start=utc(2025, 3, 29), end=utc(2025, 3, 31, 12),
                        tz=BERLIN)
    assert runs == [utc(2025, 3, 29, 1, 30), utc(2025, 3, 30, 1, 30), utc(2025, 3, 31, 0, 30)]
    assert runs[1].astimezone(ZoneInfo(BERLIN)).strftime("%H:%M %Z") == "03:30 CEST"


def test_time_repeated_by_fall_back_runs_once() -> None:
    # 02:30 happens twice in Berlin on 26 October 2025 (CEST, then CET): one run, the first.
    runs = runs_between(Schedule(ScheduleKind.DAILY, 2, 30), start=utc(2025, 10, 25), end=utc(2025, 10, 28),
                        tz=BERLIN)
    assert runs == [utc(2025, 10, 25, 0, 30), utc(2025, 10, 26, 0, 30), utc(2025, 10, 27, 1, 30)]
    # Asked for the next run between the two 02:30s, it is the next day's.
    assert next_run(Schedule(ScheduleKind.DAILY, 2, 30), after=utc(2025, 10, 26, 0, 45), tz=BERLIN) == utc(
        2025, 10, 27, 1, 30)


def test_new_york_transitions() -> None:
    daily = Schedule(ScheduleKind.DAILY, 2, 30)
    # 9 March 2025: 02:00 EST jumps to 03:00 EDT; 02:30 runs at 03:30 EDT = 07:30 UTC.
    assert next_run(daily, after=utc(2025, 3, 9, 0), tz=NEW_YORK) == utc(2025, 3, 9, 7, 30)
    # 2 November 2025: 01:30 happens twice; the first (EDT, 05:30 UTC) is taken.
    once = runs_between(Schedule(ScheduleKind.DAILY, 1, 30), start=utc(2025, 11, 1, 12),
                        end=utc(2025, 11, 3, 12), tz=NEW_YORK)
    assert once == [utc(2025, 11, 2, 5, 30), utc(2025, 11, 3, 6, 30)]


def test_weekly_across_dst_keeps_the_weekday_and_the_local_time() -> None:
    monday9 = Schedule(ScheduleKind.WEEKLY, 9, 0, 0)
    runs = runs_between(monday9, start=utc(2025, 3, 20), end=utc(2025, 4, 8), tz=BERLIN)
    assert runs == [utc(2025, 3, 24, 8), utc(2025, 3, 31, 7), utc(2025, 4, 7, 7)]
    autumn = runs_between(monday9, start=utc(2025, 10, 20), end=utc(2025, 11, 4), tz=NEW_YORK)
    assert autumn == [utc(2025, 10, 20, 13), utc(2025, 10, 27, 13), utc(2025, 11, 3, 14)]
    assert all(r.astimezone(ZoneInfo(NEW_YORK)).weekday() == 0 for r in autumn)


def test_weekly_on_the_day_itself() -> None:
    friday = Schedule(ScheduleKind.WEEKLY, 17, 0, 4)
    # Friday 10 January 2025, 12:00 UTC in Berlin: today at 17:00 local is still ahead.
    assert next_run(friday, after=utc(2025, 1, 10, 12), tz=BERLIN) == utc(2025, 1, 10, 16)
    assert next_run(friday, after=utc(2025, 1, 10, 16), tz=BERLIN) == utc(2025, 1, 17, 16)


def test_hourly_follows_local_hours_through_dst() -> None:
    hourly = Schedule(ScheduleKind.HOURLY)
    day = ZoneInfo(BERLIN)
    spring = runs_between(hourly, start=datetime(2025, 3, 30, tzinfo=day),
                          end=datetime(2025, 3, 31, tzinfo=day), tz=BERLIN)
    autumn = runs_between(hourly, start=datetime(2025, 10, 26, tzinfo=day),
                          end=datetime(2025, 10, 27, tzinfo=day), tz=BERLIN)
    assert (len(spring), len(autumn)) == (23, 25)
    assert next_run(hourly, after=utc(2025, 1, 1, 10, 0, 1), tz="Asia/Kolkata") == utc(2025, 1, 1, 10, 30)
    assert next_run(hourly, after=utc(2025, 1, 1, 10, 30), tz="Asia/Kolkata") == utc(2025, 1, 1, 11, 30)
    assert previous_run(hourly, at=utc(2025, 1, 1, 10, 29), tz="Asia/Kolkata") == utc(2025, 1, 1, 9, 30)


def test_instant_is_always_due() -> None:
    now = utc(2025, 5, 1, 12, 0, 7)
    assert next_run(Schedule(ScheduleKind.INSTANT), after=now, tz=BERLIN) == now
    tomorrow = now + timedelta(days=1)
    assert runs_between(Schedule(ScheduleKind.INSTANT), start=now, end=tomorrow, tz=BERLIN) == []


def test_previous_run_and_grace_for_catching_up() -> None:
    daily = Schedule(ScheduleKind.DAILY, 8, 0)
    at = utc(2025, 3, 30, 9)  # Berlin: 11:00 CEST
    assert previous_run(daily, at=at, tz=BERLIN) == utc(2025, 3, 30, 6)
    assert previous_run(daily, at=utc(2025, 3, 30, 5), tz=BERLIN) == utc(2025, 3, 29, 7)
    assert previous_run(Schedule(ScheduleKind.WEEKLY, 8, 0, 0), at=at, tz=BERLIN) == utc(2025, 3, 24, 7)
    assert not is_missed(utc(2025, 3, 30, 6), now=at, grace=timedelta(hours=3))
    assert is_missed(utc(2025, 3, 30, 6), now=at, grace=timedelta(hours=2))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_run(Schedule(), after=datetime(2025, 1, 1), tz=BERLIN)


def test_time_zones_are_validated_and_canonicalised() -> None:
    assert validate_timezone("europe/berlin") == BERLIN
    assert validate_timezone(" America/New York ") == NEW_YORK
    for bad in ("Mars/Olympus", "CEST+2", ""):
        with pytest.raises(InvalidArgumentError, match="Unknown time zone"):
            validate_timezone(bad)


ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC",
         "America/Sao_Paulo", "Pacific/Chatham"]


@settings(max_examples=300, deadline=None)
@given(
    when=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
    zone=st.sampled_from(ZONES),
    kind=st.sampled_from([ScheduleKind.DAILY, ScheduleKind.WEEKLY, ScheduleKind.HOURLY]),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    weekday=st.integers(0, 6),
)
def test_next_run_is_the_first_run_after(when: datetime, zone: str, kind: ScheduleKind, hour: int,
                                         minute: int, weekday: int) -> None:
    schedule = Schedule(kind, hour, minute, weekday if kind is ScheduleKind.WEEKLY else None)
    nxt = next_run(schedule, after=when, tz=zone)
    assert nxt > when
    assert nxt - when <= timedelta(days=7, hours=2)
    # Nothing fires in between: the latest run before ``nxt`` is at or before ``when``.
    assert previous_run(schedule, at=nxt - timedelta(microseconds=1), tz=zone) <= when
    assert previous_run(schedule, at=nxt, tz=zone) == nxt
    local = nxt.astimezone(ZoneInfo(zone))
    if kind is ScheduleKind.HOURLY:
        assert local.minute == 0
    elif (local.hour, local.minute) != (hour, minute):  # only when that wall time did not exist
        assert local.utcoffset() != (nxt - timedelta(hours=3)).astimezone(ZoneInfo(zone)).utcoffset()
