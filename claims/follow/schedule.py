"""When a subscription's digest is due: parsing schedules and computing run times across time zones.

Pure functions of their arguments (no clock, no database), so daylight-saving edge cases are tested
with fixed instants. Schedules are wall-clock times in the subscriber's zone; run times are UTC.

DST rules, chosen to match cron and APScheduler's ``CronTrigger``:
- a wall time that does not exist (spring forward, e.g. 02:30 in Berlin on the last Sunday of
  March) runs at the same instant the clock would have shown it without the jump (03:30 local);
- a wall time that happens twice (fall back) runs once, at its first occurrence;
- ``hourly`` fires at every local top of the hour, so a fall-back day has 25 runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from claims.errors import InvalidArgumentError
from claims.store.models import ScheduleKind

DEFAULT_HOUR = 8
DEFAULT_MINUTE = 0
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SCHEDULE_USAGE = "daily HH:MM | weekly DAY HH:MM | hourly | instant"
_TIME = re.compile(r"^([01]?[0-9]|2[0-3])[:.h]([0-5][0-9])$")  # ASCII digits only


@dataclass(frozen=True, slots=True)
class Schedule:
    """A recurring wall-clock time; ``weekday`` is 0 (Monday) to 6, for weekly schedules only."""

    kind: ScheduleKind = ScheduleKind.DAILY
    hour: int = DEFAULT_HOUR
    minute: int = DEFAULT_MINUTE
    weekday: int | None = None

    def __post_init__(self) -> None:
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59):
            raise InvalidArgumentError(f"{self.hour:02d}:{self.minute:02d} is not a time of day.")
        if self.kind is ScheduleKind.WEEKLY and self.weekday not in range(7):
            raise InvalidArgumentError("A weekly schedule needs a day, for example: weekly monday 08:00.")

    def describe(self) -> str:
        """The schedule as users write it, e.g. ``weekly monday 08:00``."""
        at = f"{self.hour:02d}:{self.minute:02d}"
        if self.kind is ScheduleKind.DAILY:
            return f"daily {at}"
        if self.kind is ScheduleKind.WEEKLY:
            return f"weekly {WEEKDAYS[self.weekday or 0]} {at}"
        return self.kind.value


DEFAULT_SCHEDULE = Schedule()


def parse_schedule(text: str) -> Schedule:
    """``daily HH:MM | weekly DAY HH:MM | hourly | instant``; empty means daily at 08:00."""
    words = text.lower().split()
    if not words:
        return DEFAULT_SCHEDULE
    head, rest = words[0], words[1:]
    try:
        kind = ScheduleKind(head)
    except ValueError:
        raise InvalidArgumentError(f"Unknown schedule {head[:20]!r}; use {SCHEDULE_USAGE}.") from None
    if kind in (ScheduleKind.HOURLY, ScheduleKind.INSTANT):
        if rest:
            raise InvalidArgumentError(f"{kind.value} takes no time; use {SCHEDULE_USAGE}.")
        return Schedule(kind=kind)
    weekday = None
    if kind is ScheduleKind.WEEKLY:
        if not rest:
            raise InvalidArgumentError("A weekly schedule needs a day, for example: weekly monday 08:00.")
        weekday = parse_weekday(rest[0])
        rest = rest[1:]
    if len(rest) > 1:
        raise InvalidArgumentError(f"Too many words in the schedule; use {SCHEDULE_USAGE}.")
    hour, minute = parse_time(rest[0]) if rest else (DEFAULT_HOUR, DEFAULT_MINUTE)
    return Schedule(kind=kind, hour=hour, minute=minute, weekday=weekday)


def parse_time(text: str) -> tuple[int, int]:
    """``HH:MM`` (also ``H:MM``, ``HH.MM``, ``HHhMM``) as (hour, minute)."""
    match = _TIME.match(text.strip())
    if not match:
        raise InvalidArgumentError(f"{text[:20]!r} is not a time; write it as HH:MM, e.g. 08:00.")
    return int(match.group(1)), int(match.group(2))


def parse_weekday(text: str) -> int:
    """A day name or an unambiguous prefix of at least two letters (``mo``, ``tue``, ``sunday``)."""
    word = text.strip().lower()
    found = [i for i, day in enumerate(WEEKDAYS) if len(word) >= 2 and day.startswith(word)]
    if len(found) != 1:
        raise InvalidArgumentError(f"{text[:20]!r} is not a day of the week; write e.g. monday or mon.")
    return found[0]


# ---------------------------------------------------------------------------- time zones


#: Names the zone database answers to that are not time zones a person lives in: the host's own
#: setting (which differs between machines) and tzdata's placeholder for "unknown".
_NOT_IANA = frozenset({"localtime", "factory", "posixrules"})


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    return {
        name.casefold(): name
        for name in available_timezones()
        if name.casefold() not in _NOT_IANA and not name.startswith(("posix/", "right/"))
    }


def is_iana_zone(name: str) -> bool:
    """Whether ``name`` is exactly an IANA zone name (as ``Europe/Berlin`` or ``UTC``)."""
    return _zone_names().get(name.casefold()) == name


def validate_timezone(name: str) -> str:
    """The canonical IANA name for ``name`` (case-insensitive), or a user-facing error."""
    wanted = name.strip().replace(" ", "_")
    canonical = _zone_names().get(wanted.casefold())
    if canonical is None:
        raise InvalidArgumentError(
            f"Unknown time zone {name[:40]!r}; use an Area/City name such as Europe/Berlin or "
            "America/New_York."
        )
    return canonical


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """A cached ``ZoneInfo``; an unknown name is an error the user caused."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidArgumentError(f"Unknown time zone {name[:40]!r}.") from None


