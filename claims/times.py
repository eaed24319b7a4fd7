"""Times of day, days of the week and time zones as people type them, and the zone database's
names: one base module, so the settings (``CLAIMBOT_TIMEZONE``, the weekly digest's slot), digest
schedules and chats' time zones all parse them the same way."""

from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from claims.errors import InvalidArgumentError

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME = re.compile(r"^([01]?[0-9]|2[0-3])[:.h]([0-5][0-9])$")  # ASCII digits only


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