# ---------------------------------------------------------------------------- run times


def _require_aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("schedule arithmetic needs aware datetimes")
    return value.astimezone(UTC)


def _wall_to_utc(day: datetime, at: time, tz: ZoneInfo) -> datetime:
    """The instant a wall-clock time on a local date happens (first occurrence; gaps move forward)."""
    local = datetime(day.year, day.month, day.day, at.hour, at.minute, tzinfo=tz, fold=0)
    return local.astimezone(UTC)


def next_run(schedule: Schedule, *, after: datetime, tz: str | ZoneInfo) -> datetime:
    """The first run strictly after ``after``, in UTC. ``instant`` is always due: it returns ``after``."""
    after = _require_aware(after)
    zi = zone(tz) if isinstance(tz, str) else tz
    if schedule.kind is ScheduleKind.INSTANT:
        return after
    if schedule.kind is ScheduleKind.HOURLY:
        return _next_local_hour(after, zi)
    at = time(schedule.hour, schedule.minute)
    local_day = after.astimezone(zi).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    # Eight days always contain the next daily and the next weekly run, whatever the DST shifts.
    for offset in range(9):
        day = local_day + timedelta(days=offset)
        if schedule.kind is ScheduleKind.WEEKLY and day.weekday() != schedule.weekday:
            continue
        candidate = _wall_to_utc(day, at, zi)
        if candidate > after:
            return candidate
    raise AssertionError("unreachable: no run within nine days")  # pragma: no cover


def previous_run(schedule: Schedule, *, at: datetime, tz: str | ZoneInfo) -> datetime:
    """The most recent run at or before ``at``, in UTC (for catching up after downtime)."""
    at = _require_aware(at)
    zi = zone(tz) if isinstance(tz, str) else tz
    if schedule.kind is ScheduleKind.INSTANT:
        return at
    if schedule.kind is ScheduleKind.HOURLY:
        return _last_local_hour(at, zi)
    wall = time(schedule.hour, schedule.minute)
    local_day = at.astimezone(zi).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    for offset in range(9):
        day = local_day - timedelta(days=offset)
        if schedule.kind is ScheduleKind.WEEKLY and day.weekday() != schedule.weekday:
            continue
        candidate = _wall_to_utc(day, wall, zi)
        if candidate <= at:
            return candidate
    raise AssertionError("unreachable: no run within nine days")  # pragma: no cover


def _next_local_hour(after: datetime, zi: ZoneInfo) -> datetime:
    """The first instant after ``after`` at which the local clock shows minute 0."""
    # Offsets are whole minutes, so step to the next whole UTC minute, then jump to the local hour.
    candidate = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    for _ in range(4):  # a half-hour DST shift (Lord Howe) can need a second hop
        minute = candidate.astimezone(zi).minute
        if minute == 0:
            return candidate
        candidate += timedelta(minutes=60 - minute)
    raise AssertionError("unreachable: no local top of the hour")  # pragma: no cover


def _last_local_hour(at: datetime, zi: ZoneInfo) -> datetime:
    """The latest instant at or before ``at`` at which the local clock shows minute 0."""
    candidate = at.replace(second=0, microsecond=0)
    for _ in range(4):
        minute = candidate.astimezone(zi).minute
        if minute == 0:
            return candidate
        candidate -= timedelta(minutes=minute)
    raise AssertionError("unreachable: no local top of the hour")  # pragma: no cover


def runs_between(schedule: Schedule, *, start: datetime, end: datetime, tz: str | ZoneInfo,
                 limit: int = 1000) -> list[datetime]:
    """Every run in ``(start, end]``, at most ``limit`` (for tests and for showing upcoming runs)."""
    out: list[datetime] = []
    if schedule.kind is ScheduleKind.INSTANT:
        return out
    current = _require_aware(start)
    end = _require_aware(end)
    while len(out) < limit:
        current = next_run(schedule, after=current, tz=tz)
        if current > end:
            break
        out.append(current)
    return out


def is_missed(scheduled_at: datetime, *, now: datetime, grace: timedelta) -> bool:
    """Whether a run that was due at ``scheduled_at`` is too old to send now (the bot was down)."""
    return _require_aware(now) - _require_aware(scheduled_at) > grace
